import type { PurchaseOrder, Vendor } from '#platform/system-of-record/core/reference-data.ts';
import type { Invoice } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';
import type { LineMatch } from './three-way-match.ts';

/** Whether this run holds the vendor + invoice number, as a duplicate rule result. */
export function claimRule(claim: 'claimed' | { readonly heldBy: string }): RuleResult {
  return claim === 'claimed'
    ? rule('DUPLICATE_INVOICE', true, 'Vendor and invoice number claimed by this run.')
    : rule(
        'DUPLICATE_INVOICE',
        false,
        `The same vendor and invoice number are being processed by run ${claim.heldBy.split(':').at(-1)}.`,
      );
}

export function isDuplicate(results: readonly RuleResult[]): boolean {
  return results.some((r) => r.code === 'DUPLICATE_INVOICE' && !r.passed);
}

/** The quantity this invoice bills per PO line (decimal strings), from its matched lines. */
export function quantitiesToReserve(invoice: Invoice, lines: readonly LineMatch[]): Record<number, string> {
  const reserved: Record<number, string> = {};
  for (const line of lines) {
    const quantity = invoice.lines.find((l) => l.lineNo === line.invoiceLineNo)?.quantity;
    if (line.poLineNo !== null && quantity !== undefined) reserved[line.poLineNo] = quantity;
  }
  return reserved;
}

/** What later steps (and the case) need of the vendor master and the PO: no more. */
export function matchSummary(vendor: Vendor | null, purchaseOrder: PurchaseOrder | null) {
  return {
    vendor: vendor
      ? {
          vendorId: vendor.vendorId,
          name: vendor.name,
          defaultGlAccount: vendor.defaultGlAccount,
          currency: vendor.currency,
        }
      : null,
    purchaseOrder: purchaseOrder
      ? {
          poNumber: purchaseOrder.poNumber,
          costCenter: purchaseOrder.costCenter,
          lines: purchaseOrder.lines.map(({ lineNo, sku, description, glAccount }) => ({
            lineNo,
            sku,
            description,
            glAccount,
          })),
        }
      : null,
  };
}
