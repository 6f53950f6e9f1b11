import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TollgateError, TransientStoreError } from '#platform/core/errors.ts';
import { fromMinor } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { type HoldView, isOpen, ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { type LocalTables, startLocalTables } from '../../../support/dynamodb-tables.ts';
import { AGENT_LIMITS, type Expected, LedgerModel, type Op } from '../../../support/escrow-model.ts';

// Random sequences of ledger operations against DynamoDB Local, each checked against the
// reference model and the ledger invariants after every step. Set LEDGER_SEED to replay a run.
const SEED = Number(process.env.LEDGER_SEED ?? Math.floor(Math.random() * 2 ** 31));
const START_MS = Date.parse('2030-03-01T22:00:00.000Z');
const USD = (minor: bigint) => fromMinor(minor, 'USD');
const limits = {
  limitsFor: async () => ({
    perActionLimit: USD(AGENT_LIMITS.perAction),
    dailyLimit: USD(AGENT_LIMITS.daily),
  }),
};

type Fault = 'none' | 'throttle' | 'conflict' | 'lost';

let tables: LocalTables;
const faults = { next: 'none' as Fault, injected: { throttle: 0, conflict: 0, lost: 0 } };
const tally = { operations: 0, committed: 0, refused: 0, replayed: 0 };
let plainLedger: DynamoDbEscrowLedger;
let faultyLedger: DynamoDbEscrowLedger;

beforeAll(async () => {
  tables = await startLocalTables();
  plainLedger = new DynamoDbEscrowLedger({ client: tables.client(), limits });
  const faulty = tables.client({ maxAttempts: 1 });
  // Faults at the wire: before sending (nothing committed) or after a commit whose answer is then lost.
  faulty.middlewareStack.add(
    (next, context) => async (args) => {
      const fault = faults.next;
      if (context.commandName !== 'TransactWriteItemsCommand' || fault === 'none') return next(args);
      faults.next = 'none';
      faults.injected[fault]++;
      if (fault === 'throttle')
        throw Object.assign(new Error('injected throttling'), { name: 'ThrottlingException' });
      if (fault === 'conflict')
        throw Object.assign(new Error('injected conflict'), { name: 'TransactionConflictException' });
      const output = await next(args);
      throw Object.assign(new Error('injected: committed, response lost'), { name: 'TimeoutError', output });
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  faultyLedger = new DynamoDbEscrowLedger({ client: faulty, limits });
  console.log(`escrow ledger model-based tests: seed ${SEED} (replay with LEDGER_SEED=${SEED})`);
});
afterAll(async () => {
  await tables?.stop();
});

interface World {
  readonly model: LedgerModel;
  readonly ledger: DynamoDbEscrowLedger;
  readonly accountIds: readonly string[];
  readonly prefix: string;
  readonly sent: Op[];
  readonly firstResults: Map<string, unknown>;
  readonly finalHolds: Map<string, HoldView>;
  readonly journals: Map<string, Map<string, string>>;
  sequence: number;
}

/** Callers retry what the ledger calls transient, and a lost answer, with the same operationId. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retriable = error instanceof TransientStoreError || (error as Error).name === 'TimeoutError';
      if (!retriable || attempt >= 10) throw error;
    }
  }
}

async function send(world: World, op: Op): Promise<{ replayed: boolean; value: unknown }> {
  const { ledger, model } = world;
  const at = new Date(model.clockMs);
  const agent = { kind: 'agent' as const, id: model.agentId };
  switch (op.kind) {
    case 'fund':
    case 'withdraw': {
      const request = { operationId: op.operationId, accountId: op.accountId, amount: USD(op.amount), at };
      const out = op.kind === 'fund' ? await ledger.fund(request) : await ledger.withdraw(request);
      return { replayed: out.replayed, value: out.result };
    }
    case 'hold': {
      const out = await ledger.hold({
        operationId: op.operationId,
        holdId: op.holdId,
        accountId: op.accountId,
        payee: 'vendor-0042',
        amount: USD(op.amount),
        reason: 'invoice INV-1',
        expiresAt: new Date(op.expiresAtMs),
        initiatedBy: op.byAgent ? agent : { kind: 'person', id: 'avery.clerk', role: 'ap_clerk' },
        ...(op.byAgent ? { agentId: model.agentId } : {}),
        at,
      });
      return { replayed: out.replayed, value: out.hold };
    }
    case 'post': {
      const out = await ledger.post({
        operationId: op.operationId,
        holdId: op.holdId,
        ...(op.amount !== null ? { amount: USD(op.amount) } : {}),
        ...(op.byAgent ? { releasedBy: agent } : {}),
        at,
      });
      return { replayed: out.replayed, value: out.hold };
    }
    case 'void':
    case 'expire':
    case 'dispute': {
      const out = await ledger[op.kind]({ operationId: op.operationId, holdId: op.holdId, at });
      return { replayed: out.replayed, value: out.hold };
    }
    case 'startPayment': {
      const out = await ledger.startPayment({
        operationId: op.operationId,
        holdId: op.holdId,
        paymentId: `PAY-${op.holdId}`,
        at,
      });
      return { replayed: out.replayed, value: out.hold };
    }
    case 'resolveDispute': {
      const out = await ledger.resolveDispute({
        operationId: op.operationId,
        holdId: op.holdId,
        resolution: op.resolution,
        ...(op.amount !== null ? { amount: USD(op.amount) } : {}),
        at,
      });
      return { replayed: out.replayed, value: out.hold };
    }
  }
}

async function execute(world: World, op: Op, fault: Fault): Promise<void> {
  const expected: Expected = world.model.apply(op);
  world.sent.push(op);
  faults.next = fault;
  let actual: { ok: true; replayed: boolean; value: unknown } | { ok: false; code: string };
  try {
    actual = { ok: true, ...(await retrying(() => send(world, op))) };
  } catch (error) {
    if (!(error instanceof TollgateError)) throw error;
    actual = { ok: false, code: error.code };
  } finally {
    faults.next = 'none';
  }
  const where = `${op.kind} ${op.operationId}`;
  tally.operations++;
  if (!actual.ok) tally.refused++;
  else if (actual.replayed) tally.replayed++;
  else tally.committed++;
  if (!expected.ok) {
    expect(actual.ok, `${where}: the model refuses it`).toBe(false);
    if (!actual.ok) expect(expected.codes, where).toContain(actual.code);
  } else {
    expect(actual, `${where}: the model accepts it`).toMatchObject({ ok: true });
    if (!actual.ok) return;
    if (expected.replay) {
      expect(actual.replayed, where).toBe(true);
      expect(actual.value, `${where}: a replay returns the first result`).toEqual(
        world.firstResults.get(op.operationId),
      );
    } else {
      if (fault !== 'lost') expect(actual.replayed, where).toBe(false);
      world.firstResults.set(op.operationId, actual.value);
      if (expected.hold) {
        const hold = actual.value as HoldView;
        expect(hold.status, where).toBe(expected.hold.status);
        expect(hold.postedAmount.minor, where).toBe(expected.hold.posted);
      }
    }
  }
  await assertInvariants(world);
}

async function assertInvariants(world: World): Promise<void> {
  const { model, ledger } = world;
  const holds = await Promise.all([...model.holds.keys()].map((id) => ledger.getHold(id)));
  for (const accountId of world.accountIds) {
    const [account, journal] = await Promise.all([ledger.getAccount(accountId), ledger.journal(accountId)]);
    const expected = model.accounts.get(accountId)!;
    expect(account, accountId).toBeDefined();
    const { funded, posted, held, available } = account!;
    expect(available.minor, 'available = funded − posted − held').toBe(
      funded.minor - posted.minor - held.minor,
    );
    expect(available.minor >= 0n, 'available ≥ 0').toBe(true);
    expect([funded.minor, posted.minor, held.minor]).toEqual([
      expected.funded,
      expected.posted,
      expected.held,
    ]);
    const openHeld = holds
      .filter((h) => h && h.accountId === accountId && isOpen(h.status))
      .reduce((total, h) => total + h!.amount.minor, 0n);
    expect(held.minor, 'held = Σ open holds').toBe(openHeld);
    // Journal: one entry per committed operation, and no entry ever changes.
    expect(journal.length, `${accountId} journal entries`).toBe(expected.journalEntries);
    const seen = world.journals.get(accountId) ?? new Map<string, string>();
    const now = new Map(journal.map((entry) => [String(entry.operationId), JSON.stringify(entry)]));
    for (const [operationId, entry] of seen)
      expect(now.get(operationId), 'journal is append-only').toBe(entry);
    world.journals.set(accountId, now);
  }
  for (const hold of holds) {
    expect(hold).toBeDefined();
    const mine = model.holds.get(hold!.holdId)!;
    expect([hold!.status, hold!.postedAmount.minor]).toEqual([mine.status, mine.posted]);
    expect(hold!.postedAmount.minor <= hold!.amount.minor, 'a post never exceeds its hold').toBe(true);
    const final = world.finalHolds.get(hold!.holdId);
    if (final) expect(hold, 'final states never change').toEqual(final);
    else if (!isOpen(hold!.status)) world.finalHolds.set(hold!.holdId, hold!);
    const closed = hold!.closedAt ? Date.parse(hold!.closedAt) : undefined;
    // A hold in payment is posted when the bank answers, whatever its expiry: it left before it.
    if (hold!.status === 'POSTED' && !hold!.disputedAt && !hold!.paymentId)
      expect(closed! < Date.parse(hold!.expiresAt), 'no post at or after expiry').toBe(true);
    if (hold!.status === 'IN_PAYMENT') expect(hold!.paymentId, 'in payment names its payment').toBeTruthy();
    if (hold!.status === 'EXPIRED')
      expect(closed! >= Date.parse(hold!.expiresAt), 'no expiry before its time').toBe(true);
  }
  const [exposure, usage] = await Promise.all([
    ledger.openExposure(model.agentId),
    ledger.usageOn(model.agentId, ledgerDay(new Date(model.clockMs))),
  ]);
  expect(exposure.open.find((m) => m.currency === 'USD')?.minor ?? 0n, 'agent exposure').toBe(
    model.agentOpen,
  );
  expect(usage.used.find((m) => m.currency === 'USD')?.minor ?? 0n, 'agent usage today').toBe(
    model.agentDay.get(ledgerDay(new Date(model.clockMs))) ?? 0n,
  );
}

const fault: fc.Arbitrary<Fault> = fc.constantFrom('none', 'none', 'throttle', 'conflict', 'lost');
const amount = fc.bigInt({ min: 1n, max: 20_000n });
const pick = fc.nat({ max: 1000 });

function opId(world: World): string {
  return `${world.prefix}-op${world.sequence++}`;
}

function pickHold(world: World, index: number): string | undefined {
  const ids = [...world.model.holds.keys()];
  return ids.length === 0 ? undefined : ids[index % ids.length];
}

/** Returns a payload that differs from the committed one under the same operation id. */
function changed(op: Op): Op {
  switch (op.kind) {
    case 'fund':
    case 'withdraw':
    case 'hold':
      return { ...op, amount: op.amount + 1n };
    case 'post':
      return { ...op, amount: (op.amount ?? 2n) - 1n || 1n, byAgent: !op.byAgent };
    case 'void':
      return { ...op, kind: 'dispute' };
    case 'expire':
    case 'dispute':
    case 'startPayment':
      return { ...op, kind: 'void' };
    case 'resolveDispute':
      return { ...op, resolution: op.resolution === 'post' ? 'void' : 'post' };
  }
}

class Step implements fc.AsyncCommand<World, World> {
  readonly label: string;
  readonly build: (world: World) => Op | 'advance' | undefined;
  readonly fault: Fault;
  readonly advanceMs: number;
  constructor(
    label: string,
    build: (world: World) => Op | 'advance' | undefined,
    fault: Fault,
    advanceMs = 0,
  ) {
    this.label = label;
    this.build = build;
    this.fault = fault;
    this.advanceMs = advanceMs;
  }
  check(): boolean {
    return true;
  }
  async run(world: World): Promise<void> {
    const op = this.build(world);
    if (op === 'advance') {
      world.model.clockMs += this.advanceMs;
      return;
    }
    if (op) await execute(world, op, this.fault);
  }
  toString(): string {
    return `${this.label}${this.fault !== 'none' ? ` [${this.fault}]` : ''}`;
  }
}

function commands(withFaults: boolean) {
  const f = withFaults ? fault : fc.constant<Fault>('none');
  return [
    fc.tuple(fc.nat({ max: 1 }), amount, fc.boolean(), f).map(
      ([account, value, withdraw, x]) =>
        new Step(
          `${withdraw ? 'withdraw' : 'fund'}(${account}, ${value})`,
          (w) => ({
            kind: withdraw ? 'withdraw' : 'fund',
            operationId: opId(w),
            accountId: w.accountIds[account]!,
            amount: value,
          }),
          x,
        ),
    ),
    fc.tuple(fc.nat({ max: 1 }), amount, fc.integer({ min: 1, max: 6 * 3_600_000 }), fc.boolean(), f).map(
      ([account, value, ttlMs, byAgent, x]) =>
        new Step(
          `hold(${account}, ${value}, ttl ${ttlMs}, ${byAgent ? 'agent' : 'person'})`,
          (w) => ({
            kind: 'hold',
            operationId: opId(w),
            holdId: `${w.prefix}-hold${w.sequence}`,
            accountId: w.accountIds[account]!,
            amount: value,
            expiresAtMs: w.model.clockMs + ttlMs,
            byAgent,
          }),
          x,
        ),
    ),
    fc.tuple(pick, fc.option(fc.integer({ min: 1, max: 999 })), fc.boolean(), f).map(
      ([index, permille, byAgent, x]) =>
        new Step(
          `post(#${index}, ${permille === null ? 'full' : `${permille}‰`}, ${byAgent ? 'agent' : 'person'})`,
          (w) => {
            const holdId = pickHold(w, index);
            if (!holdId) return undefined;
            const hold = w.model.holds.get(holdId)!;
            const partial = permille === null ? null : (hold.amount * BigInt(permille)) / 1000n || 1n;
            return { kind: 'post', operationId: opId(w), holdId, amount: partial, byAgent };
          },
          x,
        ),
    ),
    fc
      .tuple(
        fc.constantFrom('void', 'expire', 'dispute', 'startPayment') as fc.Arbitrary<
          'void' | 'expire' | 'dispute' | 'startPayment'
        >,
        pick,
        f,
      )
      .map(
        ([kind, index, x]) =>
          new Step(
            `${kind}(#${index})`,
            (w) => {
              const holdId = pickHold(w, index);
              return holdId ? { kind, operationId: opId(w), holdId } : undefined;
            },
            x,
          ),
      ),
    fc.tuple(pick, fc.boolean(), fc.option(fc.integer({ min: 1, max: 999 })), f).map(
      ([index, post, permille, x]) =>
        new Step(
          `resolveDispute(#${index}, ${post ? 'post' : 'void'})`,
          (w) => {
            const holdId = pickHold(w, index);
            if (!holdId) return undefined;
            const hold = w.model.holds.get(holdId)!;
            const partial = permille === null ? null : (hold.amount * BigInt(permille)) / 1000n || 1n;
            return {
              kind: 'resolveDispute',
              operationId: opId(w),
              holdId,
              resolution: post ? 'post' : 'void',
              amount: post ? partial : null,
            };
          },
          x,
        ),
    ),
    fc
      .integer({ min: 60_000, max: 4 * 3_600_000 })
      .map((ms) => new Step(`advance(${ms} ms)`, () => 'advance', 'none', ms)),
    fc
      .tuple(pick, f)
      .map(
        ([index, x]) =>
          new Step(
            `replay(#${index})`,
            (w) => (w.sent.length ? w.sent[index % w.sent.length] : undefined),
            x,
          ),
      ),
    fc.tuple(pick, f).map(
      ([index, x]) =>
        new Step(
          `replayChanged(#${index})`,
          (w) => {
            const committed = [...w.model.committed.values()];
            return committed.length ? changed(committed[index % committed.length]!.op) : undefined;
          },
          x,
        ),
    ),
  ];
}

let runs = 0;
async function property(withFaults: boolean, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands(withFaults), { maxCommands: 40, size: 'max' }), async (steps) => {
      const prefix = `s${SEED}-r${runs++}${withFaults ? 'f' : ''}`;
      const ledger = withFaults ? faultyLedger : plainLedger;
      const accountIds = [`${prefix}-A`, `${prefix}-B`];
      for (const id of accountIds) await ledger.ensureAccount(id, 'USD');
      const model = new LedgerModel(accountIds, `${prefix}-agent`, START_MS);
      const world: World = {
        model,
        ledger,
        accountIds,
        prefix,
        sent: [],
        firstResults: new Map(),
        finalHolds: new Map(),
        journals: new Map(),
        sequence: 0,
      };
      for (const accountId of accountIds) {
        await execute(world, { kind: 'fund', operationId: opId(world), accountId, amount: 50_000n }, 'none');
      }
      await fc.asyncModelRun(() => ({ model: world, real: world }), steps);
    }),
    { seed: SEED, numRuns, endOnFailure: true },
  );
}

describe('escrow ledger against the reference model (DynamoDB Local)', () => {
  it('keeps every invariant over random operation sequences', async () => {
    await property(false, 30);
    console.log(`operations: ${JSON.stringify(tally)}`);
    expect(tally.committed).toBeGreaterThan(100);
  }, 120_000);

  it('keeps every invariant when transactions conflict, DynamoDB throttles and committed answers are lost', async () => {
    faults.injected = { throttle: 0, conflict: 0, lost: 0 };
    await property(true, 30);
    // The faults were really injected, so the retries were really exercised.
    expect(faults.injected.lost).toBeGreaterThan(0);
    expect(faults.injected.throttle + faults.injected.conflict).toBeGreaterThan(0);
    console.log(`injected faults: ${JSON.stringify(faults.injected)}`);
  }, 120_000);
});
