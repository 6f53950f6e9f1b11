import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPages } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import type { ExceptionInput, StoredException } from '#platform/exceptions/core/exceptions.ts';

/**
 * Exceptions in the work table: `EXCEPTION#<id>` / `EXCEPTION`, listed while open through gsi1
 * (`EXCEPTIONS#OPEN`, by the time they were opened).
 */
const table = () => tableName('work');
const key = (exceptionId: string) => ({ pk: `EXCEPTION#${exceptionId}`, sk: 'EXCEPTION' });
const OPEN_INDEX = 'EXCEPTIONS#OPEN';

/** Opens the exception once: a second call with the same id changes nothing and answers `created: false`. */
export async function openException(input: ExceptionInput): Promise<{ created: boolean }> {
  const created = await writeIf(() =>
    dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...key(input.exceptionId),
          ...input,
          status: 'OPEN',
          gsi1pk: OPEN_INDEX,
          gsi1sk: `${input.openedAt}#${input.exceptionId}`,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return { created };
}

export async function getException(exceptionId: string): Promise<StoredException | undefined> {
  try {
    const out = await dynamoDb.send(
      new GetCommand({ TableName: table(), Key: key(exceptionId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...exception } = out.Item;
    return exception as StoredException;
  } catch (error) {
    rethrowTransient(error);
  }
}

/** Open exceptions, oldest first, at most `limit`. */
export async function openExceptions(limit: number): Promise<StoredException[]> {
  const items = await queryPages<Record<string, unknown>, Record<string, unknown>>(
    (startKey, pageLimit) =>
      dynamoDb.send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': OPEN_INDEX },
          ...(pageLimit ? { Limit: pageLimit } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    { maxPages: 20, maxItems: limit, atBound: 'partial', what: 'Open exceptions' },
  );
  return items.map(
    ({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...exception }) => exception as unknown as StoredException,
  );
}

/**
 * Resolves an open exception once: the write is conditional on it being OPEN, and takes it off
 * the open list. Answers the resolved exception, or `undefined` when it was not open (or not there).
 */
export async function resolveException(
  exceptionId: string,
  resolution: { by: string; role: string; text: string; at: string },
): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(exceptionId),
        UpdateExpression:
          'SET #status = :resolved, resolvedAt = :at, resolvedBy = :by, resolvedRole = :role, resolution = :text REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':resolved': 'RESOLVED',
          ':open': 'OPEN',
          ':at': resolution.at,
          ':by': resolution.by,
          ':role': resolution.role,
          ':text': resolution.text,
        },
      }),
    ),
  );
}
