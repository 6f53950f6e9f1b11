import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import type { ClaimedEvent, EvidenceChainStore } from '#platform/evidence/core/ports.ts';
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
