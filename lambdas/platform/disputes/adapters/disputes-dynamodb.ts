import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPages } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import type { Dispute, DisputeResolution } from '#platform/disputes/core/disputes.ts';

/**
 * Disputes in the work table: `DISPUTE#<id>` / `DISPUTE`, listed while open through gsi1
 * (`DISPUTES#OPEN`, by the time they were filed).
 */
const table = () => tableName('work');
const key = (disputeId: string) => ({ pk: `DISPUTE#${disputeId}`, sk: 'DISPUTE' });
const OPEN_INDEX = 'DISPUTES#OPEN';

function fromItem(item: Record<string, unknown>): Dispute {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...dispute } = item;
  return dispute as unknown as Dispute;
}

/** Records the dispute once; a second call with the same id changes nothing and answers false. */
export async function recordDispute(dispute: Dispute): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...key(dispute.disputeId),
          ...dispute,
          gsi1pk: OPEN_INDEX,
          gsi1sk: `${dispute.filedAt}#${dispute.disputeId}`,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getDispute(disputeId: string): Promise<Dispute | undefined> {
  try {
    const out = await dynamoDb.send(
      new GetCommand({ TableName: table(), Key: key(disputeId), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  } catch (error) {
    rethrowTransient(error);
  }
}

/** Open disputes, oldest first, at most `limit`. */
export async function openDisputes(limit: number): Promise<Dispute[]> {
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
    { maxPages: 20, maxItems: limit, atBound: 'partial', what: 'Open disputes' },
  );
  return items.map(fromItem);
}

/**
 * Marks the dispute resolved once, by someone other than its filer (both re-checked in the
 * write's condition). Answers false when it was not open or the resolver filed it.
 */
export async function markResolved(
  disputeId: string,
  resolution: {
    resolution: DisputeResolution;
    by: string;
    role: string;
    reason: string;
    at: string;
    seconds: number;
  },
): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(disputeId),
        UpdateExpression:
          'SET #status = :resolved, resolution = :resolution, resolvedBy = :by, resolvedRole = :role, resolutionReason = :reason, resolvedAt = :at, resolutionSeconds = :seconds REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#status = :open AND filedBy <> :by',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':resolved': 'RESOLVED',
          ':open': 'OPEN',
          ':resolution': resolution.resolution,
          ':by': resolution.by,
          ':role': resolution.role,
          ':reason': resolution.reason,
          ':at': resolution.at,
          ':seconds': resolution.seconds,
        },
      }),
    ),
  );
}
