import { readFileSync } from 'node:fs';
import {
  DynamoDbSystemOfRecord,
  type PutOutcome,
  referenceKeys,
} from '../../lambdas/adapters/system-of-record-dynamodb.ts';
import { type ErpSnapshot, parseErpSnapshot } from '../../lambdas/core/invoice/reference-data.ts';

export interface SeedReport {
  readonly counts: Record<string, Record<PutOutcome, number>>;
}

/** Reads and validates the whole file first; a malformed file loads nothing. */
export function readSnapshot(file: string): ErpSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw Object.assign(new Error(`Cannot read ${file} as JSON: ${(error as Error).message}`), {
      code: 'INVALID_SNAPSHOT',
    });
  }
  return parseErpSnapshot(raw);
}

/** Loads the reference data into the reference table; identical items are left untouched. */
export async function seedReferenceData(snapshot: ErpSnapshot): Promise<SeedReport> {
  const store = new DynamoDbSystemOfRecord();
  const counts: SeedReport['counts'] = {};
  const count = (what: string, outcome: PutOutcome) => {
    const entry = (counts[what] ??= { created: 0, updated: 0, unchanged: 0 });
    entry[outcome] += 1;
  };
  for (const vendor of snapshot.vendors) {
    count('vendors', await store.put(referenceKeys.vendor(vendor.vendorId), vendor));
    await store.put(referenceKeys.vendorByTaxId(vendor.taxId), { vendorId: vendor.vendorId });
    await store.put(referenceKeys.vendorByName(vendor.name), { vendorId: vendor.vendorId });
  }
  for (const po of snapshot.purchaseOrders)
    count('purchaseOrders', await store.put(referenceKeys.purchaseOrder(po.poNumber), po));
  for (const receipt of snapshot.goodsReceipts) {
    count(
      'goodsReceipts',
      await store.put(referenceKeys.receipt(receipt.poNumber, receipt.receiptId), receipt),
    );
  }
  for (const invoice of snapshot.processedInvoices) {
    count(
      'processedInvoices',
      await store.put(referenceKeys.processedInvoice(invoice.vendorId, invoice.invoiceNumber), invoice),
    );
  }
  count('policy', await store.put(referenceKeys.policy(), snapshot.policy));
  return { counts };
}
