import * as z from 'zod';
import { normaliseAccountIdentifier } from '#platform/core/bank-accounts.ts';
import { add, compare, formatMoney, type Money, money, sum, zero } from '#platform/core/money.ts';
import type { Order, PayoutContract } from '#platform/system-of-record/core/reference-data.ts';
import type { GateCheck } from '#platform/trust/core/gate.ts';

/**
 * Refunds and payouts: the rules that decide whether an agent may send money to a customer or a
 * partner alone. Pure: the handlers read the facts, these rules judge them.
 */

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string such as "2500.00"');

export const refundPayoutPolicySchema = z.strictObject({
  /** Which agents may initiate each kind; the requester names one of these, never any agent. */
  agents: z.strictObject({
    refund: z.array(z.string().min(1)).max(20),
    payout: z.array(z.string().min(1)).max(20),
  }),
  /** Hours a held refund or payout waits before a payment run may take it; a dispute in that window stops it. */
  coolingOffHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 30),
  /** Days after the release date a hold nobody paid expires and the money returns to available. */
  holdExpiryDays: z.number().int().min(1).max(365),
  /** Refunds or payouts to one payee in one UTC day an agent may make alone; the next goes to a person. */
  maxRefundsPerPayeePerDay: z.number().int().min(1).max(100),
  /** Bank details changed this recently send every payment to that payee to a controller. */
  recentBankChangeDays: z.number().int().min(0).max(365),
  /** Per currency, the amount above which a controller decides. */
  controllerThresholds: z.record(z.string().regex(/^[A-Z]{3}$/), decimal),
  decisionTimeoutHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
});
export type RefundPayoutPolicy = z.infer<typeof refundPayoutPolicySchema>;

export type PaymentKind = 'refund' | 'payout';

/** The pact action each kind is done under. */
export const ACTION_OF: Readonly<Record<PaymentKind, string>> = {
  refund: 'refund.issue',
  payout: 'payout.issue',
};

/** The escrow payee of a customer or partner: typed, so a customer and a vendor with one id never mix. */
export function payeeKey(kind: PaymentKind, payeeId: string): string {
  return `${kind === 'refund' ? 'customer' : 'partner'}:${payeeId}`;
}

/** Who is paid, as the system of record holds them. */
export interface PayeeFacts {
  readonly payeeId: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'INACTIVE' | 'BLOCKED';
  readonly bankAccount: string;
  readonly bankDetailsChangedAt?: string | undefined;
}

export interface RefundFacts {
  readonly kind: PaymentKind;
  readonly amount: Money;
  readonly payee: PayeeFacts;
  /** Refunds: the order and its charges. */
  readonly order?: Order | undefined;
  /** Payouts: the contract and its payable balance. */
  readonly contract?: PayoutContract | undefined;
  /** What earlier refunds on the order (payouts on the contract) already reserved. */
  readonly alreadyReserved: Money;
  /** Refunds or payouts to this payee already held today. */
  readonly toPayeeToday: number;
  /** Whether anything was ever paid to this payee before. */
  readonly paidBefore: boolean;
  readonly now: Date;
}

export interface RefundCheck extends GateCheck {
  readonly detail: string;
}

/** What was captured on the order, in its currency. */
export function capturedOn(order: Order): Money {
  return sum(
    order.charges.map((charge) => money(charge.amount, order.currency)),
    order.currency,
  );
}

/**
 * The most this reference can carry in total (captured on the order, payable on the contract);
 * the hold step reserves against it atomically so two refunds racing on one order cannot both fit.
 */
export function capOf(facts: Pick<RefundFacts, 'kind' | 'order' | 'contract'>): Money | undefined {
  if (facts.kind === 'refund') return facts.order ? capturedOn(facts.order) : undefined;
  return facts.contract ? money(facts.contract.payableBalance, facts.contract.currency) : undefined;
}

const DAY_MS = 86_400_000;

/** Every rule result for one refund or payout, passed or not, in a fixed order. */
export function refundChecks(facts: RefundFacts, policy: RefundPayoutPolicy): RefundCheck[] {
  const checks: RefundCheck[] = [];
  const check = (code: string, passed: boolean, effect: GateCheck['effect'], detail: string) =>
    checks.push({ code, passed, effect, detail });
  const { amount, payee } = facts;

  check(
    'PAYEE_NOT_ACTIVE',
    payee.status === 'ACTIVE',
    'reject',
    payee.status === 'ACTIVE' ? `${payee.payeeId} is active.` : `${payee.payeeId} is ${payee.status}.`,
  );

  const cap = capOf(facts);
  const total = add(facts.alreadyReserved, amount);
  if (facts.kind === 'refund') {
    const order = facts.order;
    const captured = order?.charges.length ?? 0;
    check(
      'NO_CAPTURED_PAYMENT',
      captured > 0,
      'reject',
      captured > 0
        ? `Order ${order?.orderId} has ${captured} captured charge(s).`
        : `Order ${order?.orderId ?? '?'} has no captured payment to refund.`,
    );
    check(
      'REFUND_EXCEEDS_CHARGE',
      cap !== undefined && compare(total, cap) <= 0,
      'reject',
      `Refunds on order ${order?.orderId ?? '?'} would total ${formatMoney(total)} against ${cap ? formatMoney(cap) : 'nothing'} captured.`,
    );
    // The refund goes to the customer's account on file; the original payment came from each charge's method.
    const destination = normaliseAccountIdentifier(payee.bankAccount);
    const original = (order?.charges ?? []).some(
      (charge) =>
        charge.paymentMethod.type === 'bank_account' &&
        normaliseAccountIdentifier(charge.paymentMethod.account) === destination,
    );
    check(
      'REFUND_TO_OTHER_METHOD',
      original,
      'controller',
      original
        ? 'The refund goes back to the bank account the order was paid from.'
        : `The refund would go to account …${destination.slice(-4)}, which did not pay for order ${order?.orderId ?? '?'}.`,
    );
  } else {
    const contract = facts.contract;
    check(
      'CONTRACT_NOT_ACTIVE',
      contract?.status === 'ACTIVE',
      'controller',
      `Contract ${contract?.contractId ?? '?'} is ${contract?.status ?? 'missing'}.`,
    );
    check(
      'PAYOUT_EXCEEDS_BALANCE',
      cap !== undefined && compare(total, cap) <= 0,
      'reject',
      `Payouts on contract ${contract?.contractId ?? '?'} would total ${formatMoney(total)} against ${cap ? formatMoney(cap) : 'nothing'} payable.`,
    );
  }

  // A refund goes back to the account that paid (checked above); a partner's first payout is new money out.
  if (facts.kind === 'payout')
    check(
      'FIRST_PAYOUT',
      facts.paidBefore,
      'approval',
      facts.paidBefore
        ? `${payee.payeeId} was paid out before.`
        : `Nothing was ever paid out to ${payee.payeeId}.`,
    );
  check(
    'PAYEE_DAILY_COUNT',
    facts.toPayeeToday < policy.maxRefundsPerPayeePerDay,
    'approval',
    `${facts.toPayeeToday} already held for ${payee.payeeId} today; an agent may make ${policy.maxRefundsPerPayeePerDay} alone.`,
  );
  const changed = payee.bankDetailsChangedAt
    ? Date.parse(`${payee.bankDetailsChangedAt}T00:00:00Z`)
    : Number.NaN;
  const recent =
    Number.isFinite(changed) && facts.now.getTime() - changed < policy.recentBankChangeDays * DAY_MS;
  check(
    'BANK_DETAILS_RECENTLY_CHANGED',
    !recent,
    'controller',
    recent
      ? `${payee.payeeId}'s bank details changed on ${payee.bankDetailsChangedAt}.`
      : `${payee.payeeId}'s bank details did not change in the last ${policy.recentBankChangeDays} days.`,
  );
  return checks;
}

/** The controller threshold in the amount's currency; without one, no amount alone needs a controller. */
export function controllerThreshold(policy: RefundPayoutPolicy, currency: string): Money {
  const configured = policy.controllerThresholds[currency];
  // XXX is ISO 4217's "no currency": the gate compares only like with like, so it never applies.
  return configured ? money(configured, currency) : zero('XXX');
}
