import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { TransientStoreError } from '#platform/core/errors.ts';
import { formatMoney, fromMinor, type Money } from '#platform/core/money.ts';
import { settleReceivableUpdate } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import type { ReceivableSettlement } from '#platform/system-of-record/core/reference-data.ts';
import { reconcilePaymentUpdate } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';

/**
 * Reconciled statement entries in the work table: `BANKENTRY#<funding account>#<entry ref>` /
 * `ENTRY`, written in the same transaction as the effect it records (the payment marked
 * reconciled, the receivable settled or written off), so an entry is either reconciled with its
 * effect or not at all, and a statement read again skips what an earlier run cleared.
 */
export interface ReconciledEntry {
  readonly entryKey: string;
  readonly outcome: 'MATCHED' | 'WRITE_OFF';
  readonly direction: 'DEBIT' | 'CREDIT';
  readonly amount: string;
  readonly currency: string;
  /** The shortfall written off ("0.00" unless WRITE_OFF). */
  readonly writtenOff: string;
  /** The payment or receivable the entry cleared. */
  readonly target: string;
  readonly statementId: string;
  readonly executionId: string;
  readonly at: string;
}

const table = () => tableName('work');
const entryKeyOf = (entryKey: string) => ({ pk: `BANKENTRY#${entryKey}`, sk: 'ENTRY' });
const writeOffDayKey = (agentId: string, day: string, currency: string) => ({
  pk: `WRITEOFFS#${agentId}`,
  sk: `DAY#${day}#${currency}`,
});

/** BatchGetItem takes 100 keys; unprocessed keys are asked for again this many times at most. */
const MAX_BATCH_RETRIES = 8;

/** `<funding account>#<entry ref>`: one statement entry, whichever file it arrives in. */
export function statementEntryKey(accountId: string, entryRef: string): string {
  return `${accountId}#${entryRef}`;
}

/** The entries among `entryKeys` that a run already reconciled (bounded by the statement's size). */
export async function reconciledEntries(entryKeys: readonly string[]): Promise<Map<string, ReconciledEntry>> {
  const found = new Map<string, ReconciledEntry>();
  for (let start = 0; start < entryKeys.length; start += 100) {
    let keys: Record<string, unknown>[] = entryKeys.slice(start, start + 100).map(entryKeyOf);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > MAX_BATCH_RETRIES)
        throw new TransientStoreError(`${keys.length} statement entries could not be read; safe to retry.`);
      let out: BatchGetCommandOutput;
      try {
        out = await dynamoDb.send(
          new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
        );
      } catch (error) {
        rethrowTransient(error);
      }
      for (const item of out.Responses?.[table()] ?? []) {
        const entry = item as unknown as ReconciledEntry;
        found.set(entry.entryKey, entry);
      }
      keys = (out.UnprocessedKeys?.[table()]?.Keys ?? []) as Record<string, unknown>[];
      if (keys.length > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
  }
  return found;
}

/** What the agent wrote off today in a currency. */
export async function writtenOffOn(agentId: string, day: string, currency: string): Promise<Money> {
  try {
    const out = await dynamoDb.send(
      new GetCommand({
        TableName: table(),
        Key: writeOffDayKey(agentId, day, currency),
        ConsistentRead: true,
      }),
    );
    return fromMinor(BigInt((out.Item?.used as number | undefined) ?? 0), currency);
  } catch (error) {
    rethrowTransient(error);
  }
}

export type ApplyOutcome = 'applied' | 'already';

/** The entry's record, written once: a second write (a replayed step, a statement read again) changes nothing. */
function entryPut(entry: ReconciledEntry) {
  return {
    Put: {
      TableName: table(),
      Item: { ...entryKeyOf(entry.entryKey), ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Sends one entry's transaction. The entry already recorded (by any run): `already`, nothing written. Any other
 * failed condition (the payment or receivable changed since it was read): TransientStoreError, so
 * the step matches again against the books as they are now.
 */
async function applyOnce(entry: ReconciledEntry, items: Record<string, unknown>[]): Promise<ApplyOutcome> {
  try {
    await dynamoDb.send(new TransactWriteCommand({ TransactItems: [entryPut(entry), ...items] as never }));
    return 'applied';
  } catch (error) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return 'already';
    if (reasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
      throw new TransientStoreError(
        `Statement entry ${entry.entryKey}: ${entry.target} changed while reconciling; matching again.`,
        { cause: error },
      );
    }
    rethrowTransient(error);
  }
}

/** A debit matched to a sent payment: the payment marked reconciled with the entry's record. */
export function applyPaymentMatch(
  entry: ReconciledEntry,
  payment: { runId: string; paymentId: string },
): Promise<ApplyOutcome> {
  return applyOnce(entry, [
    {
      Update: reconcilePaymentUpdate(payment, {
        entryKey: entry.entryKey,
        executionId: entry.executionId,
        at: entry.at,
      }),
    },
  ]);
}

/** A credit that pays a receivable in full: settled with the entry's record. */
export function applyReceivableSettlement(
  entry: ReconciledEntry,
  receivable: { receivableId: string; currency: string },
  settlement: ReceivableSettlement,
): Promise<ApplyOutcome> {
  return applyOnce(entry, [{ Update: settleReceivableUpdate(receivable, settlement) }]);
}

/**
 * A short payment written off by the agent: the receivable closed, the write-off counted against
 * the agent's day only while it still fits its daily limit (the gate's check made again where
 * the books change), and the entry's record, in one transaction.
 */
export function applyWriteOff(
  entry: ReconciledEntry,
  receivable: { receivableId: string; currency: string },
  settlement: ReceivableSettlement,
  agent: { agentId: string; day: string; writeOff: Money; dailyLimit: Money },
): Promise<ApplyOutcome> {
  const room = agent.dailyLimit.minor - agent.writeOff.minor;
  if (room < 0n)
    throw new TransientStoreError(`Write-off of ${formatMoney(agent.writeOff)} is over the daily limit.`);
  return applyOnce(entry, [
    { Update: settleReceivableUpdate(receivable, settlement) },
    {
      Update: {
        TableName: table(),
        Key: writeOffDayKey(agent.agentId, agent.day, agent.writeOff.currency),
        UpdateExpression: 'ADD used :amount',
        ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
        ExpressionAttributeValues: { ':amount': Number(agent.writeOff.minor), ':room': Number(room) },
      },
    },
  ]);
}
