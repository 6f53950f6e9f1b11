import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import { buildNacha, validateNacha } from '#runbooks/payment-run/core/bank-files/nacha.ts';
import type { NachaRequest, PaymentInstruction } from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import { ruleOf, withColumns } from '../../../../support/bank-files/rules.ts';

/**
 * The fixture was written field by field from the NACHA record layouts (see the file for the
 * records). Hand-computed controls:
 * - entry hash = 01100001 + 02100002 = 03200003 → "0003200003"
 * - total credit = 123450 + 9999 cents = 133449 → "000000133449"
 * - entry/addenda count = 2 entries + 2 addenda = 4
 * - 8 records → 1 block of 10, filled with 2 all-9 records
 */
const FIXTURE = readFileSync(
  new URL('../../../../support/bank-files/two-credits-ccd.ach', import.meta.url),
  'utf8',
);

function achPayment(overrides: Partial<PaymentInstruction> = {}, index = 1): PaymentInstruction {
  return {
    endToEndId: `PR7F3K2Q-${String(index).padStart(4, '0')}`,
    amount: money('10.00', 'USD'),
    creditor: {
      name: 'Vendor',
      account: {
        kind: 'ach',
        routingNumber: '011000015',
        accountNumber: '123456789',
        accountType: 'checking',
      },
    },
    remittance: '',
    ...overrides,
  };
}

function request(overrides: Partial<NachaRequest> = {}): NachaRequest {
  return {
    createdAt: new Date('2026-12-01T09:30:00Z'),
    fileIdModifier: 'A',
    immediateDestination: '011000015',
    immediateDestinationName: 'First Example Bank',
    immediateOrigin: '1234567890',
    immediateOriginName: 'Tollgate Demo Co',
    company: {
      name: 'Tollgate Demo Co',
      id: '1234567890',
      entryDescription: 'Vendor Pay',
      originatingDfi: '01100001',
    },
    secCode: 'CCD',
    effectiveEntryDate: '2026-12-02',
    payments: [
      {
        endToEndId: 'PR7F3K2Q-0001',
        amount: money('1234.50', 'USD'),
        creditor: {
          name: 'Acme Supplies Inc',
          account: {
            kind: 'ach',
            routingNumber: '011000015',
            accountNumber: '123456789',
            accountType: 'checking',
          },
        },
        remittance: 'INV-1001',
      },
      {
        endToEndId: 'PR7F3K2Q-0002',
        amount: money('99.99', 'USD'),
        creditor: {
          name: 'Globex Corporation',
          account: {
            kind: 'ach',
            routingNumber: '021000021',
            accountNumber: '987654321',
            accountType: 'savings',
          },
        },
        remittance: 'INV-1002',
      },
    ],
    ...overrides,
  };
}

const FIXTURE_SUMMARY = {
  format: 'nacha',
  messageId: '1234567890:2612010930A',
  numberOfTransactions: 2,
  controlSum: { minor: 133449n, currency: 'USD' },
  endToEndIds: ['PR7F3K2Q-0001', 'PR7F3K2Q-0002'],
};

describe('buildNacha', () => {
  it('writes the hand-built two-entry CCD file record for record', () => {
    // Prepare
    const req = request();

    // Act
    const { content, summary } = buildNacha(req);

    // Assess
    expect(content.split('\n')).toEqual(FIXTURE.split('\n'));
    expect(summary).toEqual(FIXTURE_SUMMARY);
  });

  it('writes every record at 94 characters and fills to a multiple of 10 records', () => {
    // Prepare
    const req = request({ payments: [achPayment({}, 1), achPayment({}, 2), achPayment({}, 3)] });

    // Act
    const lines = buildNacha(req).content.trimEnd().split('\n');

    // Assess
    expect(lines).toHaveLength(10);
    expect(lines.every((line) => line.length === 94)).toBe(true);
    expect(lines.slice(7)).toEqual(['9'.repeat(94), '9'.repeat(94), '9'.repeat(94)]);
  });

  it('adds no fill when the records already make a whole block', () => {
    // Prepare: 4 header/control records + 6 entries without addenda = 10
    const req = request({ payments: [1, 2, 3, 4, 5, 6].map((index) => achPayment({}, index)) });

    // Act
    const lines = buildNacha(req).content.trimEnd().split('\n');

    // Assess
    expect(lines).toHaveLength(10);
    expect(lines[9]!.startsWith('9000001000001000000060')).toBe(true);
  });

  it('writes PPD remittance as plain text and an entry without remittance with indicator 0', () => {
    // Prepare
    const req = request({
      secCode: 'PPD',
      payments: [achPayment({ remittance: 'Invoice 77' }, 1), achPayment({ remittance: '' }, 2)],
    });

    // Act
    const lines = buildNacha(req).content.split('\n');

    // Assess
    expect(lines[1]!.slice(50, 53)).toBe('PPD');
    expect(lines[2]!.slice(78, 79)).toBe('1');
    expect(lines[3]!.slice(3, 83).trimEnd()).toBe('Invoice 77');
    expect(lines[4]!.slice(78, 79)).toBe('0');
    expect(lines[5]!.startsWith('8')).toBe(true);
  });

  it('keeps only the last 10 digits of an entry hash that overflows', () => {
    // Prepare: 101 entries to routing 999999992 → 101 × 99999999 = 10099999899, last 10 digits 0099999899
    const routing = {
      kind: 'ach' as const,
      routingNumber: '999999992',
      accountNumber: '1',
      accountType: 'checking' as const,
    };
    const payments = Array.from({ length: 101 }, (_, index) =>
      achPayment({ creditor: { name: 'Vendor', account: routing } }, index + 1),
    );

    // Act
    const lines = buildNacha(request({ payments })).content.split('\n');

    // Assess
    const batchControl = lines.find((line) => line.startsWith('8'))!;
    expect(batchControl.slice(10, 20)).toBe('0099999899');
  });

  it('round-trips: the summary of a built file equals what the validator reads', () => {
    // Prepare
    const req = request({ batchNumber: 42, secCode: 'PPD' });

    // Act
    const built = buildNacha(req);

    // Assess
    expect(validateNacha(built.content)).toEqual(built.summary);
    expect(built.summary.controlSum).toEqual(money('1334.49', 'USD'));
  });

  it('refuses bad input whole', () => {
    // Prepare
    const cases: [string, NachaRequest][] = [
      ['NO_PAYMENTS', request({ payments: [] })],
      ['DUPLICATE_END_TO_END_ID', request({ payments: [achPayment({}, 1), achPayment({}, 1)] })],
      ['AMOUNT_NOT_POSITIVE', request({ payments: [achPayment({ amount: money('0', 'USD') })] })],
      ['AMOUNT_TOO_LARGE', request({ payments: [achPayment({ amount: money('100000000.00', 'USD') })] })],
      ['NACHA_CURRENCY', request({ payments: [achPayment({ amount: money('10.00', 'EUR') })] })],
      [
        'ACCOUNT_KIND',
        request({
          payments: [
            achPayment({
              creditor: { name: 'X', account: { kind: 'iban', iban: 'DE89370400440532013000' } },
            }),
          ],
        }),
      ],
      [
        'ROUTING_CHECK_DIGIT',
        request({
          payments: [
            achPayment({
              creditor: {
                name: 'X',
                account: {
                  kind: 'ach',
                  routingNumber: '011000016',
                  accountNumber: '1',
                  accountType: 'checking',
                },
              },
            }),
          ],
        }),
      ],
      [
        'ACCOUNT_NUMBER_FORMAT',
        request({
          payments: [
            achPayment({
              creditor: {
                name: 'X',
                account: {
                  kind: 'ach',
                  routingNumber: '011000015',
                  accountNumber: '1234 5678',
                  accountType: 'checking',
                },
              },
            }),
          ],
        }),
      ],
      ['END_TO_END_ID_FORMAT', request({ payments: [achPayment({ endToEndId: 'PR7F3K2Q-0001-XY' })] })],
      ['ROUTING_CHECK_DIGIT', request({ immediateDestination: '011000010' })],
      ['FIELD_FORMAT', request({ immediateOrigin: '123456789' })],
      ['FIELD_FORMAT', request({ fileIdModifier: 'a' })],
      ['DATE_FORMAT', request({ effectiveEntryDate: '2026-02-30' })],
      [
        'FIELD_LENGTH',
        request({
          company: {
            name: 'T',
            id: '1234567890',
            entryDescription: 'VENDOR PAYS',
            originatingDfi: '01100001',
          },
        }),
      ],
      ['FIELD_LENGTH', request({ payments: [achPayment({ remittance: 'X'.repeat(81) })] })],
    ];

    // Act
    const rules = cases.map(([, req]) => ruleOf(() => buildNacha(req)));

    // Assess
    expect(rules).toEqual(cases.map(([rule]) => rule));
  });

  describe('field injection', () => {
    it('refuses a line break in a name, which would split the record', () => {
      // Prepare
      const req = request({
        payments: [achPayment({ creditor: { ...achPayment().creditor, name: 'ACME\n622011000015999' } })],
      });

      // Act / Assess
      expect(ruleOf(() => buildNacha(req))).toBe('NACHA_CHARSET');
    });

    it('refuses non-ASCII and control characters in remittance', () => {
      // Prepare
      const accented = request({ secCode: 'PPD', payments: [achPayment({ remittance: 'Café invoice' })] });
      const tab = request({ secCode: 'PPD', payments: [achPayment({ remittance: 'INV\t1' })] });

      // Act / Assess
      expect(ruleOf(() => buildNacha(accented))).toBe('NACHA_CHARSET');
      expect(ruleOf(() => buildNacha(tab))).toBe('NACHA_CHARSET');
    });

    it('refuses X12 delimiters in a CCD remittance, which would end the RMR segment', () => {
      // Prepare
      const req = request({ payments: [achPayment({ remittance: 'INV-1*RMR*IV*FAKE\\' })] });

      // Act / Assess
      expect(ruleOf(() => buildNacha(req))).toBe('NACHA_CHARSET');
    });

    it('truncates an over-long name to its field so no later field moves', () => {
      // Prepare: a name crafted to overwrite the addenda indicator and trace number if it spilled over
      const name = `${'A'.repeat(22)}1999999999999999`;
      const req = request({ payments: [achPayment({ creditor: { ...achPayment().creditor, name } })] });

      // Act
      const { content } = buildNacha(req);

      // Assess
      const entry = content.split('\n')[2]!;
      expect(entry).toHaveLength(94);
      expect(entry.slice(54, 76)).toBe('A'.repeat(22));
      expect(entry.slice(78, 79)).toBe('0');
      expect(entry.slice(79, 94)).toBe('011000010000001');
    });
  });
});

describe('validateNacha', () => {
  it('reads the hand-built file', () => {
    // Prepare / Act
    const summary = validateNacha(FIXTURE);

    // Assess
    expect(summary).toEqual(FIXTURE_SUMMARY);
  });

  it('accepts CRLF line endings and a file without a final newline', () => {
    // Prepare
    const crlf = FIXTURE.replaceAll('\n', '\r\n');
    const bare = FIXTURE.trimEnd();

    // Act / Assess
    expect(validateNacha(crlf)).toEqual(FIXTURE_SUMMARY);
    expect(validateNacha(bare)).toEqual(FIXTURE_SUMMARY);
  });

  const lines = FIXTURE.trimEnd().split('\n');
  // Drops one record and adds a fill record, so blocking still holds and the next rule is reached.
  const without = (index: number) =>
    `${[...lines.filter((_, at) => at !== index), '9'.repeat(94)].join('\n')}\n`;
  const swap = (a: number, b: number) => {
    const copy = [...lines];
    [copy[a], copy[b]] = [copy[b]!, copy[a]!];
    return `${copy.join('\n')}\n`;
  };

  // [rule, tampered file]: each names one way a bank would reject the file.
  const tampered: [string, string][] = [
    ['EMPTY_FILE', ''],
    ['RECORD_LENGTH', FIXTURE.replace('VENDOR PAY      261202', 'VENDOR PAY     261202')],
    ['NACHA_CHARSET', withColumns(FIXTURE, 3, 55, 'ÄCME')],
    ['BLOCKING', `${lines.slice(0, 8).join('\n')}\n`],
    ['BLOCK_FILL', withColumns(FIXTURE, 10, 1, '8')],
    ['RECORD_ORDER', swap(0, 1)],
    ['RECORD_ORDER', swap(2, 3)],
    ['FILE_HEADER', withColumns(FIXTURE, 1, 38, '11')],
    ['FILE_HEADER', withColumns(FIXTURE, 1, 35, '095')],
    ['FIELD_FORMAT', withColumns(FIXTURE, 1, 34, 'a')],
    ['ROUTING_CHECK_DIGIT', withColumns(FIXTURE, 1, 5, '011000016')],
    ['DATE_FORMAT', withColumns(FIXTURE, 1, 24, '261332')],
    ['SERVICE_CLASS', withColumns(FIXTURE, 2, 2, '225')],
    ['SEC_CODE', withColumns(FIXTURE, 2, 51, 'WEB')],
    ['TRANSACTION_CODE', withColumns(FIXTURE, 3, 2, '27')],
    ['ROUTING_CHECK_DIGIT', withColumns(FIXTURE, 3, 12, '6')],
    ['NUMERIC_FIELD', withColumns(FIXTURE, 3, 30, '00001234O0')],
    ['AMOUNT_NOT_POSITIVE', withColumns(FIXTURE, 3, 30, '0000000000')],
    ['DUPLICATE_END_TO_END_ID', withColumns(FIXTURE, 5, 40, 'PR7F3K2Q-0001')],
    ['TRACE_NUMBER', withColumns(FIXTURE, 5, 80, '01100002')],
    ['TRACE_NUMBER', withColumns(FIXTURE, 5, 88, '0000001')],
    ['ADDENDA_MISSING', without(3)],
    ['RECORD_ORDER', withColumns(FIXTURE, 3, 79, '0')],
    ['ADDENDA_TYPE', withColumns(FIXTURE, 4, 2, '98')],
    ['ADDENDA_SEQUENCE', withColumns(FIXTURE, 4, 84, '0002')],
    ['ADDENDA_SEQUENCE', withColumns(FIXTURE, 4, 88, '0000009')],
    ['BATCH_SERVICE_CLASS', withColumns(FIXTURE, 7, 2, '225')],
    ['BATCH_ENTRY_COUNT', withColumns(FIXTURE, 7, 5, '000003')],
    ['BATCH_ENTRY_HASH', withColumns(FIXTURE, 7, 11, '0003200004')],
    ['BATCH_TOTAL_DEBIT', withColumns(FIXTURE, 7, 21, '000000000001')],
    ['BATCH_TOTAL_CREDIT', withColumns(FIXTURE, 7, 33, '000000133450')],
    ['BATCH_COMPANY_ID', withColumns(FIXTURE, 7, 45, '1234567891')],
    ['BATCH_ODFI', withColumns(FIXTURE, 7, 80, '01100002')],
    ['BATCH_NUMBER', withColumns(FIXTURE, 7, 88, '0000002')],
    ['FILE_BATCH_COUNT', withColumns(FIXTURE, 8, 2, '000002')],
    ['FILE_BLOCK_COUNT', withColumns(FIXTURE, 8, 8, '000002')],
    ['FILE_ENTRY_COUNT', withColumns(FIXTURE, 8, 14, '00000002')],
    ['FILE_ENTRY_HASH', withColumns(FIXTURE, 8, 22, '0003200005')],
    ['FILE_TOTAL_DEBIT', withColumns(FIXTURE, 8, 32, '000000000100')],
    ['FILE_TOTAL_CREDIT', withColumns(FIXTURE, 8, 44, '000000133448')],
    ['RECORD_ORDER', withColumns(FIXTURE, 8, 1, '9'.repeat(94))],
    ['NUMERIC_FIELD', withColumns(FIXTURE, 8, 2, '00000X')],
  ];

  it.each(tampered)('refuses with %s', (rule, file) => {
    // Prepare / Act / Assess
    expect(ruleOf(() => validateNacha(file))).toBe(rule);
  });

  it('refuses the whole file, returning no partial summary', () => {
    // Prepare
    const file = withColumns(FIXTURE, 8, 44, '000000133448');

    // Act / Assess
    expect(() => validateNacha(file)).toThrow(expect.objectContaining({ code: 'BANK_FILE_INVALID' }));
  });
});
