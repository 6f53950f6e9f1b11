import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import type { Order } from '#platform/system-of-record/core/reference-data.ts';
import { REFUND_PAYOUT_POLICY } from '#runbooks/refund-payout/adapters/refund-payout-policy.ts';
import { type RefundFacts, refundChecks } from '#runbooks/refund-payout/core/refund-rules.ts';

const order: Order = {
  orderId: 'ORD-1',
  customerId: 'C-1',
  currency: 'USD',
  orderDate: '2026-11-01',
  charges: [
    {
      chargeId: 'CH-1',
      amount: '60.00',
      capturedAt: '2026-11-01',
      paymentMethod: { type: 'bank_account', account: '1234-5678' },
    },
    {
      chargeId: 'CH-2',
      amount: '40.00',
      capturedAt: '2026-11-02',
      paymentMethod: { type: 'card', account: '4242' },
    },
  ],
};

function facts(overrides: Partial<RefundFacts> = {}): RefundFacts {
  return {
    kind: 'refund',
    amount: money('25.00', 'USD'),
    payee: { payeeId: 'C-1', name: 'Customer', status: 'ACTIVE', bankAccount: '12345678' },
    order,
    alreadyReserved: money('0', 'USD'),
    toPayeeToday: 0,
    paidBefore: false,
    now: new Date('2026-12-01T12:00:00Z'),
    ...overrides,
  };
}

const failed = (f: RefundFacts) =>
  refundChecks(f, REFUND_PAYOUT_POLICY)
    .filter((c) => !c.passed)
    .map((c) => `${c.code}:${c.effect}`);

describe('refund rules', () => {
  it('passes a refund to the account that paid, within what was captured', () => {
    expect(failed(facts())).toEqual([]);
  });

  it('counts earlier refunds of the order: the one that takes the total past the charges is refused, to the cent', () => {
    expect(failed(facts({ amount: money('25.00', 'USD'), alreadyReserved: money('75.00', 'USD') }))).toEqual(
      [],
    );
    expect(failed(facts({ amount: money('25.01', 'USD'), alreadyReserved: money('75.00', 'USD') }))).toEqual([
      'REFUND_EXCEEDS_CHARGE:reject',
    ]);
  });

  it('sends a refund to an account that never paid for the order to a controller, however the number is spaced', () => {
    expect(failed(facts({ payee: { ...facts().payee, bankAccount: ' 1234 5678 ' } }))).toEqual([]);
    expect(failed(facts({ payee: { ...facts().payee, bankAccount: '99998888' } }))).toEqual([
      'REFUND_TO_OTHER_METHOD:controller',
    ]);
  });

  it('refuses an order with nothing captured, and an inactive payee', () => {
    expect(failed(facts({ order: { ...order, charges: [] } }))).toEqual(
      expect.arrayContaining(['NO_CAPTURED_PAYMENT:reject', 'REFUND_EXCEEDS_CHARGE:reject']),
    );
    expect(failed(facts({ payee: { ...facts().payee, status: 'BLOCKED' } }))).toContain(
      'PAYEE_NOT_ACTIVE:reject',
    );
  });

  it('asks a person once the payee reached the day count, and a controller after a recent bank change', () => {
    const max = REFUND_PAYOUT_POLICY.maxRefundsPerPayeePerDay;
    expect(failed(facts({ toPayeeToday: max - 1 }))).toEqual([]);
    expect(failed(facts({ toPayeeToday: max }))).toEqual(['PAYEE_DAILY_COUNT:approval']);
    expect(failed(facts({ payee: { ...facts().payee, bankDetailsChangedAt: '2026-11-25' } }))).toEqual([
      'BANK_DETAILS_RECENTLY_CHANGED:controller',
    ]);
  });
});

describe('payout rules', () => {
  const contract = {
    contractId: 'K-1',
    partnerId: 'P-1',
    currency: 'USD',
    status: 'ACTIVE' as const,
    payableBalance: '500.00',
  };
  const payout = (overrides: Partial<RefundFacts> = {}) =>
    facts({ kind: 'payout', order: undefined, contract, paidBefore: true, ...overrides });

  it('refuses a payout past the payable balance and asks a person for a first payout', () => {
    expect(failed(payout({ amount: money('500.00', 'USD') }))).toEqual([]);
    expect(failed(payout({ amount: money('500.01', 'USD') }))).toEqual(['PAYOUT_EXCEEDS_BALANCE:reject']);
    expect(failed(payout({ paidBefore: false }))).toEqual(['FIRST_PAYOUT:approval']);
    expect(failed(payout({ contract: { ...contract, status: 'ENDED' } }))).toEqual([
      'CONTRACT_NOT_ACTIVE:controller',
    ]);
  });
});
