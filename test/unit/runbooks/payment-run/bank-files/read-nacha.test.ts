import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, money } from '#platform/core/money.ts';
import { buildNacha } from '#runbooks/payment-run/core/bank-files/nacha.ts';
import type { NachaRequest, PaymentInstruction } from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import { readNacha } from '#runbooks/payment-run/core/bank-files/read-nacha.ts';
import { ruleOf, withColumns } from '../../../../support/bank-files/rules.ts';

const FIXTURE = readFileSync(
  new URL('../../../../support/bank-files/two-credits-ccd.ach', import.meta.url),
  'utf8',
);

function request(payments: PaymentInstruction[], overrides: Partial<NachaRequest> = {}): NachaRequest {
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
    payments,
    ...overrides,
  };
}

function achPayment(endToEndId: string, amount: string, remittance = ''): PaymentInstruction {
  return {
    endToEndId,
    amount: money(amount, 'USD'),
    creditor: {
      name: 'Vendor',
      account: {
        kind: 'ach',
        routingNumber: '011000015',
        accountNumber: '123456789',
        accountType: 'checking',
      },
    },
    remittance,
  };
}

describe('readNacha', () => {
  it('reads the hand-built CCD fixture entry by entry, the invoice from each RMR addenda', () => {
    // Act
    const file = readNacha(FIXTURE);

    // Assess
    expect(file).toEqual({
      format: 'nacha',
      messageId: '1234567890:2612010930A',
      originatorName: 'TOLLGATE DEMO CO',
      executionDate: '2026-12-02',
      payments: [
        {
          endToEndId: 'PR7F3K2Q-0001',
          amount: '1234.50',
          currency: 'USD',
          creditor: {
            name: 'ACME SUPPLIES INC',
            account: {
              kind: 'ach',
              routingNumber: '011000015',
              accountNumber: '123456789',
              accountType: 'checking',
            },
          },
          remittance: ['INV-1001'],
          originatorAccount: '1234567890',
          paymentInfoId: '1',
        },
        {
          endToEndId: 'PR7F3K2Q-0002',
          amount: '99.99',
          currency: 'USD',
          creditor: {
            name: 'GLOBEX CORPORATION',
            account: {
              kind: 'ach',
              routingNumber: '021000021',
              accountNumber: '987654321',
              accountType: 'savings',
            },
          },
          remittance: ['INV-1002'],
          originatorAccount: '1234567890',
          paymentInfoId: '1',
        },
      ],
    });
  });

  it('gives back what buildNacha was given: PPD remittance as plain text, entries without addenda', () => {
    // Prepare
    const { content } = buildNacha(
      request(
        [
          achPayment('PAY-1', '0.01', 'Invoice 77 thanks'),
          achPayment('PAY-2', '99999999.99'),
          {
            ...achPayment('PAY-3', '12.00'),
            creditor: {
              name: 'A Very Long Receiver Name That Is Cut',
              account: {
                kind: 'ach',
                routingNumber: '021000021',
                accountNumber: 'AB-12',
                accountType: 'savings',
              },
            },
          },
        ],
        { secCode: 'PPD' },
      ),
    );

    // Act
    const file = readNacha(content);

    // Assess
    expect(file.payments.map((p) => [p.endToEndId, p.amount, p.remittance])).toEqual([
      ['PAY-1', '0.01', ['Invoice 77 thanks']],
      ['PAY-2', '99999999.99', []],
      ['PAY-3', '12.00', []],
    ]);
    expect(file.payments[2]?.creditor).toEqual({
      name: 'A VERY LONG RECEIVER N',
      account: { kind: 'ach', routingNumber: '021000021', accountNumber: 'AB-12', accountType: 'savings' },
    });
  });

  it('round-trips any list of credits: ids, amounts and CCD invoices come back in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9-]{1,15}$/), { minLength: 1, maxLength: 30 }),
        fc.array(fc.bigInt({ min: 1n, max: 9_999_999_999n }), { minLength: 30, maxLength: 30 }),
        (ids, amounts) => {
          const payments = ids.map((id, index) => ({
            ...achPayment(id, '1.00', `INV-${index}`),
            amount: { minor: amounts[index] ?? 1n, currency: 'USD' },
          }));
          const file = readNacha(buildNacha(request(payments)).content);
          expect(file.payments.map((p) => [p.endToEndId, p.amount, p.remittance])).toEqual(
            payments.map((p, index) => [p.endToEndId, formatMoney(p.amount), [`INV-${index}`]]),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reads nothing from a file the bank would reject, and says which rule it breaks', () => {
    // Prepare: the first entry's amount no longer matches the batch control.
    const tampered = withColumns(FIXTURE, 3, 30, '0000123451');

    // Act / Assess
    expect(ruleOf(() => readNacha(tampered))).toBe('BATCH_TOTAL_CREDIT');
    expect(ruleOf(() => readNacha(''))).toBe('EMPTY_FILE');
    expect(ruleOf(() => readNacha(`${FIXTURE.split('\n').slice(0, 8).join('\n')}\n`))).toBe('BLOCKING');
  });
});
