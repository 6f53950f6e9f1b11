import type {
  ApPolicy,
  PurchaseOrder,
  SystemOfRecord,
  Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import { duplicateChecks } from './duplicates.ts';
import { type Invoice, lowConfidenceFields } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';
import { type LineMatch, threeWayMatch } from './three-way-match.ts';

export interface Assessment {
  readonly vendor: Vendor | null;
  readonly purchaseOrder: PurchaseOrder | null;
  readonly results: RuleResult[];
  readonly lines: LineMatch[];
}

/**
 * Looks the invoice up in the system of record and runs the matching rules on it (the
 * arithmetic is its own step). The duplicate checks here see processed history, the number
 * however written; the concurrent-duplicate claim is a separate conditional write.
 */
export async function assessInvoice(
  invoice: Invoice,
  sor: SystemOfRecord,
  policy: ApPolicy,
): Promise<Assessment> {
  const results: RuleResult[] = [];
  const unsure = lowConfidenceFields(invoice);
  results.push(
    unsure.length > 0
      ? rule('LOW_CONFIDENCE', false, `Not sure enough of: ${unsure.join(', ')}.`)
      : rule('LOW_CONFIDENCE', true, 'Every field the decision depends on was read with enough confidence.'),
  );
  const vendor = await identifyVendor(invoice, sor);
  if (!vendor) {
    results.push(
      rule(
        'UNKNOWN_VENDOR',
        false,
        `No active vendor with tax id ${invoice.vendorTaxId ?? '(none)'} or name ${invoice.vendorName ?? '(none)'}.`,
      ),
    );
    return { vendor: null, purchaseOrder: null, results, lines: [] };
  }
  results.push(rule('UNKNOWN_VENDOR', true, `Vendor ${vendor.vendorId} (${vendor.name}).`));
  results.push(...(await duplicateChecks(invoice, vendor.vendorId, sor)));
  const po = invoice.poNumber ? await sor.getPurchaseOrder(invoice.poNumber) : undefined;
  const [receipts, previouslyInvoiced] = po
    ? await Promise.all([
        sor.getReceipts(po.poNumber),
        sor.invoicedQuantities(
          po.poNumber,
          invoice.invoiceNumber
            ? { vendorId: vendor.vendorId, invoiceNumber: invoice.invoiceNumber }
            : undefined,
        ),
      ])
    : [[], {}];
  const match = threeWayMatch({ invoice, vendor, po, receipts, previouslyInvoiced, policy });
  results.push(...match.results);
  return { vendor, purchaseOrder: po ?? null, results, lines: match.lines };
}

/** By tax id first (it identifies a legal entity), then by normalised name; inactive vendors do not count. */
async function identifyVendor(invoice: Invoice, sor: SystemOfRecord): Promise<Vendor | undefined> {
  const byTaxId = invoice.vendorTaxId ? await sor.findVendorByTaxId(invoice.vendorTaxId) : undefined;
  const vendor = byTaxId ?? (invoice.vendorName ? await sor.findVendorByName(invoice.vendorName) : undefined);
  return vendor?.status === 'ACTIVE' ? vendor : undefined;
}
