import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import {
  buildPain001,
  PAIN001_NAMESPACE,
  toSepaLatin,
  validatePain001,
} from '#runbooks/payment-run/core/bank-files/pain001.ts';
import type {
  Pain001Request,
  PaymentInstruction,
} from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import { ruleOf } from '../../../../support/bank-files/rules.ts';

const FIXTURE = readFileSync(
  new URL('../../../../support/bank-files/sepa-two-credits.pain001.xml', import.meta.url),
  'utf8',
);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => name === 'CdtTrfTxInf',
});

function ibanPayment(overrides: Partial<PaymentInstruction> = {}, index = 1): PaymentInstruction {
  return {
    endToEndId: `PR7F3K2Q-${String(index).padStart(4, '0')}`,
    amount: money('10.00', 'EUR'),
    creditor: { name: 'Vendor', account: { kind: 'iban', iban: 'DE89370400440532013000' } },
    remittance: `INV-${index}`,
    ...overrides,
  };
}

function request(overrides: Partial<Pain001Request> = {}): Pain001Request {
  return {
    messageId: 'PR7F3K2Q',
    createdAt: new Date('2026-12-01T09:30:00.123Z'),
    requestedExecutionDate: '2026-12-02',
    paymentInfoId: 'PR7F3K2Q-EUR',
    debtor: { name: 'Tollgate Demo BV', iban: 'NL91 ABNA 0417 1643 00', bic: 'ABNANL2A' },
    serviceLevel: 'SEPA',
    payments: [
      {
        endToEndId: 'PR7F3K2Q-0001',
        amount: money('1234.50', 'EUR'),
        creditor: {
          name: 'Acme Lieferungen GmbH',
          account: { kind: 'iban', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' },
        },
        remittance: 'INV-1001',
      },
      {
        endToEndId: 'PR7F3K2Q-0002',
        amount: money('99.99', 'EUR'),
        creditor: { name: 'Globex SARL', account: { kind: 'iban', iban: 'FR1420041010050500013M02606' } },
        remittance: 'INV-1002',
      },
    ],
    ...overrides,
  };
}

const FIXTURE_SUMMARY = {
  format: 'pain.001.001.09',
  messageId: 'PR7F3K2Q',
  numberOfTransactions: 2,
  controlSum: { minor: 133449n, currency: 'EUR' },
  endToEndIds: ['PR7F3K2Q-0001', 'PR7F3K2Q-0002'],
};

describe('buildPain001', () => {
  it('writes each element the standard asks for, with the values given', () => {
    // Prepare
    const req = request();

    // Act
    const { content } = buildPain001(req);

    // Assess
    const document = parser.parse(content).Document;
    expect(document['@_xmlns']).toBe(PAIN001_NAMESPACE);
    const header = document.CstmrCdtTrfInitn.GrpHdr;
    expect(header).toEqual({
      MsgId: 'PR7F3K2Q',
      CreDtTm: '2026-12-01T09:30:00Z',
      NbOfTxs: '2',
      CtrlSum: '1334.49',
      InitgPty: { Nm: 'Tollgate Demo BV' },
    });
    const block = document.CstmrCdtTrfInitn.PmtInf;
    expect(block.PmtInfId).toBe('PR7F3K2Q-EUR');
    expect(block.PmtMtd).toBe('TRF');
    expect(block.NbOfTxs).toBe('2');
    expect(block.CtrlSum).toBe('1334.49');
    expect(block.PmtTpInf).toEqual({ SvcLvl: { Cd: 'SEPA' } });
    expect(block.ReqdExctnDt).toEqual({ Dt: '2026-12-02' });
    expect(block.Dbtr).toEqual({ Nm: 'Tollgate Demo BV' });
    expect(block.DbtrAcct).toEqual({ Id: { IBAN: 'NL91ABNA0417164300' } });
    expect(block.DbtrAgt).toEqual({ FinInstnId: { BICFI: 'ABNANL2A' } });
    expect(block.ChrgBr).toBe('SLEV');
    expect(block.CdtTrfTxInf).toEqual([
      {
        PmtId: { EndToEndId: 'PR7F3K2Q-0001' },
        Amt: { InstdAmt: { '@_Ccy': 'EUR', '#text': '1234.50' } },
        CdtrAgt: { FinInstnId: { BICFI: 'COBADEFFXXX' } },
        Cdtr: { Nm: 'Acme Lieferungen GmbH' },
        CdtrAcct: { Id: { IBAN: 'DE89370400440532013000' } },
        RmtInf: { Ustrd: 'INV-1001' },
      },
      {
        PmtId: { EndToEndId: 'PR7F3K2Q-0002' },
        Amt: { InstdAmt: { '@_Ccy': 'EUR', '#text': '99.99' } },
        Cdtr: { Nm: 'Globex SARL' },
        CdtrAcct: { Id: { IBAN: 'FR1420041010050500013M02606' } },
        RmtInf: { Ustrd: 'INV-1002' },
      },
    ]);
  });

  it('writes elements in schema sequence', () => {
    // Prepare
    const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false });
    const names = (nodes: Record<string, unknown>[]) =>
      nodes.map((node) => Object.keys(node).find((key) => key !== ':@'));

    // Act
    const tree = ordered.parse(buildPain001(request()).content);

    // Assess
    const message = tree[1].Document[0].CstmrCdtTrfInitn;
    expect(names(message)).toEqual(['GrpHdr', 'PmtInf']);
    expect(names(message[0].GrpHdr)).toEqual(['MsgId', 'CreDtTm', 'NbOfTxs', 'CtrlSum', 'InitgPty']);
    const block = message[1].PmtInf;
    expect(names(block)).toEqual([
      'PmtInfId',
      'PmtMtd',
      'NbOfTxs',
      'CtrlSum',
      'PmtTpInf',
      'ReqdExctnDt',
      'Dbtr',
      'DbtrAcct',
      'DbtrAgt',
      'ChrgBr',
      'CdtTrfTxInf',
      'CdtTrfTxInf',
    ]);
    expect(names(block[10].CdtTrfTxInf)).toEqual(['PmtId', 'Amt', 'CdtrAgt', 'Cdtr', 'CdtrAcct', 'RmtInf']);
  });

  it('says NOTPROVIDED for a debtor agent without BIC, and omits SEPA-only parts for NURG', () => {
    // Prepare
    const req = request({
      serviceLevel: 'NURG',
      debtor: { name: 'Tollgate Demo BV', iban: 'NL91ABNA0417164300' },
      payments: [ibanPayment({ remittance: '' })],
    });

    // Act
    const block = parser.parse(buildPain001(req).content).Document.CstmrCdtTrfInitn.PmtInf;

    // Assess
    expect(block.DbtrAgt).toEqual({ FinInstnId: { Othr: { Id: 'NOTPROVIDED' } } });
    expect(block.PmtTpInf).toEqual({ SvcLvl: { Cd: 'NURG' } });
    expect(block.ChrgBr).toBeUndefined();
    expect(block.CdtTrfTxInf[0].RmtInf).toBeUndefined();
  });

  it('writes a creditor id as an organisation identification', () => {
    // Prepare
    const account = { kind: 'iban' as const, iban: 'DE89370400440532013000' };
    const req = request({
      payments: [ibanPayment({ creditor: { name: 'Vendor', account, id: 'VEND-0042' } })],
    });

    // Act
    const block = parser.parse(buildPain001(req).content).Document.CstmrCdtTrfInitn.PmtInf;

    // Assess
    expect(block.CdtTrfTxInf[0].Cdtr).toEqual({ Nm: 'Vendor', Id: { OrgId: { Othr: { Id: 'VEND-0042' } } } });
  });

  it('writes amounts with the currency’s own decimals: JPY none, KWD three', () => {
    // Prepare
    const yen = request({ serviceLevel: 'NURG', payments: [ibanPayment({ amount: money('1500', 'JPY') })] });
    const dinar = request({
      serviceLevel: 'NURG',
      payments: [ibanPayment({ amount: money('12.345', 'KWD') })],
    });

    // Act
    const yenBlock = parser.parse(buildPain001(yen).content).Document.CstmrCdtTrfInitn.PmtInf;
    const dinarBlock = parser.parse(buildPain001(dinar).content).Document.CstmrCdtTrfInitn.PmtInf;

    // Assess
    expect(yenBlock.CdtTrfTxInf[0].Amt.InstdAmt['#text']).toBe('1500');
    expect(yenBlock.CtrlSum).toBe('1500');
    expect(dinarBlock.CdtTrfTxInf[0].Amt.InstdAmt['#text']).toBe('12.345');
  });

  it('round-trips: the summary of a built file equals what the validator reads', () => {
    // Prepare
    const req = request();

    // Act
    const built = buildPain001(req);

    // Assess
    expect(built.summary).toEqual(FIXTURE_SUMMARY);
    expect(validatePain001(built.content)).toEqual(built.summary);
  });

  it('transliterates accented Latin letters for SEPA', () => {
    // Prepare
    const req = request({
      payments: [
        ibanPayment({
          creditor: { name: 'Müller Straße Œuvre Ångström', account: ibanPayment().creditor.account },
        }),
      ],
    });

    // Act
    const block = parser.parse(buildPain001(req).content).Document.CstmrCdtTrfInitn.PmtInf;

    // Assess
    expect(block.CdtTrfTxInf[0].Cdtr.Nm).toBe('Muller Strasse OEuvre Angstrom');
    expect(toSepaLatin('Łódź')).toBe('Lodz');
  });

  it('refuses bad input whole', () => {
    // Prepare
    const iban = { kind: 'iban' as const, iban: 'DE89370400440532013000' };
    const cases: [string, Pain001Request][] = [
      ['NO_PAYMENTS', request({ payments: [] })],
      [
        'MIXED_CURRENCY',
        request({
          serviceLevel: 'NURG',
          payments: [ibanPayment({}, 1), ibanPayment({ amount: money('1.00', 'USD') }, 2)],
        }),
      ],
      ['AMOUNT_NOT_POSITIVE', request({ payments: [ibanPayment({ amount: money('0.00', 'EUR') })] })],
      ['AMOUNT_NOT_POSITIVE', request({ payments: [ibanPayment({ amount: money('-5.00', 'EUR') })] })],
      ['DUPLICATE_END_TO_END_ID', request({ payments: [ibanPayment({}, 7), ibanPayment({}, 7)] })],
      ['END_TO_END_ID_FORMAT', request({ payments: [ibanPayment({ endToEndId: 'X'.repeat(36) })] })],
      ['END_TO_END_ID_FORMAT', request({ payments: [ibanPayment({ endToEndId: 'PR 1' })] })],
      [
        'IBAN_CHECK',
        request({
          payments: [
            ibanPayment({
              creditor: { name: 'V', account: { kind: 'iban', iban: 'DE00370400440532013000' } },
            }),
          ],
        }),
      ],
      ['IBAN_CHECK', request({ debtor: { name: 'D', iban: 'GB82WEST12345698765433' } })],
      [
        'BIC_FORMAT',
        request({
          payments: [ibanPayment({ creditor: { name: 'V', account: { ...iban, bic: 'COBADE' } } })],
        }),
      ],
      ['BIC_FORMAT', request({ debtor: { name: 'D', iban: 'NL91ABNA0417164300', bic: 'abnanl2a' } })],
      ['FIELD_LENGTH', request({ payments: [ibanPayment({ remittance: 'X'.repeat(141) })] })],
      [
        'FIELD_LENGTH',
        request({ payments: [ibanPayment({ creditor: { name: 'N'.repeat(71), account: iban } })] }),
      ],
      [
        'FIELD_LENGTH',
        request({
          serviceLevel: 'NURG',
          payments: [ibanPayment({ creditor: { name: 'N'.repeat(141), account: iban } })],
        }),
      ],
      ['FIELD_LENGTH', request({ messageId: 'M'.repeat(36) })],
      ['FIELD_LENGTH', request({ payments: [ibanPayment({ creditor: { name: '   ', account: iban } })] })],
      [
        'SEPA_CHARSET',
        request({ payments: [ibanPayment({ creditor: { name: 'Smith & Sons', account: iban } })] }),
      ],
      ['SEPA_CHARSET', request({ payments: [ibanPayment({ remittance: 'Счёт 12' })] })],
      ['SEPA_IDENTIFIER', request({ paymentInfoId: 'PR//EUR' })],
      ['SEPA_CURRENCY', request({ payments: [ibanPayment({ amount: money('10.00', 'USD') })] })],
      [
        'CHARACTER_SET',
        request({
          serviceLevel: 'NURG',
          payments: [ibanPayment({ creditor: { name: 'Acme\nIBAN', account: iban } })],
        }),
      ],
      [
        'ACCOUNT_KIND',
        request({
          payments: [
            ibanPayment({
              creditor: {
                name: 'V',
                account: {
                  kind: 'ach',
                  routingNumber: '011000015',
                  accountNumber: '1',
                  accountType: 'checking',
                },
              },
            }),
          ],
        }),
      ],
      ['DATE_FORMAT', request({ requestedExecutionDate: '2026-13-01' })],
      ['DATE_TIME_FORMAT', request({ createdAt: new Date('not a date') })],
    ];

    // Act
    const rules = cases.map(([, req]) => ruleOf(() => buildPain001(req)));

    // Assess
    expect(rules).toEqual(cases.map(([rule]) => rule));
  });

  it('escapes XML in creditor name and remittance, which round-trip as text', () => {
    // Prepare
    const name = '</Nm></Cdtr><CdtrAcct><Id><IBAN>GB82WEST12345698765432</IBAN></Id></CdtrAcct><Cdtr><Nm>X';
    const remittance = '<![CDATA[x]]> &amp; "quoted" \'single\' <!-- c -->';
    const req = request({
      serviceLevel: 'NURG',
      payments: [ibanPayment({ creditor: { name, account: ibanPayment().creditor.account }, remittance })],
    });

    // Act
    const { content, summary } = buildPain001(req);

    // Assess
    const transaction = parser.parse(content).Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf;
    expect(transaction).toHaveLength(1);
    expect(transaction[0].Cdtr.Nm).toBe(name);
    expect(transaction[0].CdtrAcct.Id.IBAN).toBe('DE89370400440532013000');
    expect(transaction[0].RmtInf.Ustrd).toBe(remittance);
    expect(content).not.toContain('<IBAN>GB82');
    expect(validatePain001(content)).toEqual(summary);
  });
});

describe('validatePain001', () => {
  it('reads the hand-built SEPA file', () => {
    // Prepare / Act
    const summary = validatePain001(FIXTURE);

    // Assess
    expect(summary).toEqual(FIXTURE_SUMMARY);
  });

  /** The fixture with its first occurrence of `find` replaced; fails the test if `find` is absent. */
  const tamper = (find: string, replace: string): string => {
    expect(FIXTURE).toContain(find);
    return FIXTURE.replace(find, replace);
  };
  /** The same replacement, made inside the payment-information block rather than the group header. */
  const inBlock = (find: string, replace: string): string => {
    const [head, block] = FIXTURE.split('<PmtInf>') as [string, string];
    expect(block).toContain(find);
    return `${head}<PmtInf>${block.replace(find, replace)}`;
  };
  const nurg = (xml: string) => xml.replace('<Cd>SEPA</Cd>', '<Cd>NURG</Cd>');

  // [rule, tampered file]: each names one way a bank would reject the file.
  const tampered: [string, () => string][] = [
    ['MALFORMED_XML', () => tamper('</Dbtr>', '</Dbtor>')],
    [
      'MALFORMED_XML',
      () => '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn>',
    ],
    ['MALFORMED_XML', () => ''],
    ['DOCTYPE_NOT_ALLOWED', () => tamper('<Document', '<!DOCTYPE Document [<!ENTITY x "y">]><Document')],
    ['ROOT_ELEMENT', () => FIXTURE.replaceAll('Document', 'Doc')],
    ['NAMESPACE', () => tamper('xsd:pain.001.001.09', 'xsd:pain.001.001.03')],
    ['MESSAGE_TYPE', () => FIXTURE.replaceAll('CstmrCdtTrfInitn', 'FIToFICstmrCdtTrf')],
    ['MISSING_ELEMENT', () => tamper('<MsgId>PR7F3K2Q</MsgId>', '')],
    ['MISSING_ELEMENT', () => tamper('<DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct>', '')],
    ['MISSING_ELEMENT', () => tamper('<Cdtr><Nm>Globex SARL</Nm></Cdtr>', '')],
    ['REPEATED_ELEMENT', () => tamper('<MsgId>PR7F3K2Q</MsgId>', '<MsgId>PR7F3K2Q</MsgId><MsgId>B</MsgId>')],
    ['UNEXPECTED_CONTENT', () => tamper('<Nm>Globex SARL</Nm>', '<Nm><B>Globex</B></Nm>')],
    ['GROUP_CTRL_SUM', () => tamper('<CtrlSum>1334.49</CtrlSum>', '<CtrlSum>1334.50</CtrlSum>')],
    ['PMTINF_CTRL_SUM', () => inBlock('<CtrlSum>1334.49</CtrlSum>', '<CtrlSum>1334.48</CtrlSum>')],
    ['GROUP_NB_OF_TXS', () => tamper('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>3</NbOfTxs>')],
    ['PMTINF_NB_OF_TXS', () => inBlock('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>1</NbOfTxs>')],
    ['NUMERIC_FORMAT', () => tamper('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>two</NbOfTxs>')],
    ['AMOUNT_FORMAT', () => tamper('>1234.50<', '>1,234.50<')],
    ['AMOUNT_FORMAT', () => tamper('>99.99<', '>-99.99<')],
    ['AMOUNT_FORMAT', () => tamper('<CtrlSum>1334.49</CtrlSum>', '<CtrlSum>1.3e3</CtrlSum>')],
    ['AMOUNT_DECIMALS', () => tamper('>1234.50<', '>1234.500<')],
    ['AMOUNT_DECIMALS', () => nurg(FIXTURE.replaceAll('Ccy="EUR"', 'Ccy="JPY"'))],
    ['AMOUNT_NOT_POSITIVE', () => tamper('>99.99<', '>0.00<')],
    ['AMOUNT_TOO_LARGE', () => tamper('>99.99<', '>1234567890123456789<')],
    ['CURRENCY_CODE', () => tamper('Ccy="EUR">99.99', 'Ccy="eur">99.99')],
    ['MISSING_ELEMENT', () => tamper('<InstdAmt Ccy="EUR">99.99', '<InstdAmt>99.99')],
    ['MIXED_CURRENCY', () => nurg(tamper('Ccy="EUR">99.99', 'Ccy="USD">99.99'))],
    ['SEPA_CURRENCY', () => FIXTURE.replaceAll('Ccy="EUR"', 'Ccy="USD"')],
    ['IBAN_CHECK', () => tamper('DE89370400440532013000', 'DE88370400440532013000')],
    ['IBAN_CHECK', () => tamper('NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00')],
    ['BIC_FORMAT', () => tamper('COBADEFFXXX', 'COBADEFFXX')],
    ['BIC_FORMAT', () => tamper('ABNANL2A', 'ABNA-NL2A')],
    ['FIELD_LENGTH', () => tamper('PR7F3K2Q-0002', `PR7F3K2Q-${'0'.repeat(27)}`)],
    ['FIELD_LENGTH', () => tamper('Globex SARL', 'G'.repeat(71))],
    ['FIELD_LENGTH', () => nurg(tamper('Globex SARL', 'G'.repeat(141)))],
    ['FIELD_LENGTH', () => tamper('<Ustrd>INV-1002</Ustrd>', `<Ustrd>${'U'.repeat(141)}</Ustrd>`)],
    ['DATE_FORMAT', () => tamper('<Dt>2026-12-02</Dt>', '<Dt>2026-02-30</Dt>')],
    ['DATE_FORMAT', () => tamper('<Dt>2026-12-02</Dt>', '<Dt>02.12.2026</Dt>')],
    ['DATE_TIME_FORMAT', () => tamper('2026-12-01T09:30:00Z', '2026-12-01 09:30:00')],
    ['DATE_TIME_FORMAT', () => tamper('2026-12-01T09:30:00Z', '2026-12-01T24:30:00Z')],
    ['DUPLICATE_END_TO_END_ID', () => tamper('PR7F3K2Q-0002', 'PR7F3K2Q-0001')],
    ['PAYMENT_METHOD', () => tamper('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>CHK</PmtMtd>')],
    ['CHARGE_BEARER', () => tamper('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>OUR</ChrgBr>')],
    ['SEPA_CHARGE_BEARER', () => tamper('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>SHAR</ChrgBr>')],
    ['SEPA_CHARSET', () => tamper('Globex SARL', 'Globex &amp; Cie')],
    ['SEPA_IDENTIFIER', () => tamper('<EndToEndId>PR7F3K2Q-0002', '<EndToEndId>/PR7F3K2Q-0002')],
    ['CHARACTER_SET', () => nurg(tamper('Globex SARL', 'Globex\u0007SARL'))],
    ['CHARACTER_SET', () => nurg(tamper('Globex SARL', 'Globex\u0085SARL'))],
  ];

  it.each(tampered)('refuses with %s', (rule, file) => {
    // Prepare / Act / Assess
    expect(ruleOf(() => validatePain001(file()))).toBe(rule);
  });

  it('accepts the same file without SEPA rules when the service level is not SEPA', () => {
    // Prepare
    const file = nurg(tamper('Globex SARL', 'Globex &amp; Cie')).replace('<ChrgBr>SLEV</ChrgBr>', '');

    // Act / Assess
    expect(validatePain001(file)).toEqual(FIXTURE_SUMMARY);
  });

  it('decodes character references as the text they stand for', () => {
    // Prepare: &#233; is é, which SEPA then refuses; a NURG file carries it
    const sepa = tamper('Globex SARL', 'Soci&#233;t&#xE9; Globex');
    const other = nurg(sepa);

    // Act / Assess
    expect(ruleOf(() => validatePain001(sepa))).toBe('SEPA_CHARSET');
    expect(validatePain001(other)).toEqual(FIXTURE_SUMMARY);
  });

  /** The fixture with its payment-information block twice; the second gets its own ids and, optionally, currency. */
  const twoBlocks = (secondCurrency = 'EUR'): string => {
    const start = FIXTURE.indexOf('<PmtInf>');
    const end = FIXTURE.indexOf('</PmtInf>') + '</PmtInf>'.length;
    const second = FIXTURE.slice(start, end)
      .replaceAll('PR7F3K2Q-000', 'PR7F3K2Q-100')
      .replace('PR7F3K2Q-EUR', 'PR7F3K2Q-EUR2')
      .replaceAll('Ccy="EUR"', `Ccy="${secondCurrency}"`)
      .replace('<Cd>SEPA</Cd>', '<Cd>NURG</Cd>');
    return `${FIXTURE.slice(0, end)}${second}${FIXTURE.slice(end)}`
      .replace('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>4</NbOfTxs>')
      .replace('<CtrlSum>1334.49</CtrlSum>', '<CtrlSum>2668.98</CtrlSum>');
  };

  it('adds up several payment-information blocks at group level', () => {
    // Prepare
    const file = twoBlocks();

    // Act
    const summary = validatePain001(file);

    // Assess
    expect(summary.numberOfTransactions).toBe(4);
    expect(summary.controlSum).toEqual(money('2668.98', 'EUR'));
    expect(summary.endToEndIds).toEqual(['PR7F3K2Q-0001', 'PR7F3K2Q-0002', 'PR7F3K2Q-1001', 'PR7F3K2Q-1002']);
  });

  it('refuses blocks in different currencies in one file', () => {
    // Prepare
    const file = twoBlocks('USD');

    // Act / Assess
    expect(ruleOf(() => validatePain001(file))).toBe('MIXED_CURRENCY');
  });

  it('reads JPY without decimals', () => {
    // Prepare
    const file = nurg(FIXTURE.replaceAll('Ccy="EUR"', 'Ccy="JPY"'))
      .replace('>1234.50<', '>1234<')
      .replace('>99.99<', '>100<')
      .replaceAll('<CtrlSum>1334.49</CtrlSum>', '<CtrlSum>1334</CtrlSum>');

    // Act
    const summary = validatePain001(file);

    // Assess
    expect(summary.controlSum).toEqual(money('1334', 'JPY'));
  });
});
