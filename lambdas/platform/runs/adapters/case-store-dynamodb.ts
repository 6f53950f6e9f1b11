import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import { normaliseDocumentNumber } from '#platform/system-of-record/core/reference-data.ts';

/** The execution name: the last part of its ARN, also the API's execution id. */
export function executionNameOf(executionArn: string): string {
  return executionArn.split(':').at(-1) ?? executionArn;
}

const caseKey = (executionName: string) => ({ pk: `CASE#${executionName}`, sk: 'CASE' });

/** Sets fields on the invoice case (what GET /executions/{id} shows); each step adds its part. */
export async function updateCase(executionArn: string, fields: Record<string, unknown>): Promise<void> {
  const entries = Object.entries({ ...fields, executionArn, updatedAt: new Date().toISOString() });
  try {
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName('work'),
        Key: caseKey(executionNameOf(executionArn)),
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
      }),
    );
  } catch (error) {
    rethrowTransient(error);
  }
}

export async function getCase(executionName: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: tableName('work'), Key: caseKey(executionName), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...fields } = Item;
    return fields;
  } catch (error) {
    rethrowTransient(error);
  }
}

/**
 * Claims vendor + invoice number for one execution with a conditional write, so two
 * identical invoices submitted at once cannot both pass. The same execution may claim again
 * (a retried step).
 */
/** Gives the vendor + invoice number back when this run ends without paying (rejected or failed), so a corrected invoice can come in. */
export async function releaseInvoiceClaim(
  vendorId: string,
  invoiceNumber: string,
  executionArn: string,
): Promise<void> {
  try {
    await dynamoDb.send(
      new DeleteCommand({
        TableName: tableName('work'),
        Key: claimKey(vendorId, invoiceNumber),
        ConditionExpression: 'claimedBy = :me',
        ExpressionAttributeValues: { ':me': executionArn },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
}

const claimKey = (vendorId: string, invoiceNumber: string) => ({
  pk: `CLAIM#${vendorId}#${normaliseDocumentNumber(invoiceNumber)}`,
  sk: 'CLAIM',
});

export async function claimInvoice(
  vendorId: string,
  invoiceNumber: string,
  executionArn: string,
): Promise<'claimed' | { heldBy: string }> {
  const key = claimKey(vendorId, invoiceNumber);
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: {
          ...key,
          vendorId,
          invoiceNumber,
          claimedBy: executionArn,
          claimedAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR claimedBy = :me',
        ExpressionAttributeValues: { ':me': executionArn },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
  const { Item } = await dynamoDb.send(
    new GetCommand({ TableName: tableName('work'), Key: key, ConsistentRead: true }),
  );
  return { heldBy: String(Item?.claimedBy ?? 'another run') };
}
