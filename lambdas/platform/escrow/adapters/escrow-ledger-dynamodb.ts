import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  GetItemCommand,
  type GetItemCommandOutput,
  QueryCommand,
  type QueryCommandOutput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPages } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { transactFromFreshRead } from '#platform/aws/transact.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { type Money, zero } from '#platform/core/money.ts';
import {
  type AccountView,
  type AgentExposure,
  type AgentLimitSource,
  type AgentUsage,
  type EscrowLedger,
  type FundingView,
  type FundRequest,
  type HoldRequest,
  type HoldTransitionRequest,
  type HoldView,
  ledgerDay,
  type OperationResult,
  type PostRequest,
  type ResolveDisputeRequest,
  type StartPaymentRequest,
} from '#platform/escrow/core/escrow-ledger.ts';
import {
  type AccountGuard,
  type AgentAllowance,
  type AgentDayCharge,
  type CounterDeltas,
  type Decision,
  disputeHold,
  type ExposureChange,
  expireHold,
  fundAccount,
  type HoldGuard,
  type LedgerChange,
  NO_DELTAS,
  nonPositive,
  type OperationKind,
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
import {
  accountFromItem,
  counterFromItem,
  escrowKeys,
  escrowPrefixes,
  holdFromItem,
  holdItem,
  type Item,
  journalEntryFromItem,
  journalItem,
  markerFromItem,
  markerItem,
  N,
  OPEN_HOLD_SHARDS,
  S,
  str,
} from './escrow-items.ts';

export { decodeResult, encodeResult, OPEN_HOLD_SHARDS } from './escrow-items.ts';

/** Anything that sends low-level DynamoDB commands (the shared document client does). */
export interface DynamoDbSender {
  send(command: object): Promise<object>;
}

export interface EscrowLedgerOptions {
  readonly client?: DynamoDbSender;
  /** @default tableName('escrow') */
  readonly tableName?: string;
  /** Where an agent's money limits come from; required before an agent may hold or post. */
  readonly limits?: AgentLimitSource;
  /** Attempts of one operation when transactions conflict or DynamoDB throttles. @default 8 */
  readonly maxAttempts?: number;
  /** Sees the cancellation reason codes of every cancelled transaction (benchmarks count them). */
  readonly onCancellation?: (reasons: readonly string[]) => void;
}

/** Pages one read may take. Journals and agent counters are read whole or not at all; a sweep takes what it can. */
const MAX_PAGES = { journal: 100, agentCounters: 10, sweepShard: 10, payableShard: 20 };

/** The idempotency marker is the first item of every transaction. */
const MARKER = 0;

/**
 * The escrow ledger on one DynamoDB table. Every operation reads what its rule needs, decides in
 * the core (hold-transitions.ts), and writes the decision as one TransactWriteItems: the
 * idempotency marker, the hold, the account counters, the agent's counters and a journal entry
 * change together or not at all. What the decision assumed is re-checked by write conditions
 * (available ≥ amount, status, expiry against the operation's clock, daily room), never by TTL;
 * a failed condition means the read was stale, and the operation reads and decides again.
 */
export class DynamoDbEscrowLedger implements EscrowLedger {
  readonly #client: DynamoDbSender;
  readonly #table: string | undefined;
  readonly #limits: AgentLimitSource | undefined;
  readonly #maxAttempts: number;
  readonly #onCancellation: ((reasons: readonly string[]) => void) | undefined;

  constructor(options: EscrowLedgerOptions = {}) {
    this.#client = options.client ?? dynamoDb;
    this.#table = options.tableName;
    this.#limits = options.limits;
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#onCancellation = options.onCancellation;
  }

  get #tableName(): string {
    return this.#table ?? tableName('escrow');
  }

  async ensureAccount(accountId: string, currency: string): Promise<AccountView> {
    zero(currency);
    const guard: AccountGuard = { rule: 'new-or-same-currency', currency };
    const opened = await writeIf(() =>
      this.#client.send(
        new UpdateItemCommand(accountUpdate(this.#tableName, { accountId, deltas: NO_DELTAS, guard })),
      ),
    );
    if (!opened) {
      throw new TollgateError(
        'CONFLICT',
        `Account ${accountId} exists in another currency than ${currency}.`,
      );
    }
    return (await this.getAccount(accountId)) as AccountView;
  }

  fund(request: FundRequest): Promise<OperationResult<FundingView>> {
    requirePositive(request.amount, 'fund');
    return this.#operation({ kind: 'fund', request }, async (at) =>
      fundAccount(await this.getAccount(request.accountId), request, at),
    );
  }

  withdraw(request: FundRequest): Promise<OperationResult<FundingView>> {
    requirePositive(request.amount, 'withdraw');
    return this.#operation({ kind: 'withdraw', request }, async (at) =>
      withdrawFunds(await this.getAccount(request.accountId), request, at),
    );
  }

  async hold(request: HoldRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    requirePositive(request.amount, 'hold');
    const { replayed, result } = await this.#operation({ kind: 'hold', request }, async (at) => {
      const { agentId } = request;
      const [account, existing, agent] = await Promise.all([
        this.getAccount(request.accountId),
        this.getHold(request.holdId),
        agentId ? this.#allowance(agentId, 'payment.hold', request.amount.currency, at) : undefined,
      ]);
      return placeHold({ account, existing, ...(agent ? { agent } : {}) }, request, at);
    });
    return { hold: result, replayed };
  }

  post(request: PostRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    return this.#transition({ kind: 'post', request }, async (hold, at) => {
      const releasedBy = request.releasedBy;
      const agent =
        hold && releasedBy?.kind === 'agent'
          ? await this.#allowance(releasedBy.id, 'payment.post', hold.amount.currency, at)
          : undefined;
      return postHold(hold, request, at, agent);
    });
  }

  void(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    return this.#transition({ kind: 'void', request }, (hold, at) => voidHold(hold, request, at));
  }

  expire(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    return this.#transition({ kind: 'expire', request }, (hold, at) => expireHold(hold, request, at));
  }

  dispute(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    return this.#transition({ kind: 'dispute', request }, (hold, at) => disputeHold(hold, request, at));
  }

  startPayment(request: StartPaymentRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    return this.#transition({ kind: 'startPayment', request }, (hold, at) =>
      startHoldPayment(hold, request, at),
    );
  }

  resolveDispute(request: ResolveDisputeRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    return this.#transition({ kind: 'resolveDispute', request }, (hold, at) =>
      resolveDisputedHold(hold, request, at),
    );
  }

  /** One hold leaving a state: read it, decide in the core, write with the same rule as a condition. */
  async #transition(
    operation: LedgerOperation & { request: { holdId: string } },
    decide: (hold: HoldView | undefined, at: Date) => Decision<HoldView> | Promise<Decision<HoldView>>,
  ): Promise<{ hold: HoldView; replayed: boolean }> {
    const { replayed, result } = await this.#operation(operation, async (at) =>
      decide(await this.getHold(operation.request.holdId), at),
    );
    return { hold: result, replayed };
  }

  /**
   * Runs an operation under its idempotency marker. A refusal or a taken marker is explained
   * by the marker: the same request returns the first result, a different one is an error.
   */
  async #operation<R>(
    operation: LedgerOperation,
    decide: (at: Date) => Promise<Decision<R>>,
  ): Promise<OperationResult<R>> {
    const fingerprint = fingerprintOf(operation);
    const { kind } = operation;
    const { operationId } = operation.request;
    if (!operationId)
      throw new TollgateError('IDEMPOTENCY_KEY_REQUIRED', 'Every ledger operation needs an operationId.');
    try {
      return await transactFromFreshRead<TransactWriteItem, OperationResult<R>>({
        what: `Escrow ${kind} ${operationId}`,
        maxAttempts: this.#maxAttempts,
        ...(this.#onCancellation ? { onCancellation: this.#onCancellation } : {}),
        send: (items) => this.#client.send(new TransactWriteItemsCommand({ TransactItems: [...items] })),
        plan: async () => {
          const atDate = operation.request.at ?? new Date();
          const decision = await decide(atDate);
          if (!decision.ok) throw new TollgateError(decision.code, decision.message, decision.details);
          const marker = { kind, fingerprint, result: decision.result };
          return {
            write: this.#writes(operationId, marker, decision, atDate.toISOString()),
            result: { replayed: false, result: decision.result },
          };
        },
        // Any other failed condition means another operation changed what was read: decide again.
        onConditionFailure: async (failed) =>
          failed.includes(MARKER)
            ? ((await this.#replay<R>(operationId, kind, fingerprint)) ?? 'retry')
            : 'retry',
      });
    } catch (error) {
      if (!(error instanceof TollgateError) || error.code === 'IDEMPOTENCY_KEY_REUSED') throw error;
      const replay = await this.#replay<R>(operationId, kind, fingerprint);
      if (replay) return replay.result;
      throw error;
    }
  }

  /** The first result under this operationId, if the operation committed. */
  async #replay<R>(
    operationId: string,
    kind: OperationKind,
    fingerprint: string,
  ): Promise<{ result: OperationResult<R> } | undefined> {
    const item = await this.#get(escrowKeys.marker(operationId));
    if (!item) return undefined;
    const verdict = replayOf(operationId, markerFromItem(item), kind, fingerprint);
    if (!verdict.ok) throw new TollgateError(verdict.code, verdict.message, verdict.details);
    return { result: { replayed: true, result: verdict.result as R } };
  }

  /** The transaction for one decision; the marker comes first (MARKER). */
  #writes(
    operationId: string,
    marker: OperationMarker,
    change: LedgerChange<unknown>,
    at: string,
  ): TransactWriteItem[] {
    const table = this.#tableName;
    const { accountId, entry } = change.journal;
    return [
      { Put: { TableName: table, Item: markerItem(operationId, marker, at), ConditionExpression: NEW } },
      ...(change.hold ? [holdWrite(table, change.hold.next, change.hold.guard, at)] : []),
      ...(change.account ? [{ Update: accountUpdate(table, change.account) }] : []),
      ...(change.agentDay ? [{ Update: agentDayUpdate(table, change.agentDay) }] : []),
      ...(change.exposure ? [{ Update: exposureUpdate(table, change.exposure) }] : []),
      {
        Put: {
          TableName: table,
          Item: journalItem(accountId, operationId, at, entry),
          ConditionExpression: NEW,
        },
      },
    ];
  }

  /** What the agent may still move today: its limits for the action and its day counter in that currency. */
  async #allowance(
    agentId: string,
    action: 'payment.hold' | 'payment.post',
    currency: string,
    at: Date,
  ): Promise<AgentAllowance> {
    const [limits, day] = await Promise.all([
      this.#limits?.limitsFor(agentId, action),
      this.#get(escrowKeys.agentDay(agentId, ledgerDay(at), currency)),
    ]);
    return { limits, usedToday: day ? counterFromItem(day, 'used').minor : 0n };
  }

  async getAccount(accountId: string): Promise<AccountView | undefined> {
    const item = await this.#get(escrowKeys.account(accountId));
    return item ? accountFromItem(accountId, item) : undefined;
  }

  async getHold(holdId: string): Promise<HoldView | undefined> {
    const item = await this.#get(escrowKeys.hold(holdId));
    return item ? holdFromItem(item) : undefined;
  }

  async openExposure(agentId: string): Promise<AgentExposure> {
    const items = await this.#queryPrefix(
      escrowPrefixes.agent(agentId),
      escrowPrefixes.exposure,
      MAX_PAGES.agentCounters,
    );
    return {
      agentId,
      open: items.map((item) => counterFromItem(item, 'open')),
      openHolds: items.reduce((total, item) => total + Number(item.openHolds?.N ?? '0'), 0),
    };
  }

  async usageOn(agentId: string, day: string): Promise<AgentUsage> {
    const items = await this.#queryPrefix(
      escrowPrefixes.agent(agentId),
      escrowPrefixes.agentDay(day),
      MAX_PAGES.agentCounters,
    );
    return { agentId, day, used: items.map((item) => counterFromItem(item, 'used')) };
  }

  /** The account's journal, oldest first; entries are only ever put, never updated. */
  async journal(accountId: string): Promise<Record<string, unknown>[]> {
    const items = await this.#queryPrefix(escrowPrefixes.journal(accountId), '', MAX_PAGES.journal);
    return items.map(journalEntryFromItem);
  }

  /** Open holds whose expiry is at or before `at`, for the sweeper; disputed holds are not listed. */
  async dueForExpiry(at: Date, limit = 100): Promise<string[]> {
    const due: string[] = [];
    for (let shard = 0; shard < OPEN_HOLD_SHARDS && due.length < limit; shard++) {
      const items = await queryPages<Item, Item>(
        (startKey, remaining) =>
          this.#client.send(
            new QueryCommand({
              TableName: this.#tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :bound',
              ExpressionAttributeValues: {
                ':p': S(escrowPrefixes.openHolds(shard)),
                ':bound': S(`${at.toISOString()}$`),
              },
              Limit: remaining,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ) as Promise<QueryCommandOutput>,
        {
          maxPages: MAX_PAGES.sweepShard,
          maxItems: limit - due.length,
          // The next sweep picks up what this one left.
          atBound: 'partial',
          what: `Open holds of shard ${shard}`,
        },
      );
      for (const item of items) due.push(str(item.holdId));
    }
    return due;
  }

  /**
   * HELD holds of one account released at or before `at`, oldest release first, at most `limit`
   * (the caller decides what a full page means). Read from the sparse payable index; each hold is
   * re-read with a consistent read, and the payment's own write condition re-checks HELD anyway.
   */
  async payableHolds(accountId: string, at: Date, limit: number): Promise<HoldView[]> {
    const listed: { key: string; holdId: string }[] = [];
    for (let shard = 0; shard < OPEN_HOLD_SHARDS; shard++) {
      const items = await queryPages<Item, Item>(
        (startKey, remaining) =>
          this.#client.send(
            new QueryCommand({
              TableName: this.#tableName,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :p AND gsi2sk < :bound',
              ExpressionAttributeValues: {
                ':p': S(escrowPrefixes.payableHolds(accountId, shard)),
                ':bound': S(`${at.toISOString()}$`),
              },
              Limit: remaining,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ) as Promise<QueryCommandOutput>,
        {
          maxPages: MAX_PAGES.payableShard,
          maxItems: limit,
          atBound: 'partial',
          what: `Payable holds of ${accountId} shard ${shard}`,
        },
      );
      for (const item of items) listed.push({ key: str(item.gsi2sk), holdId: str(item.holdId) });
    }
    const oldestFirst = listed.sort((a, b) => a.key.localeCompare(b.key)).slice(0, limit);
    const items = await this.#batchGet(oldestFirst.map(({ holdId }) => escrowKeys.hold(holdId)));
    const byId = new Map(items.map((item) => [str(item.holdId), holdFromItem(item)]));
    return oldestFirst.flatMap(({ holdId }) => {
      const hold = byId.get(holdId);
      return hold?.status === 'HELD' ? [hold] : [];
    });
  }

  /**
   * Reads many items, strongly consistent, 100 keys per BatchGetItem and a few batches at a time;
   * keys DynamoDB leaves unprocessed are asked for again (bounded), never dropped.
   */
  async #batchGet(keys: readonly Item[]): Promise<Item[]> {
    const BATCH = 100;
    const LANES = 4;
    const MAX_RETRIES = 8;
    const batches: Item[][] = [];
    for (let start = 0; start < keys.length; start += BATCH) batches.push(keys.slice(start, start + BATCH));
    const found: Item[] = [];
    let next = 0;
    const lane = async () => {
      for (let index = next++; index < batches.length; index = next++) {
        let pending = batches[index] as Item[];
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > MAX_RETRIES)
            throw new Error(`Escrow read left ${pending.length} holds unread after ${MAX_RETRIES} retries.`);
          let out: BatchGetItemCommandOutput;
          try {
            out = (await this.#client.send(
              new BatchGetItemCommand({
                RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: true } },
              }),
            )) as BatchGetItemCommandOutput;
          } catch (error) {
            rethrowTransient(error);
          }
          found.push(...((out.Responses?.[this.#tableName] ?? []) as Item[]));
          pending = (out.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as Item[];
          if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, batches.length) }, lane));
    return found;
  }

  async #get(key: Item): Promise<Item | undefined> {
    try {
      const out = (await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
      )) as GetItemCommandOutput;
      return out.Item;
    } catch (error) {
      rethrowTransient(error);
    }
  }

  #queryPrefix(pk: string, prefix: string, maxPages: number): Promise<Item[]> {
    return queryPages<Item, Item>(
      (startKey) =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': S(pk), ...(prefix ? { ':prefix': S(prefix) } : {}) },
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ) as Promise<QueryCommandOutput>,
      { maxPages, atBound: 'refuse', what: `Items under ${pk}${prefix ? ` starting ${prefix}` : ''}` },
    );
  }
}

const NEW = 'attribute_not_exists(pk)';

/** A new hold is put once; a hold leaving a state is updated only if it is still in that state on the same side of its expiry. */
function holdWrite(table: string, next: HoldView, guard: HoldGuard, at: string): TransactWriteItem {
  if (guard.rule === 'new')
    return { Put: { TableName: table, Item: holdItem(next), ConditionExpression: NEW } };
  const closes = next.status !== 'DISPUTED' && next.status !== 'IN_PAYMENT';
  const clockRule = {
    'before-expiry': ' AND expiresAtMs > :at',
    'at-or-after-expiry': ' AND expiresAtMs <= :at',
    any: '',
  }[guard.expiry];
  return {
    Update: {
      TableName: table,
      Key: escrowKeys.hold(next.holdId),
      // Leaving HELD leaves both sparse indexes: neither the sweeper nor a payment run sees it again.
      UpdateExpression: closes
        ? 'SET #status = :to, postedAmount = :posted, closedAt = :now REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk'
        : next.status === 'IN_PAYMENT'
          ? 'SET #status = :to, paymentId = :payment REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk'
          : 'SET #status = :to, disputedAt = :now REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk',
      ConditionExpression: `#status = :from${clockRule}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':to': S(next.status),
        ':from': S(guard.from),
        ...(next.status === 'IN_PAYMENT' ? { ':payment': S(next.paymentId ?? '') } : { ':now': S(at) }),
        ...(closes ? { ':posted': N(next.postedAmount.minor) } : {}),
        ...(clockRule ? { ':at': N(guard.atMs) } : {}),
      },
    },
  };
}

/** Moves every counter by its delta; the guard is the condition (new or same currency, enough available, exists). */
function accountUpdate(
  table: string,
  change: { accountId: string; deltas: CounterDeltas; guard: AccountGuard },
): Update {
  const { accountId, deltas, guard } = change;
  const add = 'ADD funded :funded, posted :posted, held :held, available :available, openHolds :openHolds';
  const condition = {
    'new-or-same-currency': {
      UpdateExpression: `SET currency = if_not_exists(currency, :c), accountId = :id ${add}`,
      ConditionExpression: 'attribute_not_exists(pk) OR currency = :c',
    },
    covers: { UpdateExpression: add, ConditionExpression: 'currency = :c AND available >= :need' },
    exists: { UpdateExpression: add, ConditionExpression: 'attribute_exists(pk)' },
  }[guard.rule];
  return {
    TableName: table,
    Key: escrowKeys.account(accountId),
    ...condition,
    ExpressionAttributeValues: {
      ':funded': N(deltas.funded),
      ':posted': N(deltas.posted),
      ':held': N(deltas.held),
      ':available': N(deltas.available),
      ':openHolds': N(deltas.openHolds),
      ...(guard.rule === 'exists' ? {} : { ':c': S(guard.currency) }),
      ...(guard.rule === 'new-or-same-currency' ? { ':id': S(accountId) } : {}),
      ...(guard.rule === 'covers' ? { ':need': N(guard.amount) } : {}),
    },
  };
}

function agentDayUpdate(table: string, charge: AgentDayCharge): Update {
  return {
    TableName: table,
    Key: escrowKeys.agentDay(charge.agentId, charge.day, charge.amount.currency),
    UpdateExpression: 'SET currency = :c ADD used :a',
    // No arithmetic in conditions: "used + amount ≤ daily" is written as "used ≤ daily − amount".
    ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
    ExpressionAttributeValues: {
      ':c': S(charge.amount.currency),
      ':a': N(charge.amount.minor),
      ':room': N(charge.room),
    },
  };
}

function exposureUpdate(table: string, change: ExposureChange): Update {
  return {
    TableName: table,
    Key: escrowKeys.exposure(change.agentId, change.amount.currency),
    UpdateExpression: 'SET currency = :c ADD #open :a, openHolds :n',
    ExpressionAttributeNames: { '#open': 'open' },
    ExpressionAttributeValues: {
      ':c': S(change.amount.currency),
      ':a': N(change.direction * change.amount.minor),
      ':n': N(change.direction),
    },
  };
}

/** Refused before anything is read or the operationId is looked at. */
function requirePositive(amount: Money, what: string): void {
  zero(amount.currency);
  const refused = nonPositive(amount, what);
  if (refused) throw new TollgateError(refused.code, refused.message);
}
