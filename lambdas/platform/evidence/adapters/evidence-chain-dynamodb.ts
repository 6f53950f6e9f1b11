import {
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import type { ChainHead, ClaimedEvent, EvidenceChainStore } from '#platform/evidence/core/ports.ts';
import type { EvidenceRecord } from '#platform/evidence/core/records.ts';

const pk = (executionId: string) => `EVIDENCE#${executionId}`;

/**
 * The chain head of each execution and the events claimed on it, in the work table. A claim is
 * one transaction: the event item (created only if absent) and the head (moved only from the
 * sequence the writer read), so concurrent or retried steps can neither fork nor duplicate.
 */
export class DynamoDbEvidenceChain implements EvidenceChainStore {
  async findEvent(executionId: string, eventKey: string): Promise<ClaimedEvent | undefined> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('work'),
          Key: { pk: pk(executionId), sk: `EVENT#${eventKey}` },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      return { record: JSON.parse(Item.record as string) as EvidenceRecord, key: Item.objectKey as string };
    } catch (error) {
      rethrowTransient(error);
    }
  }

  async head(executionId: string): Promise<{ sequence: number; hash: string } | undefined> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('work'),
          Key: { pk: pk(executionId), sk: 'HEAD' },
          ConsistentRead: true,
        }),
      );
      return Item ? { sequence: Item.sequence as number, hash: Item.hash as string } : undefined;
    } catch (error) {
      rethrowTransient(error);
    }
  }

  async claim(event: ClaimedEvent, expectedSequence: number): Promise<'claimed' | 'conflict'> {
    const { record } = event;
    const TableName = tableName('work');
    const head = { pk: pk(record.executionId), sk: 'HEAD' };
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: {
                  pk: pk(record.executionId),
                  sk: `EVENT#${record.eventKey}`,
                  record: JSON.stringify(record),
                  objectKey: event.key,
                  sequence: record.sequence,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            expectedSequence === 0
              ? {
                  Put: {
                    TableName,
                    Item: { ...head, sequence: record.sequence, hash: record.hash },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                }
              : {
                  Update: {
                    TableName,
                    Key: head,
                    UpdateExpression: 'SET #sequence = :next, #hash = :hash',
                    ConditionExpression: '#sequence = :expected',
                    ExpressionAttributeNames: { '#sequence': 'sequence', '#hash': 'hash' },
                    ExpressionAttributeValues: {
                      ':next': record.sequence,
                      ':hash': record.hash,
                      ':expected': expectedSequence,
                    },
                  },
                },
          ],
        }),
      );
      return 'claimed';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TransactionCanceledException' || name === 'TransactionConflictException')
        return 'conflict';
      rethrowTransient(error);
    }
  }
}

/** Pages of the work table a head or event listing reads at the most before it refuses (never a partial answer). */
const MAX_SCAN_PAGES = 10_000;

async function scanEvidenceItems(
  client: DynamoDBDocumentClient,
  table: string,
  sk: { equals: string } | { beginsWith: string },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_SCAN_PAGES; page += 1) {
    const out = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: `begins_with(pk, :evidence) AND ${'equals' in sk ? 'sk = :sk' : 'begins_with(sk, :sk)'}`,
        ExpressionAttributeValues: {
          ':evidence': 'EVIDENCE#',
          ':sk': 'equals' in sk ? sk.equals : sk.beginsWith,
        },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    startKey = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    if (!startKey) return items;
  }
  throw new Error(
    `The work table ${table} did not fit in ${MAX_SCAN_PAGES} pages; listing refused rather than cut.`,
  );
}

/**
 * Every execution's chain head as the table holds it: what verify holds the bucket to (a record
 * deleted from the tail, or claimed and never written, leaves the head ahead of the bucket).
 */
export async function listChainHeads(
  client: DynamoDBDocumentClient = dynamoDb,
  table: string = tableName('work'),
): Promise<ChainHead[]> {
  try {
    const items = await scanEvidenceItems(client, table, { equals: 'HEAD' });
    return items
      .map((item) => ({
        executionId: String(item.pk).slice('EVIDENCE#'.length),
        sequence: Number(item.sequence),
        hash: String(item.hash),
      }))
      .sort((a, b) => (a.executionId < b.executionId ? -1 : a.executionId > b.executionId ? 1 : 0));
  } catch (error) {
    rethrowTransient(error);
  }
}

/** Every claimed event with the object key it was claimed for: what the reconciler restores from. */
export async function listClaimedEvents(
  client: DynamoDBDocumentClient = dynamoDb,
  table: string = tableName('work'),
): Promise<ClaimedEvent[]> {
  try {
    const items = await scanEvidenceItems(client, table, { beginsWith: 'EVENT#' });
    return items.map((item) => ({
      record: JSON.parse(item.record as string) as EvidenceRecord,
      key: item.objectKey as string,
    }));
  } catch (error) {
    rethrowTransient(error);
  }
}
