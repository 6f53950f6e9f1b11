import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { hashOf } from '#core/hashing.ts';
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
} from '#core/invoice/reference-data.ts';
import { dynamoDb } from './dynamodb-client.ts';
import { tableName } from './resource-env.ts';
import { isConditionFailure, rethrowTransient } from './store-errors.ts';

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

  async invoicedQuantities(poNumber: string): Promise<Record<number, string>> {
    const totals: Record<number, bigint> = {};
    const scale = 1_000_000n;
    for (const item of (await this.queryPo(poNumber, 'INVOICED#')) as { lines: Record<string, string> }[]) {
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

  /** Records the quantities an approved invoice consumed, once per invoice. */
  async recordInvoicedQuantities(
    poNumber: string,
    vendorId: string,
    invoiceNumber: string,
    lines: Record<number, string>,
  ): Promise<void> {
    await this.put(referenceKeys.invoiced(poNumber, vendorId, invoiceNumber), { lines });
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

  private async queryPo(poNumber: string, prefix: string): Promise<unknown[]> {
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
          }),
        );
        items.push(...(page.Items ?? []).map((i) => i.data));
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      rethrowTransient(error);
    }
    return items;
  }
}
