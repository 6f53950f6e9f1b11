import {
  type AttributeValue,
  GetItemCommand,
  type GetItemCommandOutput,
  QueryCommand,
  type QueryCommandOutput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { canonicalJson } from '#platform/core/canonical-json.ts';
import { TollgateError, TransientStoreError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { compare, formatMoney, fromMinor, type Money, zero } from '#platform/core/money.ts';
import {
  type AccountView,
  type AgentExposure,
  type AgentLimitSource,
  type AgentUsage,
  type EscrowLedger,
  type FundingView,
  type FundRequest,
  type HoldRequest,
  type HoldStatus,
  type HoldTransitionRequest,
  type HoldView,
  type Initiator,
  ledgerDay,
  type OperationResult,
  type PostRequest,
  type ResolveDisputeRequest,
} from '#platform/escrow/core/escrow-ledger.ts';

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

/** Shards of the sparse "open holds by expiry" index partition, so the sweeper's index is not one hot key. */
export const OPEN_HOLD_SHARDS = 8;

type Role = 'marker' | 'account' | 'hold' | 'agentDay' | 'exposure' | 'journal';

class MarkerTaken extends Error {}
/** The hold changed between our read and our write; read again and decide again. */
class StaleRead extends TransientStoreError {}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: bigint | number): AttributeValue => ({ N: value.toString() });

/**
 * The escrow ledger on one DynamoDB table. Every operation is a single TransactWriteItems:
 * the idempotency marker, the hold, the account counters, the agent's counters and a journal
 * entry change together or not at all. Money rules live in the write conditions
 * (available ≥ amount, status, expiry against the operation's clock, daily room), never in TTL.
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
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: accountKey(accountId),
          UpdateExpression:
            'SET currency = if_not_exists(currency, :c), accountId = :id ADD funded :z, posted :z, held :z, available :z, openHolds :z',
          ConditionExpression: 'attribute_not_exists(pk) OR currency = :c',
          ExpressionAttributeValues: { ':c': S(currency), ':id': S(accountId), ':z': N(0) },
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new TollgateError(
          'CONFLICT',
          `Account ${accountId} exists in another currency than ${currency}.`,
        );
      }
      rethrowTransient(error);
    }
    return (await this.getAccount(accountId)) as AccountView;
  }

  fund(request: FundRequest): Promise<OperationResult<FundingView>> {
    return this.#funding('fund', request);
  }

  withdraw(request: FundRequest): Promise<OperationResult<FundingView>> {
    return this.#funding('withdraw', request);
  }

  async #funding(kind: 'fund' | 'withdraw', request: FundRequest): Promise<OperationResult<FundingView>> {
    requirePositive(request.amount, kind);
    const fingerprint = fingerprintOf(kind, {
      accountId: request.accountId,
      amount: moneyJson(request.amount),
    });
    return this.#idempotent(kind, request.operationId, fingerprint, async () => {
      const at = (request.at ?? new Date()).toISOString();
      const result: FundingView = { accountId: request.accountId, kind, amount: request.amount, at };
      const sign = kind === 'fund' ? 1n : -1n;
      const amount = request.amount.minor;
      try {
        await this.#transact([
          {
            role: 'account',
            item: {
              Update: {
                TableName: this.#tableName,
                Key: accountKey(request.accountId),
                UpdateExpression:
                  kind === 'fund'
                    ? 'SET currency = if_not_exists(currency, :c), accountId = :id ADD funded :a, available :a, posted :z, held :z, openHolds :z'
                    : 'ADD funded :neg, available :neg',
                ConditionExpression:
                  kind === 'fund'
                    ? 'attribute_not_exists(pk) OR currency = :c'
                    : 'currency = :c AND available >= :a',
                ExpressionAttributeValues:
                  kind === 'fund'
                    ? {
                        ':c': S(request.amount.currency),
                        ':id': S(request.accountId),
                        ':a': N(amount),
                        ':z': N(0),
                      }
                    : { ':c': S(request.amount.currency), ':a': N(amount), ':neg': N(-amount) },
              },
            },
          },
          this.#markerPut(request.operationId, kind, fingerprint, result, at),
          this.#journalPut(request.accountId, request.operationId, at, {
            kind,
            amount: request.amount,
            funded: sign * amount,
            available: sign * amount,
          }),
        ]);
      } catch (error) {
        if (error instanceof Cancelled && error.role === 'account') {
          const account = await this.getAccount(request.accountId);
          if (account && account.currency !== request.amount.currency) {
            throw new TollgateError(
              'VALIDATION_FAILED',
              `Account ${request.accountId} holds ${account.currency}, not ${request.amount.currency}.`,
            );
          }
          throw new TollgateError(
            'INSUFFICIENT_FUNDS',
            `Account ${request.accountId} has ${account ? formatMoney(account.available) : 'no'} available; withdraw less.`,
          );
        }
        throw error;
      }
      return result;
    });
  }

  async hold(request: HoldRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    requirePositive(request.amount, 'hold');
    const fingerprint = fingerprintOf('hold', {
      holdId: request.holdId,
      accountId: request.accountId,
      payee: request.payee,
      amount: moneyJson(request.amount),
      reason: request.reason,
      expiresAt: request.expiresAt.toISOString(),
      releaseAt: request.releaseAt?.toISOString() ?? null,
      initiatedBy: request.initiatedBy,
      agentId: request.agentId ?? null,
    });
    const { replayed, result } = await this.#idempotent(
      'hold',
      request.operationId,
      fingerprint,
      async () => {
        const atDate = request.at ?? new Date();
        const at = atDate.toISOString();
        if (request.expiresAt.getTime() <= atDate.getTime()) {
          throw new TollgateError(
            'VALIDATION_FAILED',
            `Hold ${request.holdId} would expire before it starts; set expiresAt later.`,
          );
        }
        const hold: HoldView = {
          holdId: request.holdId,
          accountId: request.accountId,
          payee: request.payee,
          amount: request.amount,
          postedAmount: zero(request.amount.currency),
          status: 'HELD',
          reason: request.reason,
          expiresAt: request.expiresAt.toISOString(),
          releaseAt: request.releaseAt?.toISOString() ?? null,
          initiatedBy: request.initiatedBy,
          agentId: request.agentId ?? null,
          createdAt: at,
          closedAt: null,
          disputedAt: null,
        };
        const agentItems = request.agentId
          ? [
              ...(await this.#agentDayItems(request.agentId, 'payment.hold', request.amount, atDate)),
              this.#exposureUpdate(request.agentId, request.amount, 1n),
            ]
          : [];
        const amount = request.amount.minor;
        try {
          await this.#transact([
            {
              role: 'hold',
              item: {
                Put: {
                  TableName: this.#tableName,
                  Item: holdItem(hold),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            },
            {
              role: 'account',
              item: {
                Update: {
                  TableName: this.#tableName,
                  Key: accountKey(request.accountId),
                  UpdateExpression: 'ADD held :a, available :neg, openHolds :one',
                  ConditionExpression: 'currency = :c AND available >= :a',
                  ExpressionAttributeValues: {
                    ':a': N(amount),
                    ':neg': N(-amount),
                    ':one': N(1),
                    ':c': S(request.amount.currency),
                  },
                },
              },
            },
            ...agentItems,
            this.#markerPut(request.operationId, 'hold', fingerprint, hold, at),
            this.#journalPut(request.accountId, request.operationId, at, {
              kind: 'hold',
              holdId: request.holdId,
              amount: request.amount,
              held: amount,
              available: -amount,
            }),
          ]);
        } catch (error) {
          if (!(error instanceof Cancelled)) throw error;
          if (error.role === 'hold') {
            throw new TollgateError(
              'CONFLICT',
              `Hold id ${request.holdId} is already used; choose a new hold id.`,
            );
          }
          if (error.role === 'agentDay') throw dailyLimitError(request.agentId ?? '', request.amount);
          const account = await this.getAccount(request.accountId);
          if (!account)
            throw new TollgateError('NOT_FOUND', `No funding account ${request.accountId}; fund it first.`);
          if (account.currency !== request.amount.currency) {
            throw new TollgateError(
              'VALIDATION_FAILED',
              `Account ${request.accountId} holds ${account.currency}, not ${request.amount.currency}.`,
            );
          }
          throw new TollgateError(
            'INSUFFICIENT_FUNDS',
            `Account ${request.accountId} has ${formatMoney(account.available)} ${account.currency} available; ${formatMoney(request.amount)} cannot be held.`,
          );
        }
        return hold;
      },
    );
    return { hold: result, replayed };
  }

  post(request: PostRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    const fingerprint = fingerprintOf('post', {
      holdId: request.holdId,
      amount: request.amount ? moneyJson(request.amount) : null,
      releasedBy: request.releasedBy ?? null,
    });
    return this.#transition('post', request, fingerprint, 'HELD', (hold, at) => {
      if (at.getTime() >= Date.parse(hold.expiresAt)) throw notOpen(hold, 'it expired');
      return { status: 'POSTED', postedAmount: postAmount(hold, request.amount) };
    });
  }

  void(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    const fingerprint = fingerprintOf('void', { holdId: request.holdId, reason: request.reason ?? null });
    return this.#transition('void', request, fingerprint, 'HELD', () => ({ status: 'VOIDED' }));
  }

  expire(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    const fingerprint = fingerprintOf('expire', { holdId: request.holdId });
    return this.#transition('expire', request, fingerprint, 'HELD', (hold, at) => {
      if (at.getTime() < Date.parse(hold.expiresAt))
        throw notOpen(hold, `it does not expire until ${hold.expiresAt}`);
      return { status: 'EXPIRED' };
    });
  }

  dispute(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    const fingerprint = fingerprintOf('dispute', { holdId: request.holdId, reason: request.reason ?? null });
    return this.#transition('dispute', request, fingerprint, 'HELD', (hold, at) => {
      if (at.getTime() >= Date.parse(hold.expiresAt)) throw notOpen(hold, 'it expired');
      return { status: 'DISPUTED' };
    });
  }

  resolveDispute(request: ResolveDisputeRequest): Promise<{ hold: HoldView; replayed: boolean }> {
    const fingerprint = fingerprintOf('resolveDispute', {
      holdId: request.holdId,
      resolution: request.resolution,
      amount: request.amount ? moneyJson(request.amount) : null,
    });
    return this.#transition('resolveDispute', request, fingerprint, 'DISPUTED', (hold) =>
      request.resolution === 'post'
        ? { status: 'POSTED', postedAmount: postAmount(hold, request.amount) }
        : { status: 'VOIDED' },
    );
  }

  /** One hold leaving a state: read it, decide in code, and write with the same rule as a condition. */
  async #transition(
    kind: 'post' | 'void' | 'expire' | 'dispute' | 'resolveDispute',
    request: { operationId: string; holdId: string; at?: Date; releasedBy?: Initiator },
    fingerprint: string,
    from: HoldStatus,
    decide: (hold: HoldView, at: Date) => { status: HoldStatus; postedAmount?: Money },
  ): Promise<{ hold: HoldView; replayed: boolean }> {
    const { replayed, result } = await this.#idempotent(kind, request.operationId, fingerprint, async () => {
      const atDate = request.at ?? new Date();
      const at = atDate.toISOString();
      const current = await this.getHold(request.holdId);
      if (!current) throw new TollgateError('NOT_FOUND', `No hold ${request.holdId}.`);
      if (current.status !== from) throw notOpen(current, `it is ${current.status}`);
      const decided = decide(current, atDate);
      const closes = decided.status !== 'DISPUTED';
      const posted = decided.postedAmount ?? zero(current.amount.currency);
      const next: HoldView = {
        ...current,
        status: decided.status,
        postedAmount: posted,
        closedAt: closes ? at : null,
        disputedAt: decided.status === 'DISPUTED' ? at : current.disputedAt,
      };
      // The clock rule is re-stated in the write condition so a stale decision cannot commit.
      const clockRule =
        kind === 'post' || kind === 'dispute'
          ? ' AND expiresAtMs > :at'
          : kind === 'expire'
            ? ' AND expiresAtMs <= :at'
            : '';
      const held = current.amount.minor;
      const items: { role: Role; item: TransactWriteItem }[] = [
        {
          role: 'hold',
          item: {
            Update: {
              TableName: this.#tableName,
              Key: holdKey(request.holdId),
              UpdateExpression: closes
                ? 'SET #status = :to, postedAmount = :posted, closedAt = :now REMOVE gsi1pk, gsi1sk'
                : 'SET #status = :to, disputedAt = :now REMOVE gsi1pk, gsi1sk',
              ConditionExpression: `#status = :from${clockRule}`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':to': S(decided.status),
                ':from': S(from),
                ':now': S(at),
                ...(closes ? { ':posted': N(posted.minor) } : {}),
                ...(clockRule ? { ':at': N(atDate.getTime()) } : {}),
              },
            },
          },
        },
        this.#markerPut(request.operationId, kind, fingerprint, next, at),
      ];
      if (closes) {
        items.push({
          role: 'account',
          item: {
            Update: {
              TableName: this.#tableName,
              Key: accountKey(current.accountId),
              UpdateExpression: 'ADD held :negHeld, posted :posted, available :back, openHolds :negOne',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':negHeld': N(-held),
                ':posted': N(posted.minor),
                ':back': N(held - posted.minor),
                ':negOne': N(-1),
              },
            },
          },
        });
        if (current.agentId) items.push(this.#exposureUpdate(current.agentId, current.amount, -1n));
        if (request.releasedBy?.kind === 'agent' && posted.minor > 0n) {
          items.push(...(await this.#agentDayItems(request.releasedBy.id, 'payment.post', posted, atDate)));
        }
      }
      items.push(
        this.#journalPut(current.accountId, request.operationId, at, {
          kind,
          holdId: request.holdId,
          amount: current.amount,
          ...(closes ? { held: -held, posted: posted.minor, available: held - posted.minor } : {}),
        }),
      );
      try {
        await this.#transact(items);
      } catch (error) {
        if (error instanceof Cancelled && error.role === 'hold')
          throw new StaleRead(`Hold ${request.holdId} changed; reading it again.`);
        if (error instanceof Cancelled && error.role === 'agentDay') {
          throw dailyLimitError(request.releasedBy?.id ?? '', posted);
        }
        throw error;
      }
      return next;
    });
    return { hold: result, replayed };
  }

  async getAccount(accountId: string): Promise<AccountView | undefined> {
    const item = await this.#get(accountKey(accountId));
    if (!item) return undefined;
    const currency = str(item.currency);
    const m = (name: string) => fromMinor(BigInt(item[name]?.N ?? '0'), currency);
    return {
      accountId,
      currency,
      funded: m('funded'),
      posted: m('posted'),
      held: m('held'),
      available: m('available'),
      openHolds: Number(item.openHolds?.N ?? '0'),
    };
  }

  async getHold(holdId: string): Promise<HoldView | undefined> {
    const item = await this.#get(holdKey(holdId));
    return item ? holdFromItem(item) : undefined;
  }

  async openExposure(agentId: string): Promise<AgentExposure> {
    const items = await this.#queryPrefix(`AGENT#${agentId}`, 'EXPOSURE#');
    return {
      agentId,
      open: items.map((item) => fromMinor(BigInt(item.open?.N ?? '0'), str(item.currency))),
      openHolds: items.reduce((total, item) => total + Number(item.openHolds?.N ?? '0'), 0),
    };
  }

  async usageOn(agentId: string, day: string): Promise<AgentUsage> {
    const items = await this.#queryPrefix(`AGENT#${agentId}`, `DAY#${day}#`);
    return {
      agentId,
      day,
      used: items.map((item) => fromMinor(BigInt(item.used?.N ?? '0'), str(item.currency))),
    };
  }

  /** The account's journal, oldest first; entries are only ever put, never updated. */
  async journal(accountId: string): Promise<Record<string, unknown>[]> {
    const items = await this.#queryPrefix(`JOURNAL#${accountId}`, '');
    return items.map((item) => JSON.parse(str(item.entry)) as Record<string, unknown>);
  }

  /** Open holds whose expiry is at or before `at`, for the sweeper; disputed holds are not listed. */
  async dueForExpiry(at: Date, limit = 100): Promise<string[]> {
    const due: string[] = [];
    for (let shard = 0; shard < OPEN_HOLD_SHARDS && due.length < limit; shard++) {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const out = await this.#send<QueryCommandOutput>(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :bound',
            ExpressionAttributeValues: { ':p': S(`OPENHOLDS#${shard}`), ':bound': S(`${at.toISOString()}$`) },
            Limit: limit - due.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of out.Items ?? []) due.push(str(item.holdId));
        startKey = out.LastEvaluatedKey;
      } while (startKey && due.length < limit);
    }
    return due;
  }

  async #agentDayItems(
    agentId: string,
    action: 'payment.hold' | 'payment.post',
    amount: Money,
    at: Date,
  ): Promise<{ role: Role; item: TransactWriteItem }[]> {
    const limits = await this.#limits?.limitsFor(agentId, action);
    if (!limits) {
      throw new TollgateError(
        'AGENT_LIMIT_EXCEEDED',
        `Agent ${agentId} has no pact for ${action}; a person must move this money.`,
        { reason: 'NO_PACT_FOR_ACTION' },
      );
    }
    if (compare(amount, limits.perActionLimit) > 0) {
      throw new TollgateError(
        'AGENT_LIMIT_EXCEEDED',
        `${formatMoney(amount)} is above agent ${agentId}'s per-action limit of ${formatMoney(limits.perActionLimit)}; a person must approve it.`,
        { reason: 'PER_ACTION_LIMIT' },
      );
    }
    const room = limits.dailyLimit.minor - amount.minor;
    if (room < 0n) throw dailyLimitError(agentId, amount);
    return [
      {
        role: 'agentDay',
        item: {
          Update: {
            TableName: this.#tableName,
            Key: { pk: S(`AGENT#${agentId}`), sk: S(`DAY#${ledgerDay(at)}#${amount.currency}`) },
            UpdateExpression: 'SET currency = :c ADD used :a',
            // No arithmetic in conditions: "used + amount ≤ daily" is written as "used ≤ daily − amount".
            ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
            ExpressionAttributeValues: { ':c': S(amount.currency), ':a': N(amount.minor), ':room': N(room) },
          },
        },
      },
    ];
  }

  #exposureUpdate(
    agentId: string,
    amount: Money,
    direction: 1n | -1n,
  ): { role: Role; item: TransactWriteItem } {
    return {
      role: 'exposure',
      item: {
        Update: {
          TableName: this.#tableName,
          Key: { pk: S(`AGENT#${agentId}`), sk: S(`EXPOSURE#${amount.currency}`) },
          UpdateExpression: 'SET currency = :c ADD #open :a, openHolds :n',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: {
            ':c': S(amount.currency),
            ':a': N(direction * amount.minor),
            ':n': N(direction),
          },
        },
      },
    };
  }

  #markerPut(
    operationId: string,
    kind: string,
    fingerprint: string,
    result: unknown,
    at: string,
  ): { role: Role; item: TransactWriteItem } {
    return {
      role: 'marker',
      item: {
        Put: {
          TableName: this.#tableName,
          Item: {
            pk: S(`OP#${operationId}`),
            sk: S('OP'),
            kind: S(kind),
            fingerprint: S(fingerprint),
            result: S(encodeResult(result)),
            at: S(at),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  #journalPut(
    accountId: string,
    operationId: string,
    at: string,
    entry: { kind: string; holdId?: string; amount: Money } & Partial<
      Record<'funded' | 'posted' | 'held' | 'available', bigint>
    >,
  ): { role: Role; item: TransactWriteItem } {
    const { amount, ...rest } = entry;
    const deltas = Object.fromEntries(
      Object.entries(rest).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]),
    );
    return {
      role: 'journal',
      item: {
        Put: {
          TableName: this.#tableName,
          Item: {
            pk: S(`JOURNAL#${accountId}`),
            sk: S(`${at}#${operationId}`),
            entry: S(
              JSON.stringify({
                operationId,
                at,
                ...deltas,
                amount: formatMoney(amount),
                currency: amount.currency,
              }),
            ),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  /**
   * Runs an operation under its idempotency marker. A refusal or a taken marker is explained
   * by the marker: the same request returns the first result, a different one is an error.
   */
  async #idempotent<T>(
    kind: string,
    operationId: string,
    fingerprint: string,
    attempt: () => Promise<T>,
  ): Promise<{ replayed: boolean; result: T }> {
    if (!operationId)
      throw new TollgateError('IDEMPOTENCY_KEY_REQUIRED', 'Every ledger operation needs an operationId.');
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        return { replayed: false, result: await attempt() };
      } catch (error) {
        const explainable = error instanceof TollgateError || error instanceof MarkerTaken;
        if (explainable) {
          const marker = await this.#get({ pk: S(`OP#${operationId}`), sk: S('OP') });
          if (marker) {
            if (str(marker.kind) !== kind || str(marker.fingerprint) !== fingerprint) {
              throw new TollgateError(
                'IDEMPOTENCY_KEY_REUSED',
                `Operation ${operationId} was already used for a different ${str(marker.kind)} request; use a new operationId.`,
              );
            }
            return { replayed: true, result: decodeResult(str(marker.result)) as T };
          }
          if (error instanceof MarkerTaken) continue;
          throw error;
        }
        if (error instanceof TransientStoreError && attemptNo < this.#maxAttempts) {
          await backoff(attemptNo);
          continue;
        }
        throw error;
      }
    }
  }

  async #transact(items: { role: Role; item: TransactWriteItem }[]): Promise<void> {
    try {
      await this.#client.send(
        new TransactWriteItemsCommand({ TransactItems: items.map((entry) => entry.item) }),
      );
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') rethrowTransient(error);
      const reasons = (
        (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
      ).map((reason) => reason.Code ?? 'None');
      this.#onCancellation?.(reasons);
      if (reasons.some((code) => code !== 'None' && code !== 'ConditionalCheckFailed')) {
        throw new TransientStoreError(`Transaction cancelled (${reasons.join(', ')}); safe to retry.`, {
          cause: error,
        });
      }
      const failed = reasons.indexOf('ConditionalCheckFailed');
      const markerIndex = items.findIndex((entry) => entry.role === 'marker');
      if (reasons[markerIndex] === 'ConditionalCheckFailed')
        throw new MarkerTaken('operation already recorded');
      throw new Cancelled(items[failed]?.role ?? 'journal');
    }
  }

  async #get(key: Record<string, AttributeValue>): Promise<Record<string, AttributeValue> | undefined> {
    const out = await this.#send<GetItemCommandOutput>(
      new GetItemCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  async #queryPrefix(pk: string, prefix: string): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#send<QueryCommandOutput>(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': S(pk), ...(prefix ? { ':prefix': S(prefix) } : {}) },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async #send<T>(command: object): Promise<T> {
    try {
      return (await this.#client.send(command)) as T;
    } catch (error) {
      rethrowTransient(error);
    }
  }
}

class Cancelled extends Error {
  readonly role: Role;
  constructor(role: Role) {
    super(`condition on ${role} failed`);
    this.role = role;
  }
}

function accountKey(accountId: string): Record<string, AttributeValue> {
  return { pk: S(`ACCOUNT#${accountId}`), sk: S('ACCOUNT') };
}

function holdKey(holdId: string): Record<string, AttributeValue> {
  return { pk: S(`HOLD#${holdId}`), sk: S('HOLD') };
}

function shardOf(holdId: string): number {
  return Number.parseInt(sha256Hex(holdId).slice(0, 8), 16) % OPEN_HOLD_SHARDS;
}

function holdItem(hold: HoldView): Record<string, AttributeValue> {
  return {
    ...holdKey(hold.holdId),
    holdId: S(hold.holdId),
    accountId: S(hold.accountId),
    payee: S(hold.payee),
    currency: S(hold.amount.currency),
    amount: N(hold.amount.minor),
    postedAmount: N(hold.postedAmount.minor),
    status: S(hold.status),
    reason: S(hold.reason),
    expiresAt: S(hold.expiresAt),
    expiresAtMs: N(Date.parse(hold.expiresAt)),
    ...(hold.releaseAt ? { releaseAt: S(hold.releaseAt) } : {}),
    initiatedBy: S(JSON.stringify(hold.initiatedBy)),
    ...(hold.agentId ? { agentId: S(hold.agentId) } : {}),
    createdAt: S(hold.createdAt),
    gsi1pk: S(`OPENHOLDS#${shardOf(hold.holdId)}`),
    gsi1sk: S(`${hold.expiresAt}#${hold.holdId}`),
  };
}

function holdFromItem(item: Record<string, AttributeValue>): HoldView {
  const currency = str(item.currency);
  return {
    holdId: str(item.holdId),
    accountId: str(item.accountId),
    payee: str(item.payee),
    amount: fromMinor(BigInt(item.amount?.N ?? '0'), currency),
    postedAmount: fromMinor(BigInt(item.postedAmount?.N ?? '0'), currency),
    status: str(item.status) as HoldStatus,
    reason: str(item.reason),
    expiresAt: str(item.expiresAt),
    releaseAt: item.releaseAt?.S ?? null,
    initiatedBy: JSON.parse(str(item.initiatedBy)) as Initiator,
    agentId: item.agentId?.S ?? null,
    createdAt: str(item.createdAt),
    closedAt: item.closedAt?.S ?? null,
    disputedAt: item.disputedAt?.S ?? null,
  };
}

function str(value: AttributeValue | undefined): string {
  return value?.S ?? '';
}

function moneyJson(value: Money): { amount: string; currency: string } {
  return { amount: formatMoney(value), currency: value.currency };
}

function fingerprintOf(kind: string, request: unknown): string {
  return sha256Hex(canonicalJson({ kind, request }));
}

/** Results are kept in the marker as JSON; bigint minor units travel as tagged strings. */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? { $minor: v.toString() } : v));
}

export function decodeResult(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v && typeof v === 'object' && typeof v.$minor === 'string' ? BigInt(v.$minor) : v,
  );
}

function requirePositive(amount: Money, what: string): void {
  zero(amount.currency);
  if (amount.minor <= 0n) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `A ${what} needs an amount above zero, not ${formatMoney(amount)}.`,
    );
  }
}

function postAmount(hold: HoldView, requested: Money | undefined): Money {
  const amount = requested ?? hold.amount;
  if (amount.currency !== hold.amount.currency || amount.minor <= 0n || amount.minor > hold.amount.minor) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `A post on hold ${hold.holdId} must be above zero and at most ${formatMoney(hold.amount)} ${hold.amount.currency}.`,
    );
  }
  return amount;
}

function notOpen(hold: HoldView, why: string): TollgateError {
  return new TollgateError('HOLD_NOT_OPEN', `Hold ${hold.holdId} cannot change: ${why}.`, {
    holdId: hold.holdId,
    status: hold.status,
  });
}

function dailyLimitError(agentId: string, amount: Money): TollgateError {
  return new TollgateError(
    'AGENT_LIMIT_EXCEEDED',
    `${formatMoney(amount)} ${amount.currency} would take agent ${agentId} past its daily limit; a person must move it.`,
    { reason: 'DAILY_LIMIT_EXCEEDED' },
  );
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
