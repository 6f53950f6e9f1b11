import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { invoiceNumberKey } from '#runbooks/invoice-reconciliation/core/duplicates.ts';

/** Gives the vendor + invoice number back when this run ends without paying (rejected or failed), so a corrected invoice can come in. */
export async function releaseInvoiceClaim(
  vendorId: string,
  invoiceNumber: string,
  executionId: string,
): Promise<void> {
  try {
    await dynamoDb.send(
      new DeleteCommand({
        TableName: tableName('work'),
        Key: claimKey(vendorId, invoiceNumber),
        ConditionExpression: 'claimedBy = :me',
        ExpressionAttributeValues: { ':me': executionId },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
}

const claimKey = (vendorId: string, invoiceNumber: string) => ({
  // However the number is written (INV-0042, inv 42), one claim: two spellings in flight cannot both pass.
  pk: `CLAIM#${vendorId}#${invoiceNumberKey(invoiceNumber)}`,
  sk: 'CLAIM',
});

/**
 * Claims vendor + invoice number for one execution with a conditional write, so two
 * identical invoices submitted at once cannot both pass. The same execution may claim again
 * (a retried step).
 */
export async function claimInvoice(
  vendorId: string,
  invoiceNumber: string,
  executionId: string,
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
          claimedBy: executionId,
          claimedAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR claimedBy = :me',
        ExpressionAttributeValues: { ':me': executionId },
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

/**
 * This run will pay nothing: the vendor + invoice number and the PO quantities it reserved are
 * given back, so a corrected invoice can come in. Only what this run holds is released.
 */
export async function releaseInvoiceReservations(
  invoice: { readonly vendorId: string; readonly invoiceNumber: string; readonly poNumber: string | null },
  executionId: string,
  sor: Pick<DynamoDbSystemOfRecord, 'releaseQuantities'> = new DynamoDbSystemOfRecord(),
): Promise<void> {
  await releaseInvoiceClaim(invoice.vendorId, invoice.invoiceNumber, executionId);
  if (invoice.poNumber)
    await sor.releaseQuantities(invoice.poNumber, invoice.vendorId, invoice.invoiceNumber, executionId);
}
