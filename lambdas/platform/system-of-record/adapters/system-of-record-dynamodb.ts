import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import { TransientStoreError } from '#platform/core/errors.ts';
import { hashOf } from '#platform/core/hashing.ts';
import {
  type ApPolicy,
  type GoodsReceipt,
  normaliseDocumentNumber,
  normaliseTaxId,
  normaliseVendorName,
  type ProcessedInvoice,
  type PurchaseOrder,
  type SystemOfRecord,
  type Vendor,
} from '#platform/system-of-record/core/reference-data.ts';

/** Item keys of the reference table: one place, shared by reads and the seed. */
export const referenceKeys = {
  vendor: (vendorId: string) => ({ pk: `VENDOR#${vendorId}`, sk: 'VENDOR' }),
  vendorByTaxId: (taxId: string) => ({ pk: `VENDOR_TAXID#${normaliseTaxId(taxId)}`, sk: 'VENDOR' }),
  vendorByName: (name: string) => ({ pk: `VENDOR_NAME#${normaliseVendorName(name)}`, sk: 'VENDOR' }),
  purchaseOrder: (poNumber: string) => ({ pk: `PO#${normaliseDocumentNumber(poNumber)}`, sk: 'PO' }),
  receipt: (poNumber: string, receiptId: string) => ({
    pk: `PO#${normaliseDocumentNumber(poNumber)}`,
    sk: `RECEIPT#${receiptId}`,
  }),
  invoiced: (poNumber: string, vendorId: string, invoiceNumber: string) => ({
    pk: `PO#${normaliseDocumentNumber(poNumber)}`,
    sk: `INVOICED#${vendorId}#${normaliseDocumentNumber(invoiceNumber)}`,
  }),
  processedInvoice: (vendorId: string, invoiceNumber: string) => ({
    pk: `INVOICE#${vendorId}#${normaliseDocumentNumber(invoiceNumber)}`,
    sk: 'INVOICE',
  }),
  policy: () => ({ pk: 'POLICY', sk: 'ap-invoice' }),
  fundingAccount: (currency: string) => ({ pk: 'FUNDING_ACCOUNT', sk: currency }),
  quantityVersion: (poNumber: string) => ({
    pk: `PO#${normaliseDocumentNumber(poNumber)}`,
    sk: 'QUANTITY_VERSION',
  }),
};

export type PutOutcome = 'created' | 'updated' | 'unchanged';

/** The reference table as the SystemOfRecord port. */
export class DynamoDbSystemOfRecord implements SystemOfRecord {
  async findVendorByTaxId(taxId: string): Promise<Vendor | undefined> {
    const pointer = await this.get<{ vendorId: string }>(referenceKeys.vendorByTaxId(taxId));
    return pointer ? this.get<Vendor>(referenceKeys.vendor(pointer.vendorId)) : undefined;
  }

  async findVendorByName(name: string): Promise<Vendor | undefined> {
    const pointer = await this.get<{ vendorId: string }>(referenceKeys.vendorByName(name));
    return pointer ? this.get<Vendor>(referenceKeys.vendor(pointer.vendorId)) : undefined;
  }

  getPurchaseOrder(poNumber: string): Promise<PurchaseOrder | undefined> {
    return this.get<PurchaseOrder>(referenceKeys.purchaseOrder(poNumber));
  }

  async getReceipts(poNumber: string): Promise<GoodsReceipt[]> {
    return (await this.queryPo(poNumber, 'RECEIPT#')) as GoodsReceipt[];
  }

  findProcessedInvoice(vendorId: string, invoiceNumber: string): Promise<ProcessedInvoice | undefined> {
    return this.get<ProcessedInvoice>(referenceKeys.processedInvoice(vendorId, invoiceNumber));
  }

  async invoicedQuantities(
    poNumber: string,
    excluding?: { vendorId: string; invoiceNumber: string },
  ): Promise<Record<number, string>> {
    const totals: Record<number, bigint> = {};
    const scale = 1_000_000n;
    const own = excluding
      ? referenceKeys.invoiced(poNumber, excluding.vendorId, excluding.invoiceNumber).sk
      : undefined;
    const items = (await this.queryPo(poNumber, 'INVOICED#', true)) as {
      sk: string;
      data: { lines: Record<string, string> };
    }[];
    for (const { data: item } of items.filter((i) => i.sk !== own)) {
      for (const [lineNo, quantity] of Object.entries(item.lines)) {
        const [whole, fraction = ''] = quantity.split('.');
        totals[Number(lineNo)] =
          (totals[Number(lineNo)] ?? 0n) + BigInt(`${whole}${fraction.padEnd(6, '0').slice(0, 6)}`);
      }
    }
    return Object.fromEntries(
      Object.entries(totals).map(([lineNo, micro]) => {
        const fraction = (micro % scale).toString().padStart(6, '0').replace(/0+$/, '');
        return [lineNo, `${micro / scale}${fraction ? `.${fraction}` : ''}`];
      }),
    );
  }

  getPolicy(): Promise<ApPolicy | undefined> {
    return this.get<ApPolicy>(referenceKeys.policy());
  }

  /** The funding account AP payments in a currency are held on. */
  async fundingAccountFor(currency: string): Promise<string | undefined> {
    return (await this.get<{ accountId: string }>(referenceKeys.fundingAccount(currency)))?.accountId;
  }

  /** The PO's quantity version: every reservation moves it, so two matches cannot both read the old quantities. */
  async quantityVersion(poNumber: string): Promise<number> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('reference'),
          Key: referenceKeys.quantityVersion(poNumber),
          ConsistentRead: true,
        }),
      );
      return Number(Item?.version ?? 0);
    } catch (error) {
      rethrowTransient(error);
    }
  }

  /**
   * Reserves this invoice's quantities on the PO, in one transaction with the PO's quantity
   * version, which must still be the one read before matching. A concurrent reservation on
   * the same PO makes this fail as TransientStoreError: the step is retried and matches again
   * against quantities that now include the other invoice.
   */
  async reserveQuantities(
    poNumber: string,
    vendorId: string,
    invoiceNumber: string,
    lines: Record<number, string>,
    readVersion: number,
    executionArn: string,
  ): Promise<void> {
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName('reference'),
                Key: referenceKeys.quantityVersion(poNumber),
                UpdateExpression: 'SET version = :next',
                ConditionExpression: readVersion === 0 ? 'attribute_not_exists(version)' : 'version = :read',
                ExpressionAttributeValues: {
                  ':next': readVersion + 1,
                  ...(readVersion === 0 ? {} : { ':read': readVersion }),
                },
              },
            },
            {
              Put: {
                TableName: tableName('reference'),
                Item: {
                  ...referenceKeys.invoiced(poNumber, vendorId, invoiceNumber),
                  data: { lines },
                  reservedBy: executionArn,
                },
                ConditionExpression: 'attribute_not_exists(pk) OR reservedBy = :me',
                ExpressionAttributeValues: { ':me': executionArn },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'TransactionCanceledException') {
        throw new TransientStoreError(`Quantities on ${poNumber} changed while matching; match again.`, {
          cause: error,
        });
      }
      rethrowTransient(error);
    }
  }

  /** Gives the quantities back when the invoice is rejected or its run fails. */
  async releaseQuantities(
    poNumber: string,
    vendorId: string,
    invoiceNumber: string,
    executionArn: string,
  ): Promise<void> {
    try {
      await dynamoDb.send(
        new DeleteCommand({
          TableName: tableName('reference'),
          Key: referenceKeys.invoiced(poNumber, vendorId, invoiceNumber),
          ConditionExpression: 'reservedBy = :me',
          ExpressionAttributeValues: { ':me': executionArn },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) rethrowTransient(error);
    }
  }

  /** Writes an item unless an identical one is stored: loading the same data twice changes nothing. */
  async put(key: { pk: string; sk: string }, data: object): Promise<PutOutcome> {
    const contentHash = hashOf(data);
    try {
      const existing = await dynamoDb.send(
        new GetCommand({ TableName: tableName('reference'), Key: key, ConsistentRead: true }),
      );
      if (existing.Item?.contentHash === contentHash) return 'unchanged';
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName('reference'),
          Item: { ...key, data, contentHash },
          ConditionExpression: 'attribute_not_exists(pk) OR contentHash <> :hash',
          ExpressionAttributeValues: { ':hash': contentHash },
        }),
      );
      return existing.Item ? 'updated' : 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'unchanged';
      rethrowTransient(error);
    }
  }

  private async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    try {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName('reference'), Key: key }));
      return Item?.data as T | undefined;
    } catch (error) {
      rethrowTransient(error);
    }
  }

  private async queryPo(poNumber: string, prefix: string, whole = false): Promise<unknown[]> {
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await dynamoDb.send(
          new QueryCommand({
            TableName: tableName('reference'),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': referenceKeys.purchaseOrder(poNumber).pk, ':prefix': prefix },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        );
        items.push(...(page.Items ?? []).map((i) => (whole ? i : i.data)));
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      rethrowTransient(error);
    }
    return items;
  }
}
