import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';

/** A vendor's bank-detail change that is not decided yet: at most one per vendor. */
export interface PendingBankChange {
  readonly vendorId: string;
  readonly executionId: string;
  readonly requestedBy: string;
  readonly since: string;
}

const key = (vendorId: string) => ({ pk: `BANK_CHANGE#${vendorId}`, sk: 'PENDING' });

/**
 * The change pending for a vendor, if any. For other runbooks: an invoice for a vendor whose bank
 * details are being changed should go to a controller, never be approved alone.
 */
export async function pendingBankChange(vendorId: string): Promise<PendingBankChange | undefined> {
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: tableName('work'), Key: key(vendorId), ConsistentRead: true }),
    );
    return Item
      ? {
          vendorId,
          executionId: String(Item.executionId),
          requestedBy: String(Item.requestedBy),
          since: String(Item.since),
        }
      : undefined;
  } catch (error) {
    rethrowTransient(error);
  }
}

/** Marks the vendor's change pending for this run; false when another run's change is pending. */
export function markBankChangePending(change: PendingBankChange): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: { ...key(change.vendorId), ...change },
        ConditionExpression: 'attribute_not_exists(pk) OR executionId = :me',
        ExpressionAttributeValues: { ':me': change.executionId },
      }),
    ),
  );
}

/** The run's change is decided (or failed): the vendor has no pending change of this run any more. */
export async function clearBankChangePending(vendorId: string, executionId: string): Promise<void> {
  // A failed condition: already cleared, or another run's marker, which is not ours to clear.
  await writeIf(() =>
    dynamoDb.send(
      new DeleteCommand({
        TableName: tableName('work'),
        Key: key(vendorId),
        ConditionExpression: 'executionId = :me',
        ExpressionAttributeValues: { ':me': executionId },
      }),
    ),
  );
}
