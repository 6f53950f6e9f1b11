import {
  type ErpSnapshot,
  normaliseDocumentNumber,
  normaliseTaxId,
  normaliseVendorName,
  type SystemOfRecord,
} from '#platform/system-of-record/core/reference-data.ts';

/** The SystemOfRecord port over an ERP snapshot held in memory, for pure core tests. */
export function inMemorySystemOfRecord(
  snapshot: ErpSnapshot,
  invoiced: Record<string, Record<number, string>> = {},
): SystemOfRecord {
  return {
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
  };
}
