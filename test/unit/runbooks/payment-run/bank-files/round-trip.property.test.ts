import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { fromMinor } from '#platform/core/money.ts';
import { buildNacha, validateNacha } from '#runbooks/payment-run/core/bank-files/nacha.ts';
import { buildPain001, validatePain001 } from '#runbooks/payment-run/core/bank-files/pain001.ts';
import type { PaymentInstruction } from '#runbooks/payment-run/core/bank-files/payment-file.ts';

/** Printable ASCII names, with the characters an attacker would try: quotes, angle brackets, ampersands. */
const name = fc
  .string({ unit: fc.constantFrom(...'AZaz09 <>&"\'/-.'.split('')), minLength: 1, maxLength: 60 })
  .filter((value) => value.trim() !== '');
const routing = fc.constantFrom('011000015', '021000021', '121000358', '999999992');
const iban = fc.constantFrom(
  'DE89370400440532013000',
  'FR1420041010050500013M02606',
  'GB82WEST12345698765432',
);

const parser = new XMLParser({ parseTagValue: false, isArray: (tag) => tag === 'CdtTrfTxInf' });

function paymentsOf<T>(arbitrary: fc.Arbitrary<T>) {
  return fc.array(arbitrary, { minLength: 1, maxLength: 40 });
}

describe('build → validate round trip', () => {
  it('NACHA: any valid credit list reads back with the same count, total and ids', () => {
    fc.assert(
      fc.property(
        paymentsOf(
          fc.record({
            cents: fc.bigInt({ min: 1n, max: 9_999_999_999n }),
            name,
            routing,
            savings: fc.boolean(),
          }),
        ),
        (rows) => {
          // Prepare
          const payments: PaymentInstruction[] = rows.map((row, index) => ({
            endToEndId: `PR-${index}`,
            amount: fromMinor(row.cents, 'USD'),
            creditor: {
              name: row.name,
              account: {
                kind: 'ach',
                routingNumber: row.routing,
                accountNumber: String(index + 1),
                accountType: row.savings ? 'savings' : 'checking',
              },
            },
            remittance: index % 2 === 0 ? `INV-${index}` : '',
          }));

          // Act
          const built = buildNacha({
            createdAt: new Date('2026-12-01T09:30:00Z'),
            fileIdModifier: 'B',
            immediateDestination: '011000015',
            immediateDestinationName: 'Bank',
            immediateOrigin: '1234567890',
            immediateOriginName: 'Origin',
            company: {
              name: 'Co',
              id: '1234567890',
              entryDescription: 'VENDOR PAY',
              originatingDfi: '01100001',
            },
            secCode: 'CCD',
            effectiveEntryDate: '2026-12-02',
            payments,
          });

          // Assess
          expect(validateNacha(built.content)).toEqual(built.summary);
          expect(built.summary.controlSum.minor).toBe(rows.reduce((total, row) => total + row.cents, 0n));
          expect(built.summary.endToEndIds).toEqual(payments.map((payment) => payment.endToEndId));
          expect(built.content.trimEnd().split('\n').length % 10).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('pain.001: any valid credit list reads back with the same count, total and ids, names intact', () => {
    fc.assert(
      fc.property(
        paymentsOf(fc.record({ cents: fc.bigInt({ min: 1n, max: 10n ** 15n }), name, iban })),
        (rows) => {
          // Prepare
          const payments: PaymentInstruction[] = rows.map((row, index) => ({
            endToEndId: `PR-${index}`,
            amount: fromMinor(row.cents, 'EUR'),
            creditor: { name: row.name, account: { kind: 'iban', iban: row.iban } },
            remittance: `INV-${index} ${row.name}`,
          }));

          // Act
          const built = buildPain001({
            messageId: 'MSG',
            createdAt: new Date('2026-12-01T09:30:00Z'),
            requestedExecutionDate: '2026-12-02',
            paymentInfoId: 'PMT',
            debtor: { name: 'Debtor', iban: 'NL91ABNA0417164300' },
            serviceLevel: 'NURG',
            payments,
          });

          // Assess
          expect(validatePain001(built.content)).toEqual(built.summary);
          expect(built.summary.controlSum.minor).toBe(rows.reduce((total, row) => total + row.cents, 0n));
          expect(built.summary.endToEndIds).toEqual(payments.map((payment) => payment.endToEndId));
          const written = parser.parse(built.content).Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf;
          expect(written.map((transaction: any) => transaction.Cdtr.Nm)).toEqual(
            rows.map((row) => row.name.trim()),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
