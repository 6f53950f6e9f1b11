import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPrefix } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { TransientStoreError } from '#platform/core/errors.ts';
import { hashOf } from '#platform/core/hashing.ts';
import {
  type ApPolicy,
  type BankDetailsChangeOutcome,
  type Customer,
  type GoodsReceipt,
  MAX_OPEN_RECEIVABLES,
  normaliseDocumentNumber,
  normaliseTaxId,
  normaliseVendorName,
  type OpenReceivableSeed,
  type Order,
  type Partner,
  type PayoutContract,
  type ProcessedInvoice,
  type PurchaseOrder,
  payeeOfRecord,
  type Receivable,
  type ReceivableSettlement,
  type SettleOutcome,
  type SystemOfRecord,
  type Vendor,
  type VendorBankDetailsChange,
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
  /** The same invoice again, under its vendor: what the possible-duplicate check lists. */
  vendorInvoice: (vendorId: string, invoiceNumber: string) => ({
    pk: `VENDOR_INVOICES#${vendorId}`,
    sk: `INVOICE#${normaliseDocumentNumber(invoiceNumber)}`,
  }),
  policy: () => ({ pk: 'POLICY', sk: 'ap-invoice' }),
  chartOfAccounts: () => ({ pk: 'CHART_OF_ACCOUNTS', sk: 'CHART' }),
  fundingAccount: (currency: string) => ({ pk: 'FUNDING_ACCOUNT', sk: currency }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'CUSTOMER' }),
  partner: (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' }),
  order: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  payoutContract: (contractId: string) => ({ pk: `CONTRACT#${contractId}`, sk: 'CONTRACT' }),
  /** Receivables live under their currency: the statement match lists one currency's. */
  receivable: (currency: string, receivableId: string) => ({
    pk: `RECEIVABLES#${currency}`,
    sk: `RECEIVABLE#${receivableId}`,
  }),
  quantityVersion: (poNumber: string) => ({
    pk: `PO#${normaliseDocumentNumber(poNumber)}`,
    sk: 'QUANTITY_VERSION',
  }),
};

/** Accounts of the chart and whether each may be coded to. */
export type ChartOfAccounts = readonly { readonly account: string; readonly active: boolean }[];

export type PutOutcome = 'created' | 'updated' | 'unchanged';

/** Pages of one PO's receipts or reservations read at the most; quantities are summed from all of them or none. */
const MAX_PO_PAGES = 20;
/** Pages of one vendor's processed invoices read at the most. */
const MAX_VENDOR_INVOICE_PAGES = 20;
/** Pages of one currency's receivables read at the most (open and closed share the partition). */
const MAX_RECEIVABLE_PAGES = 200;

/**
 * The conditional update that closes a receivable, for `settleReceivable` and for a caller that
 * closes it in one transaction with its own records: only from OPEN, or again by the same settlement.
 */
export function settleReceivableUpdate(
  receivable: { receivableId: string; currency: string },
  settlement: ReceivableSettlement,
) {
  return {
    TableName: tableName('reference'),
    Key: referenceKeys.receivable(receivable.currency, receivable.receivableId),
    UpdateExpression: 'SET receivableStatus = :status, settlement = :settlement',
    ConditionExpression:
      'attribute_exists(pk) AND (receivableStatus = :open OR settlement.settlementId = :id)',
    ExpressionAttributeValues: {
      ':status': settlement.status,
      ':settlement': settlement,
      ':open': 'OPEN',
      ':id': settlement.settlementId,
    },
  };
}

/** The reference table as the SystemOfRecord port. */
export class DynamoDbSystemOfRecord implements SystemOfRecord {
  getVendor(vendorId: string): Promise<Vendor | undefined> {
    return this.get<Vendor>(referenceKeys.vendor(vendorId));
  }

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

  /** The chart of accounts, when the snapshot carried one. */
  async getChartOfAccounts(): Promise<ChartOfAccounts | undefined> {
    return (await this.get<{ accounts: ChartOfAccounts }>(referenceKeys.chartOfAccounts()))?.accounts;
  }

  getPolicy(): Promise<ApPolicy | undefined> {
    return this.get<ApPolicy>(referenceKeys.policy());
  }

  getCustomer(customerId: string): Promise<Customer | undefined> {
    return this.get<Customer>(referenceKeys.customer(customerId));
  }

  /** Whoever a hold pays: a vendor, or a customer or partner by its typed key (`customer:<id>`, `partner:<id>`). */
  async getPayee(payee: string): Promise<Vendor | undefined> {
    const [kind, ...rest] = payee.split(':');
    const id = rest.join(':');
    if (kind === 'customer' && id) return payeeOfRecord(payee, { customer: await this.getCustomer(id) });
    if (kind === 'partner' && id) return payeeOfRecord(payee, { partner: await this.getPartner(id) });
    return this.getVendor(payee);
  }

  getPartner(partnerId: string): Promise<Partner | undefined> {
    return this.get<Partner>(referenceKeys.partner(partnerId));
  }

  getOrder(orderId: string): Promise<Order | undefined> {
    return this.get<Order>(referenceKeys.order(orderId));
  }

  getPayoutContract(contractId: string): Promise<PayoutContract | undefined> {
    return this.get<PayoutContract>(referenceKeys.payoutContract(contractId));
  }

  async listOpenReceivables(currency: string): Promise<Receivable[]> {
    const items = await queryPrefix(tableName('reference'), `RECEIVABLES#${currency}`, 'RECEIVABLE#', {
      maxPages: MAX_RECEIVABLE_PAGES,
      atBound: 'refuse',
      what: `${currency} receivables`,
    });
    const open = items.map(toReceivable).filter((r) => r.status === 'OPEN');
    if (open.length > MAX_OPEN_RECEIVABLES)
      throw new TransientStoreError(
        `${open.length} open ${currency} receivables is over ${MAX_OPEN_RECEIVABLES}; the listing is refused rather than cut.`,
      );
    return open;
  }

  /** One receivable, open or closed. */
  async getReceivable(currency: string, receivableId: string): Promise<Receivable | undefined> {
    const item = await this.item(referenceKeys.receivable(currency, receivableId), true);
    return item ? toReceivable(item) : undefined;
  }

  async settleReceivable(
    receivable: { receivableId: string; currency: string },
    settlement: ReceivableSettlement,
  ): Promise<SettleOutcome> {
    const before = await this.getReceivable(receivable.currency, receivable.receivableId);
    if (before?.settlement?.settlementId === settlement.settlementId) return 'already';
    if (before?.status !== 'OPEN') return 'not_open';
    const written = await writeIf(() =>
      dynamoDb.send(new UpdateCommand(settleReceivableUpdate(receivable, settlement))),
    );
    if (written) return 'settled';
    // Closed between the read and the write: by this settlement (a concurrent retry) or by another.
    const after = await this.getReceivable(receivable.currency, receivable.receivableId);
    return after?.settlement?.settlementId === settlement.settlementId ? 'already' : 'not_open';
  }

  /**
   * One conditional write of the vendor item: the new details and the change day, only while the
   * item is exactly the one read (so the details are still `expected`), tagged with the change id.
   * A concurrent write in between fails the condition: TransientStoreError, and the caller's
   * retry reads again and answers `already` or `details_changed`.
   */
  async changeVendorBankDetails(change: VendorBankDetailsChange): Promise<BankDetailsChangeOutcome> {
    const key = referenceKeys.vendor(change.vendorId);
    const item = await this.item(key, true);
    if (!item) return 'not_found';
    if (item.bankChangeId === change.changeId) return 'already';
    const vendor = item.data as Vendor;
    if (
      vendor.bankAccount !== change.expected.bankAccount ||
      vendor.routingNumber !== change.expected.routingNumber
    )
      return 'details_changed';
    const data: Vendor = {
      ...vendor,
      bankAccount: change.next.bankAccount,
      routingNumber: change.next.routingNumber,
      bankDetailsChangedAt: change.changedAt,
    };
    const written = await writeIf(() =>
      dynamoDb.send(
        new PutCommand({
          TableName: tableName('reference'),
          Item: { ...key, data, contentHash: hashOf(data), bankChangeId: change.changeId },
          ConditionExpression: 'contentHash = :read',
          ExpressionAttributeValues: { ':read': item.contentHash },
        }),
      ),
    );
    if (!written)
      throw new TransientStoreError(
        `Vendor ${change.vendorId} changed while its bank details were being changed; read it again.`,
      );
    return 'changed';
  }

  /**
   * Loads a receivable from a snapshot: created open, or updated while still open; a receivable a
   * reconciliation closed is never reopened by loading the snapshot again.
   */
  async putReceivable(receivable: OpenReceivableSeed): Promise<PutOutcome> {
    const key = referenceKeys.receivable(receivable.currency, receivable.receivableId);
    const contentHash = hashOf(receivable);
    const existing = await this.item(key, true);
    if (existing?.contentHash === contentHash || (existing && existing.receivableStatus !== 'OPEN'))
      return 'unchanged';
    const written = await writeIf(() =>
      dynamoDb.send(
        new PutCommand({
          TableName: tableName('reference'),
          Item: { ...key, data: receivable, contentHash, receivableStatus: 'OPEN' },
          ConditionExpression:
            'attribute_not_exists(pk) OR (contentHash <> :hash AND receivableStatus = :open)',
          ExpressionAttributeValues: { ':hash': contentHash, ':open': 'OPEN' },
        }),
      ),
    );
    if (!written) return 'unchanged';
    return existing ? 'updated' : 'created';
  }

  /** The funding account AP payments in a currency are held on. */
  async fundingAccountFor(currency: string): Promise<string | undefined> {
    return (await this.get<{ accountId: string }>(referenceKeys.fundingAccount(currency)))?.accountId;
  }

  /** The PO's quantity version: every reservation moves it, so two matches cannot both read the old quantities. */
  async quantityVersion(poNumber: string): Promise<number> {
    const item = await this.item(referenceKeys.quantityVersion(poNumber), true);
    return Number(item?.version ?? 0);
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
    executionId: string,
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
                  reservedBy: executionId,
                },
                ConditionExpression: 'attribute_not_exists(pk) OR reservedBy = :me',
                ExpressionAttributeValues: { ':me': executionId },
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
    executionId: string,
  ): Promise<void> {
    // A failed condition: already given back, or reserved by another run, so nothing of ours is left.
    await writeIf(() =>
      dynamoDb.send(
        new DeleteCommand({
          TableName: tableName('reference'),
          Key: referenceKeys.invoiced(poNumber, vendorId, invoiceNumber),
          ConditionExpression: 'reservedBy = :me',
          ExpressionAttributeValues: { ':me': executionId },
        }),
      ),
    );
  }

  /** Writes an item unless an identical one is stored: loading the same data twice changes nothing. */
  async put(key: { pk: string; sk: string }, data: object): Promise<PutOutcome> {
    const contentHash = hashOf(data);
    const existing = await this.item(key, true);
    if (existing?.contentHash === contentHash) return 'unchanged';
    const written = await writeIf(() =>
      dynamoDb.send(
        new PutCommand({
          TableName: tableName('reference'),
          Item: { ...key, data, contentHash },
          ConditionExpression: 'attribute_not_exists(pk) OR contentHash <> :hash',
          ExpressionAttributeValues: { ':hash': contentHash },
        }),
      ),
    );
    if (!written) return 'unchanged';
    return existing ? 'updated' : 'created';
  }

  private async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    return (await this.item(key, false))?.data as T | undefined;
  }

  private async item(
    key: { pk: string; sk: string },
    consistentRead: boolean,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('reference'),
          Key: key,
          ...(consistentRead ? { ConsistentRead: true } : {}),
        }),
      );
      return Item;
    } catch (error) {
      rethrowTransient(error);
    }
  }

  /** A vendor's processed invoices (bounded: a vendor with more than the bound is refused, never half-listed). */
  async listProcessedInvoices(vendorId: string): Promise<ProcessedInvoice[]> {
    const items = await queryPrefix(tableName('reference'), `VENDOR_INVOICES#${vendorId}`, 'INVOICE#', {
      maxPages: MAX_VENDOR_INVOICE_PAGES,
      atBound: 'refuse',
      what: `processed invoices of vendor ${vendorId}`,
    });
    return items.map((item) => item.data as ProcessedInvoice);
  }

  private async queryPo(poNumber: string, prefix: string, whole = false): Promise<unknown[]> {
    const items = await queryPrefix(
      tableName('reference'),
      referenceKeys.purchaseOrder(poNumber).pk,
      prefix,
      {
        maxPages: MAX_PO_PAGES,
        atBound: 'refuse',
        what: `${prefix} items of PO ${poNumber}`,
      },
    );
    return items.map((item) => (whole ? item : item.data));
  }
}

function toReceivable(item: Record<string, unknown>): Receivable {
  const settlement = item.settlement as ReceivableSettlement | undefined;
  return {
    ...(item.data as OpenReceivableSeed),
    status: (item.receivableStatus as Receivable['status'] | undefined) ?? 'OPEN',
    ...(settlement ? { settlement } : {}),
  };
}
