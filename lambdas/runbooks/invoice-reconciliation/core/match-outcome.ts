import { showDecimal } from '#platform/core/decimal.ts';
import type { PurchaseOrder, Vendor } from '#platform/system-of-record/core/reference-data.ts';
import type { Invoice } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';
import { billedPerPoLine, type LineMatch } from './three-way-match.ts';

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

/**
 * The quantity this invoice bills per PO line (exact decimal strings): every line billing a PO
 * line summed, as the quantity check summed it, so a PO line split over several invoice lines
 * is reserved whole. `lines` are the match's, one per invoice line in the invoice's order.
 */
export function quantitiesToReserve(invoice: Invoice, lines: readonly LineMatch[]): Record<number, string> {
  const pairs = lines.map((match, index) => {
    const line = invoice.lines[index];
    // Paired by position, not by line number: line numbers may repeat on a malformed invoice.
    if (line === undefined || line.lineNo !== match.invoiceLineNo) {
      throw new Error(`Line match ${index} does not belong to invoice line ${line?.lineNo ?? '(none)'}.`);
    }
    return { line, poLineNo: match.poLineNo };
  });
  const reserved: Record<number, string> = {};
  for (const [poLineNo, { quantity }] of billedPerPoLine(pairs)) reserved[poLineNo] = showDecimal(quantity);
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
          allowedGlAccounts: vendor.allowedGlAccounts ?? [],
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
