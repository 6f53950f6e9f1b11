import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, money } from '#platform/core/money.ts';
import { buildPain001 } from '#runbooks/payment-run/core/bank-files/pain001.ts';
import type {
  Pain001Request,
  PaymentInstruction,
} from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import { readPain001 } from '#runbooks/payment-run/core/bank-files/read-pain001.ts';
import { ruleOf } from '../../../../support/bank-files/rules.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`../../../../support/bank-files/${name}`, import.meta.url), 'utf8');
}

function request(payments: PaymentInstruction[], overrides: Partial<Pain001Request> = {}): Pain001Request {
  return {
    messageId: 'TG0123456789ABCDEF',
    createdAt: new Date('2026-12-01T09:30:00Z'),
    requestedExecutionDate: '2026-12-02',
    paymentInfoId: 'TG0123456789ABCDEF-1',
    debtor: { name: 'Tollgate Demo BV', iban: 'NL91 ABNA 0417 1643 00', bic: 'ABNANL2A' },
    serviceLevel: 'SEPA',
    payments,
    ...overrides,
  };
}

describe('readPain001', () => {
  it('reads the hand-built SEPA fixture payment by payment', () => {
    // Act
    const file = readPain001(fixture('sepa-two-credits.pain001.xml'));

    // Assess
    expect(file).toEqual({
      format: 'pain.001.001.09',
      messageId: 'PR7F3K2Q',
      originatorName: 'Tollgate Demo BV',
      executionDate: '2026-12-02',
      payments: [
        {
          endToEndId: 'PR7F3K2Q-0001',
          amount: '1234.50',
          currency: 'EUR',
          creditor: {
            name: 'Acme Lieferungen GmbH',
            account: { kind: 'iban', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
          },
          remittance: ['INV-1001'],
          originatorAccount: 'NL91ABNA0417164300',
          paymentInfoId: 'PR7F3K2Q-EUR',
        },
        {
          endToEndId: 'PR7F3K2Q-0002',
          amount: '99.99',
          currency: 'EUR',
          creditor: { name: 'Globex SARL', account: { kind: 'iban', iban: 'FR1420041010050500013M02606' } },
          remittance: ['INV-1002'],
          originatorAccount: 'NL91ABNA0417164300',
          paymentInfoId: 'PR7F3K2Q-EUR',
        },
      ],
    });
  });

  it('reads several blocks, each with its own debtor account, and amounts in the currency form', () => {
    // Act
    const file = readPain001(fixture('two-blocks-usd.pain001.xml'));

    // Assess
    expect(file.messageId).toBe('HB-TWO-BLOCKS');
    expect(file.originatorName).toBe('Tollgate Treasury');
    expect(file.executionDate).toBe('2026-12-03');
    expect(
      file.payments.map((p) => [p.endToEndId, p.amount, p.currency, p.originatorAccount, p.paymentInfoId]),
    ).toEqual([
      ['HB-0001', '100.50', 'USD', 'NL91ABNA0417164300', 'HB-BLOCK-1'],
      ['HB-0002', '250.00', 'USD', 'NL91ABNA0417164300', 'HB-BLOCK-1'],
      ['HB-0003', '7.25', 'USD', 'GB29NWBK60161331926819', 'HB-BLOCK-2'],
    ]);
    expect(file.payments[0]?.creditor.name).toBe('Initech & Sons');
    expect(file.payments[0]?.remittance).toEqual(['INV-7', 'PO 4411']);
    expect(file.payments[1]?.creditor.account).toEqual({
      kind: 'iban',
      iban: 'FR1420041010050500013M02606',
      bic: 'GEBABEBB',
    });
    expect(file.payments[1]?.remittance).toEqual([]);
  });

  it('gives back what buildPain001 was given (SEPA names transliterated as written)', () => {
    // Prepare
    const payments: PaymentInstruction[] = [
      {
        endToEndId: 'PAY-1',
        amount: money('1.00', 'EUR'),
        creditor: { name: 'Müller Bau', account: { kind: 'iban', iban: 'DE89370400440532013000' } },
        remittance: 'RE 2026-17',
      },
      {
        endToEndId: 'PAY-2',
        amount: money('98765.43', 'EUR'),
        creditor: {
          name: 'Globex SARL',
          account: { kind: 'iban', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPP' },
        },
        remittance: '',
      },
    ];
    const { content } = buildPain001(request(payments));

    // Act
    const file = readPain001(content);

    // Assess
    expect(file.payments).toEqual([
      {
        endToEndId: 'PAY-1',
        amount: '1.00',
        currency: 'EUR',
        creditor: { name: 'Muller Bau', account: { kind: 'iban', iban: 'DE89370400440532013000' } },
        remittance: ['RE 2026-17'],
        originatorAccount: 'NL91ABNA0417164300',
        paymentInfoId: 'TG0123456789ABCDEF-1',
      },
      {
        endToEndId: 'PAY-2',
        amount: '98765.43',
        currency: 'EUR',
        creditor: {
          name: 'Globex SARL',
          account: { kind: 'iban', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPP' },
        },
        remittance: [],
        originatorAccount: 'NL91ABNA0417164300',
        paymentInfoId: 'TG0123456789ABCDEF-1',
      },
    ]);
  });

  it('round-trips any list of payments: ids, amounts and creditors come back in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9-]{1,35}$/), { minLength: 1, maxLength: 20 }),
        fc.array(fc.bigInt({ min: 1n, max: 99_999_999_999n }), { minLength: 20, maxLength: 20 }),
        fc.constantFrom('EUR', 'USD', 'JPY', 'KWD'),
        (ids, amounts, currency) => {
          const payments = ids.map((endToEndId, index) => ({
            endToEndId,
            amount: { minor: amounts[index] ?? 1n, currency },
            creditor: {
              name: `Vendor ${index}`,
              account: { kind: 'iban' as const, iban: 'BE68539007547034' },
            },
            remittance: `INV-${index}`,
          }));
          const { content } = buildPain001(request(payments, { serviceLevel: 'NURG' }));
          const file = readPain001(content);
          expect(file.payments.map((p) => [p.endToEndId, p.amount, p.currency, p.creditor.name])).toEqual(
            payments.map((p) => [p.endToEndId, formatMoney(p.amount), currency, p.creditor.name]),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reads nothing from a file the bank would reject, and says which rule it breaks', () => {
    // Prepare
    const badSum = fixture('sepa-two-credits.pain001.xml').replace(
      '<CtrlSum>1334.49</CtrlSum>\n   <InitgPty>',
      '<CtrlSum>1334.50</CtrlSum>\n   <InitgPty>',
    );

    // Act / Assess
    expect(ruleOf(() => readPain001(badSum))).toBe('GROUP_CTRL_SUM');
    expect(ruleOf(() => readPain001('not xml'))).toBe('MALFORMED_XML');
    expect(ruleOf(() => readPain001(''))).toBe('MALFORMED_XML');
  });
});
