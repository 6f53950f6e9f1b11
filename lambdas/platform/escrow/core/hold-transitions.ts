import type { ErrorCode } from '#platform/core/errors.ts';
import { formatMoney, type Money, zero } from '#platform/core/money.ts';
import {
  type AccountView,
  type AgentMoneyLimits,
  type FundingView,
  type FundRequest,
  type HoldRequest,
  type HoldStatus,
  type HoldTransitionRequest,
  type HoldView,
  isOpen,
  ledgerDay,
  type PostRequest,
  type ResolveDisputeRequest,
  type StartPaymentRequest,
} from './escrow-ledger.ts';

/**
 * The escrow rules as pure decisions: each takes what the ledger read (account, hold, the agent's
 * allowance) and the request, and returns the whole change to write or a refusal. A change also
 * names what the decision assumed (its guards); the store writes them as conditions, so a decision
 * made on a stale read cannot commit.
 */
export type OperationKind =
  | 'fund'
  | 'withdraw'
  | 'hold'
  | 'post'
  | 'void'
  | 'expire'
  | 'dispute'
  | 'resolveDispute'
  | 'startPayment';

/** A rule said no; nothing is written. */
export interface Refusal {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Movements of an account's counters, in minor units. */
export interface CounterDeltas {
  readonly funded: bigint;
  readonly posted: bigint;
  readonly held: bigint;
  readonly available: bigint;
  readonly openHolds: number;
}

/** What the decision assumed about the account. */
export type AccountGuard =
  | { readonly rule: 'new-or-same-currency'; readonly currency: string }
  | { readonly rule: 'covers'; readonly currency: string; readonly amount: bigint }
  | { readonly rule: 'exists' };

/** What the decision assumed about the hold: that it is new, or still in `from` (and on which side of its expiry). */
export type HoldGuard =
  | { readonly rule: 'new' }
  | {
      readonly rule: 'in-status';
      readonly from: HoldStatus;
      readonly expiry: 'before-expiry' | 'at-or-after-expiry' | 'any';
      readonly atMs: number;
    };

/** The agent's counter for the day moves by `amount`; it may only if `used ≤ room` (room = daily limit − amount). */
export interface AgentDayCharge {
  readonly agentId: string;
  readonly day: string;
  readonly amount: Money;
  readonly room: bigint;
}

/** The agent's open exposure grows with a hold it placed and shrinks when that hold closes. */
export interface ExposureChange {
  readonly agentId: string;
  readonly amount: Money;
  readonly direction: 1n | -1n;
}

/** One append-only journal line; only the counters the operation moves are present. */
export interface JournalEntry {
  readonly kind: OperationKind;
  readonly holdId?: string;
  readonly amount: Money;
  readonly funded?: bigint;
  readonly held?: bigint;
  readonly posted?: bigint;
  readonly available?: bigint;
}

/** Everything one accepted operation changes, together or not at all. */
export interface LedgerChange<R> {
  readonly ok: true;
  readonly kind: OperationKind;
  /** What the caller gets back, now and on every replay. */
  readonly result: R;
  readonly hold?: { readonly next: HoldView; readonly guard: HoldGuard };
  readonly account?: {
    readonly accountId: string;
    readonly deltas: CounterDeltas;
    readonly guard: AccountGuard;
  };
  readonly agentDay?: AgentDayCharge;
  readonly exposure?: ExposureChange;
  readonly journal: { readonly accountId: string; readonly entry: JournalEntry };
}

export type Decision<R> = LedgerChange<R> | Refusal;

/** What the ledger knows of an agent before it moves money: its limits (undefined = no pact) and its use today. */
export interface AgentAllowance {
  readonly limits: AgentMoneyLimits | undefined;
  /** Minor units already used on the operation's day, in the amount's currency. */
  readonly usedToday: bigint;
}

/** Nothing moves; operations spread it and set what they move. */
export const NO_DELTAS: CounterDeltas = { funded: 0n, posted: 0n, held: 0n, available: 0n, openHolds: 0 };

/** Adds money to the account, opening it in the amount's currency if it is new. */
export function fundAccount(
  account: AccountView | undefined,
  request: FundRequest,
  at: Date,
): Decision<FundingView> {
  return funding('fund', account, request, at);
}

/** Takes money out of the account; never more than is available. */
export function withdrawFunds(
  account: AccountView | undefined,
  request: FundRequest,
  at: Date,
): Decision<FundingView> {
  return funding('withdraw', account, request, at);
}

function funding(
  kind: 'fund' | 'withdraw',
  account: AccountView | undefined,
  request: FundRequest,
  at: Date,
): Decision<FundingView> {
  const { accountId, amount } = request;
  const refused = nonPositive(amount, kind) ?? otherCurrency(account, accountId, amount);
  if (refused) return refused;
  if (kind === 'withdraw' && (!account || account.available.minor < amount.minor)) {
    return refuse(
      'INSUFFICIENT_FUNDS',
      `Account ${accountId} has ${account ? formatMoney(account.available) : 'no'} available; withdraw less.`,
    );
  }
  const signed = kind === 'fund' ? amount.minor : -amount.minor;
  const deltas: CounterDeltas = { ...NO_DELTAS, funded: signed, available: signed };
  keepsInvariants(account, accountId, amount.currency, deltas);
  return {
    ok: true,
    kind,
    result: { accountId, kind, amount, at: at.toISOString() },
    account: {
      accountId,
      deltas,
      guard:
        kind === 'fund'
          ? { rule: 'new-or-same-currency', currency: amount.currency }
          : { rule: 'covers', currency: amount.currency, amount: amount.minor },
    },
    journal: { accountId, entry: { kind, amount, funded: signed, available: signed } },
  };
}

/** Reserves money for a payee: refused past its expiry, beyond the agent's room, on a used hold id or beyond available. */
export function placeHold(
  state: {
    readonly account: AccountView | undefined;
    readonly existing: HoldView | undefined;
    readonly agent?: AgentAllowance;
  },
  request: HoldRequest,
  at: Date,
): Decision<HoldView> {
  const { account } = state;
  const { holdId, accountId, amount } = request;
  const refusedAmount = nonPositive(amount, 'hold');
  if (refusedAmount) return refusedAmount;
  if (request.expiresAt.getTime() <= at.getTime()) {
    return refuse('VALIDATION_FAILED', `Hold ${holdId} would expire before it starts; set expiresAt later.`);
  }
  const charge = request.agentId
    ? chargeAgent(request.agentId, 'payment.hold', amount, at, state.agent)
    : undefined;
  if (charge && !charge.ok) return charge;
  if (state.existing) {
    return refuse('CONFLICT', `Hold id ${holdId} is already used; choose a new hold id.`);
  }
  if (!account) return refuse('NOT_FOUND', `No funding account ${accountId}; fund it first.`);
  const refusedCurrency = otherCurrency(account, accountId, amount);
  if (refusedCurrency) return refusedCurrency;
  if (account.available.minor < amount.minor) {
    return refuse(
      'INSUFFICIENT_FUNDS',
      `Account ${accountId} has ${formatMoney(account.available)} ${account.currency} available; ${formatMoney(amount)} cannot be held.`,
    );
  }
  const createdAt = at.toISOString();
  const hold: HoldView = {
    holdId,
    accountId,
    payee: request.payee,
    amount,
    postedAmount: zero(amount.currency),
    status: 'HELD',
    reason: request.reason,
    expiresAt: request.expiresAt.toISOString(),
    releaseAt: request.releaseAt?.toISOString() ?? null,
    initiatedBy: request.initiatedBy,
    agentId: request.agentId ?? null,
    createdAt,
    closedAt: null,
    disputedAt: null,
    source: request.source ?? null,
    paymentId: null,
  };
  const deltas: CounterDeltas = { ...NO_DELTAS, held: amount.minor, available: -amount.minor, openHolds: 1 };
  keepsInvariants(account, accountId, amount.currency, deltas);
  return {
    ok: true,
    kind: 'hold',
    result: hold,
    hold: { next: hold, guard: { rule: 'new' } },
    account: {
      accountId,
      deltas,
      guard: { rule: 'covers', currency: amount.currency, amount: amount.minor },
    },
    ...(charge ? { agentDay: charge.charge } : {}),
    ...(request.agentId ? { exposure: { agentId: request.agentId, amount, direction: 1n as const } } : {}),
    journal: {
      accountId,
      entry: { kind: 'hold', holdId, amount, held: amount.minor, available: -amount.minor },
    },
  };
}

/**
 * Releases all or part of a held amount to the payee before expiry; the rest returns to available.
 * A hold in payment is posted when the bank executed it, whatever its expiry: the money has left.
 */
export function postHold(
  hold: HoldView | undefined,
  request: PostRequest,
  at: Date,
  agent?: AgentAllowance,
): Decision<HoldView> {
  const inPayment = hold?.status === 'IN_PAYMENT';
  return leaveState(
    'post',
    hold,
    request,
    at,
    inPayment ? 'IN_PAYMENT' : 'HELD',
    inPayment ? 'any' : 'before-expiry',
    (current) => {
      const amount = postAmount(current, request.amount);
      if (!amount.ok) return amount;
      const releasedBy = request.releasedBy;
      if (releasedBy?.kind !== 'agent') return { status: 'POSTED', posted: amount.value };
      const charge = chargeAgent(releasedBy.id, 'payment.post', amount.value, at, agent);
      return charge.ok ? { status: 'POSTED', posted: amount.value, charge: charge.charge } : charge;
    },
  );
}

/** Refunds a held amount to available; a hold in payment the bank rejected comes back the same way. */
export function voidHold(
  hold: HoldView | undefined,
  request: HoldTransitionRequest,
  at: Date,
): Decision<HoldView> {
  const from = hold?.status === 'IN_PAYMENT' ? 'IN_PAYMENT' : 'HELD';
  return leaveState('void', hold, request, at, from, 'any', () => ({ status: 'VOIDED' }));
}

/** Puts a held amount into a bank file: still reserved, no longer expirable or disputable. */
export function startHoldPayment(
  hold: HoldView | undefined,
  request: StartPaymentRequest,
  at: Date,
): Decision<HoldView> {
  return leaveState('startPayment', hold, request, at, 'HELD', 'before-expiry', () => ({
    status: 'IN_PAYMENT',
    paymentId: request.paymentId,
  }));
}

/** Returns a hold to available once its expiry has come; never before. */
export function expireHold(
  hold: HoldView | undefined,
  request: HoldTransitionRequest,
  at: Date,
): Decision<HoldView> {
  return leaveState('expire', hold, request, at, 'HELD', 'at-or-after-expiry', () => ({ status: 'EXPIRED' }));
}

/** Freezes a held amount until the dispute is resolved; the sweeper no longer expires it. */
export function disputeHold(
  hold: HoldView | undefined,
  request: HoldTransitionRequest,
  at: Date,
): Decision<HoldView> {
  return leaveState('dispute', hold, request, at, 'HELD', 'before-expiry', () => ({ status: 'DISPUTED' }));
}

/** Ends a dispute by posting (all or part) or voiding the hold. */
export function resolveDisputedHold(
  hold: HoldView | undefined,
  request: ResolveDisputeRequest,
  at: Date,
): Decision<HoldView> {
  return leaveState('resolveDispute', hold, request, at, 'DISPUTED', 'any', (current) => {
    if (request.resolution === 'void') return { status: 'VOIDED' };
    const amount = postAmount(current, request.amount);
    return amount.ok ? { status: 'POSTED', posted: amount.value } : amount;
  });
}

type Next = { status: HoldStatus; posted?: Money; charge?: AgentDayCharge; paymentId?: string };

/** One hold leaving `from`, exactly once: the status and the clock rule are the guards its write re-checks. */
function leaveState(
  kind: 'post' | 'void' | 'expire' | 'dispute' | 'resolveDispute' | 'startPayment',
  current: HoldView | undefined,
  request: { readonly holdId: string },
  atDate: Date,
  from: HoldStatus,
  expiry: 'before-expiry' | 'at-or-after-expiry' | 'any',
  decide: (hold: HoldView) => Next | Refusal,
): Decision<HoldView> {
  if (!current) return refuse('NOT_FOUND', `No hold ${request.holdId}.`);
  if (current.status !== from) return notOpen(current, `it is ${current.status}`);
  const atMs = atDate.getTime();
  const expiresAtMs = Date.parse(current.expiresAt);
  if (expiry === 'before-expiry' && atMs >= expiresAtMs) return notOpen(current, 'it expired');
  if (expiry === 'at-or-after-expiry' && atMs < expiresAtMs) {
    return notOpen(current, `it does not expire until ${current.expiresAt}`);
  }
  const decided = decide(current);
  if ('ok' in decided) return decided;
  const at = atDate.toISOString();
  const closes = !isOpen(decided.status);
  const posted = decided.posted ?? zero(current.amount.currency);
  const next: HoldView = {
    ...current,
    status: decided.status,
    postedAmount: posted,
    closedAt: closes ? at : null,
    disputedAt: decided.status === 'DISPUTED' ? at : current.disputedAt,
    paymentId: decided.paymentId ?? current.paymentId,
  };
  const held = current.amount.minor;
  const back = held - posted.minor;
  return {
    ok: true,
    kind,
    result: next,
    hold: { next, guard: { rule: 'in-status', from, expiry, atMs } },
    ...(closes
      ? {
          account: {
            accountId: current.accountId,
            deltas: { ...NO_DELTAS, held: -held, posted: posted.minor, available: back, openHolds: -1 },
            guard: { rule: 'exists' as const },
          },
        }
      : {}),
    ...(closes && current.agentId
      ? { exposure: { agentId: current.agentId, amount: current.amount, direction: -1n as const } }
      : {}),
    ...(decided.charge ? { agentDay: decided.charge } : {}),
    journal: {
      accountId: current.accountId,
      entry: {
        kind,
        holdId: current.holdId,
        amount: current.amount,
        ...(closes ? { held: -held, posted: posted.minor, available: back } : {}),
      },
    },
  };
}

/** An agent may move money only under a pact, within its per-action limit and its room for the day. */
function chargeAgent(
  agentId: string,
  action: 'payment.hold' | 'payment.post',
  amount: Money,
  at: Date,
  allowance: AgentAllowance | undefined,
): Refusal | { ok: true; charge: AgentDayCharge } {
  const limits = allowance?.limits;
  if (!limits) {
    return refuse(
      'AGENT_LIMIT_EXCEEDED',
      `Agent ${agentId} has no pact for ${action}; a person must move this money.`,
      { reason: 'NO_PACT_FOR_ACTION' },
    );
  }
  if (amount.currency !== limits.perActionLimit.currency) {
    return refuse(
      'VALIDATION_FAILED',
      `Cannot combine ${amount.currency} with ${limits.perActionLimit.currency}; convert first.`,
    );
  }
  if (amount.minor > limits.perActionLimit.minor) {
    return refuse(
      'AGENT_LIMIT_EXCEEDED',
      `${formatMoney(amount)} is above agent ${agentId}'s per-action limit of ${formatMoney(limits.perActionLimit)}; a person must approve it.`,
      { reason: 'PER_ACTION_LIMIT' },
    );
  }
  const room = limits.dailyLimit.minor - amount.minor;
  if (room < 0n || (allowance?.usedToday ?? 0n) > room) {
    return refuse(
      'AGENT_LIMIT_EXCEEDED',
      `${formatMoney(amount)} ${amount.currency} would take agent ${agentId} past its daily limit; a person must move it.`,
      { reason: 'DAILY_LIMIT_EXCEEDED' },
    );
  }
  return { ok: true, charge: { agentId, day: ledgerDay(at), amount, room } };
}

/** A post releases more than nothing and at most the hold, in the hold's currency. */
function postAmount(hold: HoldView, requested: Money | undefined): Refusal | { ok: true; value: Money } {
  const amount = requested ?? hold.amount;
  if (amount.currency !== hold.amount.currency || amount.minor <= 0n || amount.minor > hold.amount.minor) {
    return refuse(
      'VALIDATION_FAILED',
      `A post on hold ${hold.holdId} must be above zero and at most ${formatMoney(hold.amount)} ${hold.amount.currency}.`,
    );
  }
  return { ok: true, value: amount };
}

/** Money moves in positive amounts only; checked before anything is read. */
export function nonPositive(amount: Money, what: string): Refusal | undefined {
  if (amount.minor > 0n) return undefined;
  return refuse('VALIDATION_FAILED', `A ${what} needs an amount above zero, not ${formatMoney(amount)}.`);
}

function otherCurrency(
  account: AccountView | undefined,
  accountId: string,
  amount: Money,
): Refusal | undefined {
  if (!account || account.currency === amount.currency) return undefined;
  return refuse(
    'VALIDATION_FAILED',
    `Account ${accountId} holds ${account.currency}, not ${amount.currency}.`,
  );
}

function notOpen(hold: HoldView, why: string): Refusal {
  return refuse('HOLD_NOT_OPEN', `Hold ${hold.holdId} cannot change: ${why}.`, {
    holdId: hold.holdId,
    status: hold.status,
  });
}

function refuse(code: ErrorCode, message: string, details?: Record<string, unknown>): Refusal {
  return { ok: false, code, message, ...(details ? { details } : {}) };
}

/** The account after `deltas`; an account that does not exist yet starts at zero. */
export function applyDeltas(
  account: AccountView | undefined,
  accountId: string,
  currency: string,
  deltas: CounterDeltas,
): AccountView {
  const base = account?.currency ?? currency;
  const move = (value: Money | undefined, by: bigint): Money => ({
    minor: (value?.minor ?? 0n) + by,
    currency: base,
  });
  return {
    accountId,
    currency: base,
    funded: move(account?.funded, deltas.funded),
    posted: move(account?.posted, deltas.posted),
    held: move(account?.held, deltas.held),
    available: move(account?.available, deltas.available),
    openHolds: (account?.openHolds ?? 0) + deltas.openHolds,
  };
}

/** The account invariants that hold after every operation; the list of those broken (empty when none is). */
export function brokenInvariants(account: AccountView): string[] {
  const broken: string[] = [];
  const { funded, posted, held, available } = account;
  if (available.minor !== funded.minor - posted.minor - held.minor)
    broken.push('available = funded − posted − held');
  if (available.minor < 0n) broken.push('available ≥ 0');
  if (held.minor < 0n) broken.push('held ≥ 0');
  if (account.openHolds < 0) broken.push('openHolds ≥ 0');
  return broken;
}

/** A decision that would break an invariant is a defect in these rules, not a refusal. */
function keepsInvariants(
  account: AccountView | undefined,
  accountId: string,
  currency: string,
  deltas: CounterDeltas,
): void {
  const broken = brokenInvariants(applyDeltas(account, accountId, currency, deltas));
  if (broken.length) throw new Error(`Escrow rule defect on ${accountId}: ${broken.join('; ')}.`);
}
