import {
  type ErpSnapshot,
  normaliseDocumentNumber,
  normaliseTaxId,
  normaliseVendorName,
  type Receivable,
  type SystemOfRecord,
} from '#platform/system-of-record/core/reference-data.ts';

/** The SystemOfRecord port over an ERP snapshot held in memory, for pure core tests. */
export function inMemorySystemOfRecord(
  snapshot: ErpSnapshot,
  invoiced: Record<string, Record<number, string>> = {},
): SystemOfRecord {
  const receivables = new Map<string, Receivable>(
    snapshot.openReceivables.map((r) => [r.receivableId, { ...r, status: 'OPEN' }] as const),
  );
  return {
    getVendor: async (vendorId) => snapshot.vendors.find((v) => v.vendorId === vendorId),
    findVendorByTaxId: async (taxId) =>
      snapshot.vendors.find((v) => normaliseTaxId(v.taxId) === normaliseTaxId(taxId)),
    findVendorByName: async (name) =>
      snapshot.vendors.find((v) => normaliseVendorName(v.name) === normaliseVendorName(name)),
    getPurchaseOrder: async (po) =>
      snapshot.purchaseOrders.find(
        (p) => normaliseDocumentNumber(p.poNumber) === normaliseDocumentNumber(po),
      ),
    getReceipts: async (po) => snapshot.goodsReceipts.filter((r) => r.poNumber === po),
    findProcessedInvoice: async (vendorId, number) =>
      snapshot.processedInvoices.find(
        (i) =>
          i.vendorId === vendorId &&
          normaliseDocumentNumber(i.invoiceNumber) === normaliseDocumentNumber(number),
      ),
    invoicedQuantities: async (po) => invoiced[po] ?? {},
    getPolicy: async () => snapshot.policy,
    getCustomer: async (customerId) => snapshot.customers.find((c) => c.customerId === customerId),
    listOpenReceivables: async (currency) =>
      [...receivables.values()].filter((r) => r.currency === currency && r.status === 'OPEN'),
    settleReceivable: async ({ receivableId }, settlement) => {
      const receivable = receivables.get(receivableId);
      if (receivable?.settlement?.settlementId === settlement.settlementId) return 'already';
      if (receivable?.status !== 'OPEN') return 'not_open';
      receivables.set(receivableId, { ...receivable, status: settlement.status, settlement });
      return 'settled';
    },
  };
}
