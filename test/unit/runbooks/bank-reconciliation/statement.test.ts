import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '#platform/core/errors.ts';
import { money } from '#platform/core/money.ts';
import {
  creditorReferenceFor,
  isValidCreditorReference,
  parseCamt053,
  parseCamt054,
  type StatementEntry,
} from '#runbooks/bank-reconciliation/core/statement.ts';
import {
  buildCamt053,
  closingBalanceFor,
  type StatementInput,
} from '#runbooks/bank-reconciliation/core/statement-writer.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';

const FIXTURES = join(PROJECT_ROOT, 'test', 'support', 'bank-statements');
const handBuilt = readFileSync(join(FIXTURES, 'camt053-hand-built.xml'), 'utf8');

/** The rule a refused bank file names, or a failure when the file was accepted. */
function refusal(read: () => unknown): { rule: unknown; message: string } {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(TollgateError);
    const tollgate = error as TollgateError;
    expect(tollgate.code).toBe('BANK_FILE_INVALID');
    return { rule: tollgate.details?.rule, message: tollgate.message };
  }
  throw new Error('expected the bank file to be refused');
}

const eur = (amount: string) => money(amount, 'EUR');

describe('parseCamt053 on a statement built by hand from the standard', () => {
  it('reads the group header, account and balances', () => {
    // Prepare: the fixture. Act
    const statement = parseCamt053(handBuilt);

    // Assess
    expect(statement.messageType).toBe('camt.053.001.08');
    expect(statement.messageId).toBe('STMT-MSG-20261130-01');
    expect(statement.statementId).toBe('STMT-20261130-DE89');
    expect(statement.createdAt).toBe('2026-11-30T22:00:00+01:00');
    expect(statement.account).toEqual({ iban: 'DE89370400440532013000', other: null, currency: 'EUR' });
    expect(statement.opening).toEqual(eur('10000.00'));
    expect(statement.closing).toEqual(eur('10930.00'));
    expect(statement.entries.map((entry) => entry.entryRef)).toEqual([
      'NTRY-0001',
      'NTRY-0002',
      'BANKREF-0003',
      'NTRY-0004/1',
      'NTRY-0004/2',
      'NTRY-0005',
    ]);
  });

  it('reads every field of every entry, splitting the batch into its transfers', () => {
    // Prepare: the fixture. Act
    const entries = parseCamt053(handBuilt).entries;

    // Assess
    const expected: StatementEntry[] = [
      {
        entryRef: 'NTRY-0001',
        amount: eur('1250.00'),
        direction: 'DEBIT',
        status: 'BOOKED',
        bookingDate: '2026-11-30',
        valueDate: '2026-11-30',
        endToEndId: 'TG-PAY-0001',
        counterparty: { name: 'Nordwind Logistik GmbH', iban: 'FR1420041010050500013M02606' },
        remittance: { unstructured: ['INV-2026-0042'], creditorReference: null },
        bankReference: 'BANKREF-0001',
        reversal: false,
      },
      {
        entryRef: 'NTRY-0002',
        amount: eur('480.00'),
        direction: 'CREDIT',
        status: 'BOOKED',
        bookingDate: '2026-11-30',
        valueDate: '2026-11-30',
        endToEndId: null,
        counterparty: { name: 'Kestrel Retail Ltd', iban: 'GB29NWBK60161331926819' },
        remittance: { unstructured: [], creditorReference: 'RF18539007547034' },
        bankReference: 'BANKTX-0002',
        reversal: false,
      },
      {
        entryRef: 'BANKREF-0003',
        amount: eur('2000.00'),
        direction: 'CREDIT',
        status: 'BOOKED',
        bookingDate: '2026-11-30',
        valueDate: null,
        endToEndId: 'ALDER-20261129-7',
        counterparty: { name: 'Alder & Sons', iban: null },
        remittance: {
          unstructured: ['Payment for invoice AR-7731, thank you', 'Customer 88'],
          creditorReference: null,
        },
        bankReference: 'BANKREF-0003',
        reversal: false,
      },
      {
        entryRef: 'NTRY-0004/1',
        amount: eur('100.00'),
        direction: 'DEBIT',
        status: 'BOOKED',
        bookingDate: '2026-11-30',
        valueDate: '2026-12-01',
        endToEndId: 'TG-PAY-0002',
        counterparty: { name: 'Papierhaus Weber', iban: null },
        remittance: { unstructured: [], creditorReference: null },
        bankReference: 'BANKREF-0004',
        reversal: false,
      },
      {
        entryRef: 'NTRY-0004/2',
        amount: eur('200.00'),
        direction: 'DEBIT',
        status: 'BOOKED',
        bookingDate: '2026-11-30',
        valueDate: '2026-12-01',
        endToEndId: 'TG-PAY-0003',
        counterparty: { name: 'Kantine Sued', iban: null },
        remittance: { unstructured: [], creditorReference: null },
        bankReference: 'BANKREF-0004',
        reversal: false,
      },
      {
        entryRef: 'NTRY-0005',
        amount: eur('50.00'),
        direction: 'CREDIT',
        status: 'PENDING',
        bookingDate: '2026-12-01',
        valueDate: '2026-12-01',
        endToEndId: null,
        counterparty: { name: null, iban: null },
        remittance: { unstructured: [], creditorReference: null },
        bankReference: null,
        reversal: false,
      },
    ];
    expect(entries).toEqual(expected);
  });

  it('reads a statement whose elements carry a namespace prefix', () => {
    // Prepare
    const prefixed = handBuilt
      .replace('<Document xmlns=', '<camt:Document xmlns:camt=')
      .replace(/<(\/?)(?!\?|!|camt:Document)([A-Za-z])/g, '<$1camt:$2');

    // Act
    const statement = parseCamt053(prefixed);

    // Assess
    expect(statement.entries).toEqual(parseCamt053(handBuilt).entries);
  });
});

describe('parseCamt053 refuses a file that cannot be trusted whole', () => {
  it('refuses balances that the booked entries do not explain', () => {
    // Prepare
    const xml = handBuilt.replace('<Amt Ccy="EUR">10930.00</Amt>', '<Amt Ccy="EUR">10929.99</Amt>');

    // Act
    const { rule, message } = refusal(() => parseCamt053(xml));

    // Assess
    expect(rule).toBe('BALANCE_MISMATCH');
    expect(message).toMatch(/closing balance/);
  });

  it('refuses an entry in another currency than the account', () => {
    const xml = handBuilt.replace(
      '<Amt Ccy="EUR">480.00</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>',
      '<Amt Ccy="USD">480.00</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>',
    );
    expect(refusal(() => parseCamt053(xml)).rule).toBe('CURRENCY_MISMATCH');
  });

  it('refuses malformed XML', () => {
    expect(refusal(() => parseCamt053(handBuilt.replace('</Stmt>', ''))).rule).toBe('MALFORMED_XML');
    expect(refusal(() => parseCamt053('')).rule).toBe('MALFORMED_XML');
  });

  it('refuses the wrong message type or namespace', () => {
    expect(
      refusal(() => parseCamt053(handBuilt.replace('xsd:camt.053.001.08', 'xsd:camt.053.001.02'))).rule,
    ).toBe('MESSAGE_TYPE');
    expect(refusal(() => parseCamt054(handBuilt)).rule).toBe('MESSAGE_TYPE');
    expect(refusal(() => parseCamt053('<Invoice xmlns="urn:x"/>')).rule).toBe('MESSAGE_TYPE');
  });

  it('refuses zero amounts and more decimals than the currency has', () => {
    const zero = handBuilt.replace(/<Amt Ccy="EUR">1250.00<\/Amt>/g, '<Amt Ccy="EUR">0.00</Amt>');
    expect(refusal(() => parseCamt053(zero)).rule).toBe('AMOUNT_INVALID');
    const precise = handBuilt.replace(/<Amt Ccy="EUR">1250.00<\/Amt>/g, '<Amt Ccy="EUR">1250.001</Amt>');
    expect(refusal(() => parseCamt053(precise)).rule).toBe('AMOUNT_INVALID');
    const signed = handBuilt.replace(/<Amt Ccy="EUR">1250.00<\/Amt>/g, '<Amt Ccy="EUR">-1250.00</Amt>');
    expect(refusal(() => parseCamt053(signed)).rule).toBe('AMOUNT_INVALID');
  });

  it('refuses an entry without a credit/debit indicator', () => {
    const xml = handBuilt.replace(
      '<Amt Ccy="EUR">480.00</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>',
      '<Amt Ccy="EUR">480.00</Amt>',
    );
    expect(refusal(() => parseCamt053(xml)).rule).toBe('CREDIT_DEBIT_INDICATOR');
  });

  it('refuses dates that are not ISO', () => {
    expect(
      refusal(() => parseCamt053(handBuilt.replace('<Dt>2026-11-30</Dt>', '<Dt>30.11.2026</Dt>'))).rule,
    ).toBe('DATE_INVALID');
    expect(
      refusal(() => parseCamt053(handBuilt.replace('<Dt>2026-11-30</Dt>', '<Dt>2026-02-30</Dt>'))).rule,
    ).toBe('DATE_INVALID');
  });

  it('refuses duplicate entry references', () => {
    const xml = handBuilt.replace('<NtryRef>NTRY-0002</NtryRef>', '<NtryRef>NTRY-0001</NtryRef>');
    expect(refusal(() => parseCamt053(xml)).rule).toBe('DUPLICATE_ENTRY_REF');
  });

  it('refuses a batch whose transfers do not add up to the entry', () => {
    const xml = handBuilt.replace('<Amt Ccy="EUR">200.00</Amt>', '<Amt Ccy="EUR">199.99</Amt>');
    expect(refusal(() => parseCamt053(xml)).rule).toBe('BATCH_NOT_SPLITTABLE');
  });

  it('refuses a file with two statements rather than reading one of them', () => {
    const stmt = handBuilt.slice(
      handBuilt.indexOf('<Stmt>'),
      handBuilt.indexOf('</Stmt>') + '</Stmt>'.length,
    );
    const xml = handBuilt.replace('</Stmt>', `</Stmt>${stmt.replace('STMT-20261130-DE89', 'STMT-2')}`);
    expect(refusal(() => parseCamt053(xml)).rule).toBe('SINGLE_STATEMENT');
  });

  it('refuses a single transaction whose amount or side contradicts its entry', () => {
    const amount = handBuilt.replace(
      '<Amt Ccy="EUR">480.00</Amt>\n            <CdtDbtInd>CRDT',
      '<Amt Ccy="EUR">48.00</Amt>\n            <CdtDbtInd>CRDT',
    );
    expect(refusal(() => parseCamt053(amount)).rule).toBe('TRANSACTION_MISMATCH');
    const side = handBuilt.replace(
      '<Amt Ccy="EUR">480.00</Amt>\n            <CdtDbtInd>CRDT',
      '<Amt Ccy="EUR">480.00</Amt>\n            <CdtDbtInd>DBIT',
    );
    expect(refusal(() => parseCamt053(side)).rule).toBe('TRANSACTION_MISMATCH');
  });

  it('reads RvslInd as an xs:boolean and refuses anything else', () => {
    const reversed = (value: string) =>
      handBuilt.replace(
        '<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>',
        `<CdtDbtInd>CRDT</CdtDbtInd>\n        <RvslInd>${value}</RvslInd>\n        <Sts>`,
      );
    expect(parseCamt053(reversed('1')).entries[1]?.reversal).toBe(true);
    expect(parseCamt053(reversed('false')).entries[1]?.reversal).toBe(false);
    expect(refusal(() => parseCamt053(reversed('yes'))).rule).toBe('REVERSAL_INDICATOR');
  });

  it('refuses a statement with two closing balances', () => {
    const xml = handBuilt.replace('<Cd>OPBD</Cd>', '<Cd>CLBD</Cd>');
    expect(refusal(() => parseCamt053(xml)).rule).toBe('REPEATED_ELEMENT');
  });

  it('refuses a statement without a closing balance', () => {
    const xml = handBuilt.replace('<Cd>CLBD</Cd>', '<Cd>ITBD</Cd>');
    expect(refusal(() => parseCamt053(xml)).rule).toBe('BALANCE_MISSING');
  });

  it('does not expand nested entities (no entity-expansion bomb)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${handBuilt.replace('<?xml version="1.0" encoding="UTF-8"?>', '').replace('Nordwind Logistik GmbH', '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;')}`;
    const name = parseCamt053(bomb).entries[0]?.counterparty.name ?? '';
    expect(name.length).toBeLessThan(200);
  });

  it('reads numeric character references in names', () => {
    const xml = handBuilt.replace('Papierhaus Weber', 'Papierhaus M&#252;ller &#x26; Co');
    expect(parseCamt053(xml).entries[3]?.counterparty.name).toBe('Papierhaus Müller & Co');
  });
});

describe('buildCamt053', () => {
  const statementFor = (entries: StatementEntry[]): StatementInput => {
    const opening = eur('5000.00');
    return {
      messageId: 'SIM-MSG-1',
      statementId: 'SIM-STMT-1',
      account: { iban: 'DE89370400440532013000', other: null, currency: 'EUR' },
      createdAt: '2026-11-30T18:00:00Z',
      opening,
      closing: closingBalanceFor(opening, entries),
      entries,
    };
  };

  it('writes a statement that parseCamt053 reads back identically', () => {
    // Prepare: every field the reader knows, including text that must be escaped
    const source = parseCamt053(handBuilt).entries;
    const entries: StatementEntry[] = [
      ...source,
      {
        entryRef: 'SIM-STRAY',
        amount: eur('999.99'),
        direction: 'DEBIT',
        status: 'BOOKED',
        bookingDate: '2026-11-30',
        valueDate: null,
        endToEndId: null,
        counterparty: { name: 'Shell <Co> & "Partners"', iban: null },
        remittance: { unstructured: ['fees & charges < 1000'], creditorReference: 'NOT-AN-RF' },
        bankReference: null,
        reversal: true,
      },
    ];
    const input = statementFor(entries);

    // Act
    const parsed = parseCamt053(buildCamt053(input));

    // Assess
    expect(parsed).toEqual({ messageType: 'camt.053.001.08', ...input });
  });

  it('round-trips any statement it accepts, text that needs escaping included', () => {
    const text = (max: number) =>
      fc
        .stringMatching(new RegExp(`^[A-Za-z0-9ÀÖäßé&<>"' .,/()+:?-]{1,${max}}$`))
        .filter((value) => value.trim() === value && value !== 'NOTPROVIDED');
    const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-11-${String(d).padStart(2, '0')}`);
    const entry = fc.record({
      amount: fc.bigInt({ min: 1n, max: 10n ** 13n }),
      direction: fc.constantFrom('DEBIT' as const, 'CREDIT' as const),
      status: fc.constantFrom('BOOKED' as const, 'PENDING' as const, 'INFO' as const),
      bookingDate: day,
      valueDate: fc.option(day),
      endToEndId: fc.option(text(35)),
      name: fc.option(text(140)),
      iban: fc.option(fc.constantFrom('GB29NWBK60161331926819', 'FR1420041010050500013M02606')),
      unstructured: fc.array(text(140), { maxLength: 3 }),
      creditorReference: fc.option(fc.constantFrom('RF18539007547034', 'OWN-REF-1')),
      bankReference: fc.option(text(35)),
      reversal: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (generated) => {
        // Prepare
        const entries: StatementEntry[] = generated.map((g, index) => ({
          entryRef: `E-${index + 1}`,
          amount: { minor: g.amount, currency: 'EUR' },
          direction: g.direction,
          status: g.status,
          bookingDate: g.bookingDate,
          valueDate: g.valueDate,
          endToEndId: g.endToEndId,
          counterparty: { name: g.name, iban: g.iban },
          remittance: { unstructured: g.unstructured, creditorReference: g.creditorReference },
          bankReference: g.bankReference,
          reversal: g.reversal,
        }));
        const input = statementFor(entries);

        // Act
        const parsed = parseCamt053(buildCamt053(input));

        // Assess
        expect(parsed).toEqual({ messageType: 'camt.053.001.08', ...input });
      }),
      { numRuns: 60 },
    );
  });

  it('refuses to write text the reader could not give back as written', () => {
    const padded = { ...parseCamt053(handBuilt).entries[0]!, counterparty: { name: ' Padded ', iban: null } };
    expect(() => buildCamt053(statementFor([padded]))).toThrow(/leading or trailing spaces/);
    const control = { ...padded, counterparty: { name: 'Bell\u0007Co', iban: null } };
    expect(() => buildCamt053(statementFor([control]))).toThrow(/control characters/);
  });

  it('writes a debit balance with a DBIT indicator and reads it back negative', () => {
    const input = { ...statementFor([]), opening: eur('-10.00'), closing: eur('-10.00') };
    expect(parseCamt053(buildCamt053(input)).opening).toEqual(eur('-10.00'));
  });

  it('refuses to write balances the entries do not explain', () => {
    const input = { ...statementFor(parseCamt053(handBuilt).entries), closing: eur('1.00') };
    expect(refusal(() => buildCamt053(input)).rule).toBe('BALANCE_MISMATCH');
  });
});

describe('parseCamt054', () => {
  it('reads a notification, which has no balances', () => {
    // Prepare: the statement's body re-wrapped as a notification
    const xml = handBuilt
      .replace('xsd:camt.053.001.08', 'xsd:camt.054.001.08')
      .replaceAll('BkToCstmrStmt', 'BkToCstmrDbtCdtNtfctn')
      .replaceAll('<Stmt>', '<Ntfctn>')
      .replaceAll('</Stmt>', '</Ntfctn>')
      .replace(/<Bal>[\s\S]*?<\/Bal>/g, '')
      .replace(/<TxsSummry>[\s\S]*?<\/TxsSummry>/, '');

    // Act
    const notification = parseCamt054(xml);

    // Assess
    expect(notification.messageType).toBe('camt.054.001.08');
    expect(notification.statementId).toBe('STMT-20261130-DE89');
    expect(notification.opening).toBeNull();
    expect(notification.closing).toBeNull();
    expect(notification.entries).toEqual(parseCamt053(handBuilt).entries);
  });

  it('takes the account currency from the entries when Acct/Ccy is absent, and holds them to it', () => {
    const xml = `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-11-30T10:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N-1-1</Id><Acct><Id><Othr><Id>00123456</Id></Othr></Id></Acct>
<Ntry><Amt Ccy="JPY">1200</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-30</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="JPY">15</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-30</Dt></BookgDt></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;

    const notification = parseCamt054(xml);

    expect(notification.account).toEqual({ iban: null, other: '00123456', currency: 'JPY' });
    expect(notification.entries.map((entry) => [entry.entryRef, entry.amount.minor, entry.reversal])).toEqual(
      [
        ['N-1-1#1', 1200n, false],
        ['N-1-1#2', 15n, true],
      ],
    );
    expect(refusal(() => parseCamt054(xml.replace('"JPY">15<', '"EUR">15<'))).rule).toBe('CURRENCY_MISMATCH');
    expect(refusal(() => parseCamt054(xml.replace('>1200<', '>1200.5<'))).rule).toBe('AMOUNT_INVALID');
  });
});

describe('ISO 11649 creditor references', () => {
  it('accepts valid references in electronic and print form', () => {
    expect(isValidCreditorReference('RF18539007547034')).toBe(true);
    expect(isValidCreditorReference('RF18 5390 0754 7034')).toBe(true);
    expect(isValidCreditorReference('RF712348231')).toBe(true);
  });

  it('rejects wrong check digits, wrong prefix and over-long references', () => {
    expect(isValidCreditorReference('RF19539007547034')).toBe(false);
    expect(isValidCreditorReference('RG18539007547034')).toBe(false);
    expect(isValidCreditorReference('RF18')).toBe(false);
    expect(isValidCreditorReference(`RF00${'1'.repeat(22)}`)).toBe(false);
    expect(isValidCreditorReference('RF18-5390-0754-7034')).toBe(false);
  });

  it('makes references that validate, for any base of letters and digits', () => {
    expect(creditorReferenceFor('539007547034')).toBe('RF18539007547034');
    for (const base of ['AR7731', 'INV20260042', 'Z', 'A'.repeat(21), '000000000000000000001']) {
      expect(isValidCreditorReference(creditorReferenceFor(base))).toBe(true);
    }
    expect(() => creditorReferenceFor('INV-1')).toThrow(/letters or digits/);
    expect(() => creditorReferenceFor('A'.repeat(22))).toThrow(/letters or digits/);
  });
});
