import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '#platform/core/errors.ts';
import { fromMinor, type Money } from '#platform/core/money.ts';
import {
  type AccountView,
  type AgentMoneyLimits,
  type HoldStatus,
  type HoldView,
  isOpen,
  ledgerDay,
} from '#platform/escrow/core/escrow-ledger.ts';
import {
  type AgentAllowance,
  applyDeltas,
  brokenInvariants,
  type Decision,
  disputeHold,
  expireHold,
  fundAccount,
  type JournalEntry,
  type LedgerChange,
  placeHold,
  postHold,
  resolveDisputedHold,
  startHoldPayment,
  voidHold,
  withdrawFunds,
} from '#platform/escrow/core/hold-transitions.ts';
import {
  fingerprintOf,
  type LedgerOperation,
  type OperationMarker,
  replayOf,
} from '#platform/escrow/core/operation-identity.ts';

// Random operation sequences against the pure escrow rules. A tiny in-memory ledger applies each
// accepted change the way the store writes it (guards as conditions, deltas as ADDs), and every
// invariant is checked after every step.
const START_MS = Date.parse('2030-03-01T22:00:00.000Z');
const ACCOUNTS = ['ACC-A', 'ACC-B', 'ACC-NEVER-FUNDED'] as const;
const AGENT = 'agent-with-pact';
const AGENT_WITHOUT_PACT = 'agent-without-pact';
const LIMITS: AgentMoneyLimits = {
  perActionLimit: fromMinor(15_000n, 'USD'),
  dailyLimit: fromMinor(30_000n, 'USD'),
};

const ALLOWED: Record<LedgerOperation['kind'], readonly ErrorCode[]> = {
  fund: ['VALIDATION_FAILED'],
  withdraw: ['VALIDATION_FAILED', 'INSUFFICIENT_FUNDS'],
  hold: ['VALIDATION_FAILED', 'AGENT_LIMIT_EXCEEDED', 'CONFLICT', 'NOT_FOUND', 'INSUFFICIENT_FUNDS'],
  post: ['NOT_FOUND', 'HOLD_NOT_OPEN', 'VALIDATION_FAILED', 'AGENT_LIMIT_EXCEEDED'],
  void: ['NOT_FOUND', 'HOLD_NOT_OPEN'],
  expire: ['NOT_FOUND', 'HOLD_NOT_OPEN'],
  dispute: ['NOT_FOUND', 'HOLD_NOT_OPEN'],
  resolveDispute: ['NOT_FOUND', 'HOLD_NOT_OPEN', 'VALIDATION_FAILED'],
  startPayment: ['NOT_FOUND', 'HOLD_NOT_OPEN'],
};

interface World {
  clockMs: number;
  readonly accounts: Map<string, AccountView>;
  readonly holds: Map<string, HoldView>;
  /** agent|day|currency → minor units used. */
  readonly usage: Map<string, bigint>;
  /** agent|currency → open minor units and open holds. */
  readonly exposure: Map<string, { open: bigint; holds: bigint }>;
  readonly markers: Map<string, OperationMarker>;
  readonly journals: Map<string, JournalEntry[]>;
}

/** What the test remembers across steps, outside the ledger. */
interface History {
  readonly sent: LedgerOperation[];
  readonly committed: LedgerOperation[];
  readonly firstResults: Map<string, unknown>;
  readonly finalHolds: Map<string, HoldView>;
  readonly holdIds: string[];
  sequence: number;
}

type Outcome = { ok: true; replayed: boolean; result: unknown } | { ok: false; code: ErrorCode };

const usageKey = (agentId: string, day: string, currency: string) => `${agentId}|${day}|${currency}`;

function allowance(world: World, agentId: string, currency: string, at: Date): AgentAllowance {
  return {
    limits: agentId === AGENT ? LIMITS : undefined,
    usedToday: world.usage.get(usageKey(agentId, ledgerDay(at), currency)) ?? 0n,
  };
}

/** Calls the core rule for the operation with what the store would read for it. */
function decide(world: World, operation: LedgerOperation, at: Date): Decision<unknown> {
  switch (operation.kind) {
    case 'fund':
      return fundAccount(world.accounts.get(operation.request.accountId), operation.request, at);
    case 'withdraw':
      return withdrawFunds(world.accounts.get(operation.request.accountId), operation.request, at);
    case 'hold': {
      const { request } = operation;
      return placeHold(
        {
          account: world.accounts.get(request.accountId),
          existing: world.holds.get(request.holdId),
          ...(request.agentId
            ? { agent: allowance(world, request.agentId, request.amount.currency, at) }
            : {}),
        },
        request,
        at,
      );
    }
    case 'post': {
      const hold = world.holds.get(operation.request.holdId);
      const by = operation.request.releasedBy;
      const agent =
        hold && by?.kind === 'agent' ? allowance(world, by.id, hold.amount.currency, at) : undefined;
      return postHold(hold, operation.request, at, agent);
    }
    case 'void':
      return voidHold(world.holds.get(operation.request.holdId), operation.request, at);
    case 'expire':
      return expireHold(world.holds.get(operation.request.holdId), operation.request, at);
    case 'dispute':
      return disputeHold(world.holds.get(operation.request.holdId), operation.request, at);
    case 'resolveDispute':
      return resolveDisputedHold(world.holds.get(operation.request.holdId), operation.request, at);
    case 'startPayment':
      return startHoldPayment(world.holds.get(operation.request.holdId), operation.request, at);
  }
}

/** The write conditions the store attaches to a change, evaluated on the state the decision read. */
function conditionsHold(world: World, change: LedgerChange<unknown>): boolean {
  const { hold, account, agentDay } = change;
  if (hold) {
    const stored = world.holds.get(hold.next.holdId);
    if (hold.guard.rule === 'new') {
      if (stored) return false;
    } else {
      if (!stored || stored.status !== hold.guard.from) return false;
      const expiresAtMs = Date.parse(stored.expiresAt);
      if (hold.guard.expiry === 'before-expiry' && !(expiresAtMs > hold.guard.atMs)) return false;
      if (hold.guard.expiry === 'at-or-after-expiry' && !(expiresAtMs <= hold.guard.atMs)) return false;
    }
  }
  if (account) {
    const stored = world.accounts.get(account.accountId);
    const { guard } = account;
    if (guard.rule === 'new-or-same-currency' && stored && stored.currency !== guard.currency) return false;
    if (guard.rule === 'covers' && (!stored || stored.currency !== guard.currency)) return false;
    if (guard.rule === 'covers' && stored && stored.available.minor < guard.amount) return false;
    if (guard.rule === 'exists' && !stored) return false;
  }
  if (agentDay) {
    const used = world.usage.get(usageKey(agentDay.agentId, agentDay.day, agentDay.amount.currency));
    if (used !== undefined && used > agentDay.room) return false;
  }
  return true;
}

/** Writes an accepted change the way the store does: all of it, together. */
function apply(
  world: World,
  operationId: string,
  change: LedgerChange<unknown>,
  marker: OperationMarker,
): void {
  if (change.hold) world.holds.set(change.hold.next.holdId, change.hold.next);
  if (change.account) {
    const { accountId, deltas, guard } = change.account;
    const currency = guard.rule === 'exists' ? '' : guard.currency;
    world.accounts.set(accountId, applyDeltas(world.accounts.get(accountId), accountId, currency, deltas));
  }
  if (change.agentDay) {
    const { agentId, day, amount } = change.agentDay;
    const key = usageKey(agentId, day, amount.currency);
    world.usage.set(key, (world.usage.get(key) ?? 0n) + amount.minor);
  }
  if (change.exposure) {
    const key = `${change.exposure.agentId}|${change.exposure.amount.currency}`;
    const now = world.exposure.get(key) ?? { open: 0n, holds: 0n };
    const d = change.exposure.direction;
    world.exposure.set(key, { open: now.open + d * change.exposure.amount.minor, holds: now.holds + d });
  }
  world.markers.set(operationId, marker);
  const journal = world.journals.get(change.journal.accountId) ?? [];
  world.journals.set(change.journal.accountId, [...journal, change.journal.entry]);
}

/** One operation as the ledger runs it: its marker first (replay or reuse), else the rule and, if accepted, the write. */
function execute(world: World, operation: LedgerOperation): Outcome {
  const { operationId } = operation.request;
  const at = new Date(world.clockMs);
  const fingerprint = fingerprintOf(operation);
  const marker = world.markers.get(operationId);
  if (marker) {
    const replay = replayOf(operationId, marker, operation.kind, fingerprint);
    return replay.ok ? { ok: true, replayed: true, result: replay.result } : { ok: false, code: replay.code };
  }
  const before = structuredClone(world);
  const decision = decide(world, operation, at);
  expect(decide(world, operation, at), 'the same state and request decide the same').toEqual(decision);
  expect(world, 'deciding changes nothing').toEqual(before);
  if (!decision.ok) {
    expect(ALLOWED[operation.kind], `${operation.kind} refused with ${decision.code}`).toContain(
      decision.code,
    );
    return { ok: false, code: decision.code };
  }
  expect(decision.kind).toBe(operation.kind);
  // Pair assertion: what the rule decided, the write condition allows on the same state.
  expect(conditionsHold(world, decision), `${operation.kind}: conditions re-check the decision`).toBe(true);
  apply(world, operationId, decision, { kind: operation.kind, fingerprint, result: decision.result });
  return { ok: true, replayed: false, result: decision.result };
}

function assertInvariants(world: World, history: History): void {
  const holds = [...world.holds.values()];
  for (const [accountId, account] of world.accounts) {
    expect(brokenInvariants(account), accountId).toEqual([]);
    const open = holds.filter((h) => h.accountId === accountId && isOpen(h.status));
    expect(account.held.minor, 'held = Σ open holds').toBe(open.reduce((t, h) => t + h.amount.minor, 0n));
    expect(account.openHolds, 'openHolds = count of open holds').toBe(open.length);
    // The journal explains the counters: its movements add up to them.
    const entries = world.journals.get(accountId) ?? [];
    const total = (name: 'funded' | 'posted' | 'held' | 'available') =>
      entries.reduce((t, e) => t + (e[name] ?? 0n), 0n);
    expect([total('funded'), total('posted'), total('held'), total('available')]).toEqual([
      account.funded.minor,
      account.posted.minor,
      account.held.minor,
      account.available.minor,
    ]);
  }
  for (const hold of holds) {
    expect(hold.postedAmount.minor >= 0n && hold.postedAmount.minor <= hold.amount.minor).toBe(true);
    const final = history.finalHolds.get(hold.holdId);
    if (final) expect(hold, 'final states never change').toEqual(final);
    else if (!isOpen(hold.status)) history.finalHolds.set(hold.holdId, hold);
    const expiresAtMs = Date.parse(hold.expiresAt);
    const closedAtMs = hold.closedAt ? Date.parse(hold.closedAt) : undefined;
    expect(
      closedAtMs === undefined,
      `${hold.holdId}: closedAt is set exactly when it left the open states`,
    ).toBe(isOpen(hold.status));
    if (hold.status === 'POSTED') expect(hold.postedAmount.minor > 0n).toBe(true);
    else expect(hold.postedAmount.minor, `${hold.status} releases nothing`).toBe(0n);
    // A hold in payment is posted when the bank answers, whatever its expiry; it went out before it.
    if (hold.status === 'POSTED' && !hold.disputedAt && !hold.paymentId)
      expect(closedAtMs! < expiresAtMs).toBe(true);
    if (hold.status === 'IN_PAYMENT') expect(hold.paymentId, 'in payment names its payment').toBeTruthy();
    if (hold.paymentId) expect(hold.disputedAt, 'a hold in payment was never disputed').toBeNull();
    if (hold.status === 'EXPIRED') expect(closedAtMs! >= expiresAtMs).toBe(true);
    if (hold.status === 'DISPUTED') expect(Date.parse(hold.disputedAt!) < expiresAtMs).toBe(true);
  }
  for (const [key, used] of world.usage) {
    expect(used <= LIMITS.dailyLimit.minor, `${key} within the daily limit`).toBe(true);
  }
  const agentOpen = holds.filter((h) => h.agentId === AGENT && isOpen(h.status));
  const exposure = world.exposure.get(`${AGENT}|USD`) ?? { open: 0n, holds: 0n };
  expect(exposure.open, 'exposure = Σ the agent’s open holds').toBe(
    agentOpen.filter((h) => h.amount.currency === 'USD').reduce((t, h) => t + h.amount.minor, 0n),
  );
  expect(Number(exposure.holds)).toBe(agentOpen.filter((h) => h.amount.currency === 'USD').length);
}

/** Rules simple enough to state again here: the answer must be the one they give. */
function assertExpectedRefusal(world: World, operation: LedgerOperation, outcome: Outcome): void {
  // A replay answers from the marker, whatever the rules would say now.
  if (world.markers.has(operation.request.operationId)) return;
  const at = world.clockMs;
  if (operation.kind === 'withdraw') {
    const account = world.accounts.get(operation.request.accountId);
    if (
      account &&
      account.currency === operation.request.amount.currency &&
      operation.request.amount.minor > 0n
    ) {
      const enough = account.available.minor >= operation.request.amount.minor;
      expect(outcome.ok ? true : outcome.code, 'withdraw is refused exactly when funds are short').toBe(
        enough ? true : 'INSUFFICIENT_FUNDS',
      );
    }
  }
  if (
    operation.kind === 'void' ||
    operation.kind === 'expire' ||
    operation.kind === 'dispute' ||
    operation.kind === 'startPayment'
  ) {
    const hold = world.holds.get(operation.request.holdId);
    // Only a void takes a hold back out of payment (the bank rejected it); nothing else touches it.
    const inPaymentVoid = hold?.status === 'IN_PAYMENT' && operation.kind === 'void';
    if (hold && hold.status !== 'HELD' && !inPaymentVoid)
      expect(outcome).toEqual({ ok: false, code: 'HOLD_NOT_OPEN' });
    if (inPaymentVoid) expect(outcome.ok).toBe(true);
    if (hold?.status === 'HELD') {
      const due = at >= Date.parse(hold.expiresAt);
      const allowed = operation.kind === 'void' || (operation.kind === 'expire' ? due : !due);
      // startPayment, like dispute, only before expiry.
      expect(outcome.ok ? true : outcome.code).toBe(allowed ? true : 'HOLD_NOT_OPEN');
    }
  }
}

// ---- operations ----

type Step =
  | { step: 'fund' | 'withdraw'; account: number; amount: bigint; currency: string }
  | {
      step: 'hold';
      account: number;
      amount: bigint;
      currency: string;
      ttlMs: number;
      by: 'person' | 'agent' | 'agentWithoutPact';
      reuseHoldId: number | null;
    }
  | { step: 'post'; pick: number; permille: number | null; byAgent: boolean }
  | { step: 'void' | 'expire' | 'dispute' | 'startPayment'; pick: number }
  | { step: 'resolveDispute'; pick: number; post: boolean; permille: number | null }
  | { step: 'advance'; ms: number }
  | { step: 'replay'; pick: number }
  | { step: 'replayChanged'; pick: number };

const amount = fc.oneof(
  { arbitrary: fc.bigInt({ min: 1n, max: 20_000n }), weight: 30 },
  { arbitrary: fc.constantFrom(0n, -500n), weight: 1 },
);
const currency = fc.oneof(
  { arbitrary: fc.constant('USD'), weight: 12 },
  { arbitrary: fc.constant('EUR'), weight: 1 },
);
const pick = fc.nat({ max: 1000 });
const permille = fc.option(fc.integer({ min: 1, max: 1100 }), { freq: 2 });

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      step: fc.constant('fund' as const),
      account: fc.nat({ max: 1 }),
      amount,
      currency,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      step: fc.constant('withdraw' as const),
      account: fc.nat({ max: 2 }),
      amount,
      currency,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      step: fc.constant('hold' as const),
      account: fc.oneof(
        { arbitrary: fc.nat({ max: 1 }), weight: 12 },
        { arbitrary: fc.constant(2), weight: 1 },
      ),
      amount,
      currency,
      ttlMs: fc.integer({ min: -600_000, max: 6 * 3_600_000 }),
      by: fc.constantFrom('person' as const, 'agent' as const, 'agent' as const, 'agentWithoutPact' as const),
      reuseHoldId: fc.oneof({ arbitrary: fc.constant(null), weight: 15 }, { arbitrary: pick, weight: 1 }),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({ step: fc.constant('post' as const), pick, permille, byAgent: fc.boolean() }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      step: fc.constantFrom('void' as const, 'expire' as const, 'dispute' as const),
      pick,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ step: fc.constant('startPayment' as const), pick }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      step: fc.constant('resolveDispute' as const),
      pick,
      post: fc.boolean(),
      permille,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      step: fc.constant('advance' as const),
      ms: fc.integer({ min: 60_000, max: 4 * 3_600_000 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ step: fc.constant('replay' as const), pick }), weight: 2 },
  { arbitrary: fc.record({ step: fc.constant('replayChanged' as const), pick }), weight: 1 },
);

const money = (minor: bigint, code: string): Money => fromMinor(minor, code);

function pickHold(world: World, index: number): string {
  const ids = [...world.holds.keys()];
  // Now and then a hold that does not exist.
  if (ids.length === 0 || index % 17 === 0) return `missing-${index}`;
  return ids[index % ids.length]!;
}

function partOf(world: World, holdId: string, permilleOfHold: number | null): Money | undefined {
  const hold = world.holds.get(holdId);
  if (permilleOfHold === null || !hold) return undefined;
  return money((hold.amount.minor * BigInt(permilleOfHold)) / 1000n, hold.amount.currency);
}

/** A request that differs from the committed one under the same operation id. */
function changed(operation: LedgerOperation): LedgerOperation {
  switch (operation.kind) {
    case 'fund':
    case 'withdraw':
    case 'hold': {
      const { amount: a } = operation.request;
      return {
        ...operation,
        request: { ...operation.request, amount: money(a.minor + 1n, a.currency) },
      } as LedgerOperation;
    }
    case 'post':
      return {
        kind: 'void',
        request: { operationId: operation.request.operationId, holdId: operation.request.holdId },
      };
    case 'void':
    case 'expire':
      return { ...operation, kind: 'dispute' };
    case 'dispute':
      return { ...operation, kind: 'void' };
    case 'startPayment':
      return {
        ...operation,
        request: { ...operation.request, paymentId: `${operation.request.paymentId}-other` },
      };
    case 'resolveDispute':
      return {
        ...operation,
        request: {
          ...operation.request,
          resolution: operation.request.resolution === 'post' ? 'void' : 'post',
        },
      };
  }
}

function operationFor(world: World, history: History, step: Step): LedgerOperation | undefined {
  const operationId = `op-${history.sequence++}`;
  const at = new Date(world.clockMs);
  switch (step.step) {
    case 'fund':
    case 'withdraw':
      return {
        kind: step.step,
        request: {
          operationId,
          accountId: ACCOUNTS[step.account]!,
          amount: money(step.amount, step.currency),
          at,
        },
      };
    case 'hold': {
      const reused = step.reuseHoldId !== null && history.holdIds.length > 0;
      const holdId = reused
        ? history.holdIds[step.reuseHoldId! % history.holdIds.length]!
        : `hold-${operationId}`;
      if (!reused) history.holdIds.push(holdId);
      const agentId =
        step.by === 'agent' ? AGENT : step.by === 'agentWithoutPact' ? AGENT_WITHOUT_PACT : undefined;
      return {
        kind: 'hold',
        request: {
          operationId,
          holdId,
          accountId: ACCOUNTS[step.account]!,
          payee: 'vendor-0042',
          amount: money(step.amount, step.currency),
          reason: 'invoice INV-1',
          expiresAt: new Date(world.clockMs + step.ttlMs),
          initiatedBy: agentId ? { kind: 'agent', id: agentId } : { kind: 'person', id: 'avery.clerk' },
          ...(agentId ? { agentId } : {}),
          at,
        },
      };
    }
    case 'post': {
      const holdId = pickHold(world, step.pick);
      const part = partOf(world, holdId, step.permille);
      return {
        kind: 'post',
        request: {
          operationId,
          holdId,
          ...(part ? { amount: part } : {}),
          ...(step.byAgent ? { releasedBy: { kind: 'agent' as const, id: AGENT } } : {}),
          at,
        },
      };
    }
    case 'void':
    case 'expire':
    case 'dispute':
      return { kind: step.step, request: { operationId, holdId: pickHold(world, step.pick), at } };
    case 'startPayment':
      return {
        kind: 'startPayment',
        request: { operationId, holdId: pickHold(world, step.pick), paymentId: `PAY-${operationId}`, at },
      };
    case 'resolveDispute': {
      const holdId = pickHold(world, step.pick);
      const part = step.post ? partOf(world, holdId, step.permille) : undefined;
      return {
        kind: 'resolveDispute',
        request: {
          operationId,
          holdId,
          resolution: step.post ? 'post' : 'void',
          ...(part ? { amount: part } : {}),
          at,
        },
      };
    }
    case 'advance':
      world.clockMs += step.ms;
      return undefined;
    case 'replay': {
      // The same request later: only the clock differs, and the clock is not part of its identity.
      const sent = history.sent[step.pick % Math.max(1, history.sent.length)];
      return sent ? ({ ...sent, request: { ...sent.request, at } } as LedgerOperation) : undefined;
    }
    case 'replayChanged': {
      const committed = history.committed[step.pick % Math.max(1, history.committed.length)];
      return committed ? changed(committed) : undefined;
    }
  }
}

function newWorld(): World {
  return {
    clockMs: START_MS,
    accounts: new Map(),
    holds: new Map(),
    usage: new Map(),
    exposure: new Map(),
    markers: new Map(),
    journals: new Map(),
  };
}

function newHistory(): History {
  return {
    sent: [],
    committed: [],
    firstResults: new Map(),
    finalHolds: new Map(),
    holdIds: [],
    sequence: 0,
  };
}

/** Runs one sequence; counts what happened, refusals by `kind:code`, into `seen`. */
function run(steps: readonly Step[], seen: Map<string, number>): void {
  const world = newWorld();
  const history = newHistory();
  for (const accountId of ['ACC-A', 'ACC-B']) {
    const funded = execute(world, {
      kind: 'fund',
      request: { operationId: `seed-${accountId}`, accountId, amount: money(20_000n, 'USD') },
    });
    expect(funded.ok).toBe(true);
  }
  for (const step of steps) {
    const operation = operationFor(world, history, step);
    if (!operation) continue;
    const { operationId } = operation.request;
    const snapshot = structuredClone(world);
    const known = world.markers.get(operationId);
    const outcome = execute(world, operation);
    assertExpectedRefusal(snapshot, operation, outcome);
    if (known) {
      // Same operationId: the same request returns the first result; a different one is refused.
      const same = known.fingerprint === fingerprintOf(operation) && known.kind === operation.kind;
      expect(outcome).toEqual(
        same
          ? { ok: true, replayed: true, result: history.firstResults.get(operationId) }
          : { ok: false, code: 'IDEMPOTENCY_KEY_REUSED' },
      );
    }
    if (!outcome.ok || outcome.replayed) {
      expect(world, 'a refused or replayed operation changes nothing').toEqual(snapshot);
    }
    if (outcome.ok && !outcome.replayed) {
      history.firstResults.set(operationId, outcome.result);
      history.committed.push(operation);
    }
    history.sent.push(operation);
    const what = !outcome.ok
      ? `${operation.kind}:${outcome.code}`
      : outcome.replayed
        ? 'replayed'
        : 'committed';
    seen.set(what, (seen.get(what) ?? 0) + 1);
    assertInvariants(world, history);
  }
}

describe('escrow rules over random operation sequences (pure core)', () => {
  it('keep every invariant, refuse without changing anything and replay by operationId', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 80, size: 'max' }), (steps) => run(steps, seen)),
      { numRuns: 150 },
    );
    console.log(`pure escrow rules: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
    // The sequences really reached every path, each refusal included.
    expect(seen.get('committed')).toBeGreaterThan(1000);
    expect(seen.get('replayed')).toBeGreaterThan(100);
    for (const path of [
      'withdraw:INSUFFICIENT_FUNDS',
      'hold:INSUFFICIENT_FUNDS',
      'hold:AGENT_LIMIT_EXCEEDED',
      'hold:CONFLICT',
      'hold:NOT_FOUND',
      'hold:VALIDATION_FAILED',
      'post:HOLD_NOT_OPEN',
      'post:AGENT_LIMIT_EXCEEDED',
      'post:VALIDATION_FAILED',
      'expire:HOLD_NOT_OPEN',
      'dispute:HOLD_NOT_OPEN',
      'resolveDispute:HOLD_NOT_OPEN',
      'void:NOT_FOUND',
    ]) {
      expect(seen.get(path), path).toBeGreaterThan(0);
    }
    expect([...seen.keys()].some((key) => key.endsWith(':IDEMPOTENCY_KEY_REUSED'))).toBe(true);
  });

  it('a hold goes HELD, perhaps DISPUTED or IN_PAYMENT, then to one final state and never back', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 60, size: 'max' }), (steps) => {
        const world = newWorld();
        const history = newHistory();
        execute(world, {
          kind: 'fund',
          request: { operationId: 'seed', accountId: 'ACC-A', amount: money(90_000n, 'USD') },
        });
        const paths = new Map<string, HoldStatus[]>();
        for (const step of steps) {
          const operation = operationFor(world, history, step);
          if (!operation) continue;
          execute(world, operation);
          history.sent.push(operation);
          for (const hold of world.holds.values()) {
            const path = paths.get(hold.holdId) ?? [];
            if (path.at(-1) !== hold.status) paths.set(hold.holdId, [...path, hold.status]);
          }
        }
        for (const path of paths.values()) {
          const allowed = [['HELD'], ['HELD', 'DISPUTED'], ['HELD', 'IN_PAYMENT']].some((open) => {
            const closing = path.slice(open.length);
            return (
              open.every((s, i) => path[i] === s) && closing.length <= 1 && closing.every((s) => !isOpen(s))
            );
          });
          expect(allowed, path.join(' → ')).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
