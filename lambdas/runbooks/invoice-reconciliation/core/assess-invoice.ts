import type {
  ApPolicy,
  PurchaseOrder,
  SystemOfRecord,
  Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import { duplicateChecks } from './duplicates.ts';
import { type Invoice, lowConfidenceFields } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';
import { type LineMatch, type RunEntity, threeWayMatch } from './three-way-match.ts';

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
  entity?: RunEntity,
): Promise<Assessment> {
  const results: RuleResult[] = [];
  const unsure = lowConfidenceFields(invoice);
  results.push(
    unsure.length > 0
      ? rule('LOW_CONFIDENCE', false, `Not sure enough of: ${unsure.join(', ')}.`)
      : rule('LOW_CONFIDENCE', true, 'Every field the decision depends on was read with enough confidence.'),
  );
  const identity = await identifyVendor(invoice, sor);
  if (!identity.vendor) {
    results.push(rule('UNKNOWN_VENDOR', false, identity.reason));
    return { vendor: null, purchaseOrder: null, results, lines: [] };
  }
  const vendor = identity.vendor;
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
  const match = threeWayMatch({
    invoice,
    vendor,
    po,
    receipts,
    previouslyInvoiced,
    policy,
    ...(entity ? { entity } : {}),
  });
  results.push(...match.results);
  return { vendor, purchaseOrder: po ?? null, results, lines: match.lines };
}

export type VendorIdentity =
  | { readonly vendor: Vendor; readonly by: 'tax_id' | 'name' }
  | { readonly vendor: null; readonly reason: string };

/**
 * By tax id first (it identifies a legal entity); a name counts only when no tax id is given,
 * it is written in one script, and it equals an active vendor's name once normalised.
 * A tax id that names no vendor, or another vendor, is never overruled by a matching name.
 */
export async function identifyVendor(invoice: Invoice, sor: SystemOfRecord): Promise<VendorIdentity> {
  const taxId = invoice.vendorTaxId?.trim() ? invoice.vendorTaxId : null;
  const name = invoice.vendorName ? invoice.vendorName.normalize('NFKC') : null;
  if (taxId) {
    const byTaxId = await sor.findVendorByTaxId(taxId);
    if (!byTaxId) {
      return { vendor: null, reason: `No vendor has tax id ${taxId}; the name alone does not identify one.` };
    }
    if (byTaxId.status !== 'ACTIVE') {
      return { vendor: null, reason: `Vendor ${byTaxId.vendorId} (tax id ${taxId}) is not active.` };
    }
    // The name may be written differently, but never as the name of another vendor.
    const named = name ? await sor.findVendorByName(name) : undefined;
    if (named && named.vendorId !== byTaxId.vendorId) {
      return {
        vendor: null,
        reason: `Tax id ${taxId} belongs to vendor ${byTaxId.vendorId} but the invoice names vendor ${named.vendorId} (${named.name}).`,
      };
    }
    return { vendor: byTaxId, by: 'tax_id' };
  }
  if (!name) return { vendor: null, reason: 'The invoice names no vendor tax id and no vendor name.' };
  const confusable = confusableCharacters(name);
  if (confusable.length > 0) {
    return {
      vendor: null,
      reason: `Vendor name "${name}" mixes scripts (${confusable.join(' ')}); a look-alike name never identifies a vendor.`,
    };
  }
  const byName = await sor.findVendorByName(name);
  if (byName?.status !== 'ACTIVE') {
    return { vendor: null, reason: `No active vendor named ${name} and no tax id on the invoice.` };
  }
  return { vendor: byName, by: 'name' };
}

/**
 * Letters outside the Latin script in a name that also has Latin letters ('Аcme' with a
 * Cyrillic 'А'), shown as code points. A name in one script has none.
 */
export function confusableCharacters(name: string): string[] {
  const letters = [...name.normalize('NFKC')].filter((c) => /\p{L}/u.test(c));
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c));
  const other = letters.filter((c) => !/\p{Script=Latin}/u.test(c));
  if (latin.length === 0 || other.length === 0) return [];
  return [...new Set(other)].map(
    (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}
