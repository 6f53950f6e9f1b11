import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';

/**
 * Tallies in the work table that make refund and payout limits hold under concurrency:
 * `REFUND_TALLY#<reference>` — what runs reserved against one order (or contract), in minor units,
 * with the runs that reserved it; `PAYEE_DAY#<payee>#<day>` — the runs that held money for one payee
 * that day. Each reservation is one conditional update, keyed by the run: two runs racing on one
 * order cannot both fit under what was captured, and a retried step reserves nothing twice.
 */
const table = () => tableName('work');
const tallyKey = (reference: string) => ({ pk: `REFUND_TALLY#${reference}`, sk: 'TALLY' });
const dayKey = (payee: string, day: string) => ({ pk: `PAYEE_DAY#${payee}#${day}`, sk: 'TALLY' });

export type ReserveOutcome = 'reserved' | 'already' | 'over';

function safeNumber(minor: bigint): number {
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${minor} minor units is beyond what a tally counts exactly.`);
  return Number(minor);
}

async function item(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
    );
    return Item;
  } catch (error) {
    rethrowTransient(error);
  }
}

const runsOf = (found: Record<string, unknown> | undefined): Set<string> =>
  (found?.executions as Set<string> | undefined) ?? new Set();

/** What runs have reserved against the reference, in minor units. */
export async function reservedAgainst(reference: string): Promise<{ minor: bigint; runs: number }> {
  const found = await item(tallyKey(reference));
  return { minor: BigInt(Number(found?.total ?? 0)), runs: runsOf(found).size };
}

/**
 * Reserves `amount` against the reference for this run if the total stays within `cap`; the same
 * run again answers `already` and changes nothing.
 */
export async function reserveAgainstCap(
  reference: string,
  executionId: string,
  amountMinor: bigint,
  capMinor: bigint,
): Promise<ReserveOutcome> {
  const room = capMinor - amountMinor;
  const written =
    room >= 0n &&
    (await writeIf(() =>
      dynamoDb.send(
        new UpdateCommand({
          TableName: table(),
          Key: tallyKey(reference),
          UpdateExpression: 'ADD #total :amount, executions :runs',
          ConditionExpression:
            '(attribute_not_exists(executions) OR NOT contains(executions, :run)) AND (attribute_not_exists(#total) OR #total <= :room)',
          ExpressionAttributeNames: { '#total': 'total' },
          ExpressionAttributeValues: {
            ':amount': safeNumber(amountMinor),
            ':runs': new Set([executionId]),
            ':run': executionId,
            ':room': safeNumber(room),
          },
        }),
      ),
    ));
  if (written) return 'reserved';
  return runsOf(await item(tallyKey(reference))).has(executionId) ? 'already' : 'over';
}

/** Gives a failed run's reservation back; a run that reserved nothing changes nothing. */
export async function releaseReservation(
  reference: string,
  executionId: string,
  amountMinor: bigint,
): Promise<void> {
  await writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: tallyKey(reference),
        UpdateExpression: 'ADD #total :negative DELETE executions :runs',
        ConditionExpression: 'contains(executions, :run)',
        ExpressionAttributeNames: { '#total': 'total' },
        ExpressionAttributeValues: {
          ':negative': -safeNumber(amountMinor),
          ':runs': new Set([executionId]),
          ':run': executionId,
        },
      }),
    ),
  );
}

/** Runs that held money for the payee that day. */
export async function heldForPayeeOn(payee: string, day: string): Promise<number> {
  return runsOf(await item(dayKey(payee, day))).size;
}

/**
 * Counts this run against the payee's day; with `max`, only while fewer than `max` runs are counted
 * (an agent acting alone). A person's approval counts without a bound.
 */
export async function countForPayeeDay(
  payee: string,
  day: string,
  executionId: string,
  max: number | null,
): Promise<ReserveOutcome> {
  const written = await writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: dayKey(payee, day),
        UpdateExpression: 'ADD executions :runs',
        ...(max === null
          ? {}
          : {
              ConditionExpression:
                'attribute_not_exists(executions) OR size(executions) < :max OR contains(executions, :run)',
            }),
        ExpressionAttributeValues: {
          ':runs': new Set([executionId]),
          ...(max === null ? {} : { ':max': max, ':run': executionId }),
        },
      }),
    ),
  );
  if (written) return 'reserved';
  return runsOf(await item(dayKey(payee, day))).has(executionId) ? 'already' : 'over';
}

export async function uncountForPayeeDay(payee: string, day: string, executionId: string): Promise<void> {
  await writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: dayKey(payee, day),
        UpdateExpression: 'DELETE executions :runs',
        ExpressionAttributeValues: { ':runs': new Set([executionId]) },
      }),
    ),
  );
}
