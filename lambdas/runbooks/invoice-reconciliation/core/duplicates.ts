import { compareDecimal, decimal } from '#platform/core/decimal.ts';
import type { ProcessedInvoice, SystemOfRecord } from '#platform/system-of-record/core/reference-data.ts';
import type { Invoice } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';

/**
 * Duplicate invoices against the vendor's history. The same number written differently
 * ("INV-0042", "INV0042", "inv 42") is the same invoice: DUPLICATE_INVOICE. The same amount
 * on the same date under another number may be the same invoice re-issued: POSSIBLE_DUPLICATE,
 * for a person to decide.
 */

/** Letters, digit groups (zeros leading a group dropped) and "&", in order: one key per invoice number however written. */
export function invoiceNumberKey(value: string): string {
  return (value.toUpperCase().match(/[A-Z]+|\d+|&/g) ?? [])
    .map((token) => (/^\d/.test(token) ? token.replace(/^0+(?=\d)/, '') : token))
    .join('.');
}

/** Widest zero-padded counter tried: "42" is also looked up as "042" … "000000000042". */
const MAX_COUNTER_WIDTH = 12;

/**
 * Spellings of an invoice number to look up in a history keyed without case or punctuation:
 * as written, then its last digit group with every count of leading zeros up to the bound.
 * Other digit groups are kept as written.
 */
export function invoiceNumberSpellings(value: string): string[] {
  const tokens = value.toUpperCase().match(/[A-Z]+|\d+|&/g) ?? [];
  const last = tokens.findLastIndex((token) => /^\d/.test(token));
  if (last < 0) return [value];
  const digits = (tokens[last] as string).replace(/^0+(?=\d)/, '');
  const spellings = [value];
  for (let width = digits.length; width <= Math.max(MAX_COUNTER_WIDTH, digits.length); width += 1) {
    const padded = [...tokens];
    padded[last] = digits.padStart(width, '0');
    spellings.push(padded.join(''));
  }
  return [...new Set(spellings)];
}

/** DUPLICATE_INVOICE (the same number, however written) and, failing that, POSSIBLE_DUPLICATE. */
export async function duplicateChecks(
  invoice: Invoice,
  vendorId: string,
  sor: SystemOfRecord,
): Promise<RuleResult[]> {
  if (!invoice.invoiceNumber) return [];
  const number = invoice.invoiceNumber;
  const found = await Promise.all(
    invoiceNumberSpellings(number).map((spelling) => sor.findProcessedInvoice(vendorId, spelling)),
  );
  const earlier = found.find((f): f is ProcessedInvoice => f !== undefined);
  if (earlier) {
    const respelt = earlier.invoiceNumber === number ? '' : ` (written here as ${number})`;
    return [
      rule(
        'DUPLICATE_INVOICE',
        false,
        `${vendorId} invoice ${earlier.invoiceNumber}${respelt} was already processed (${earlier.status}, ${earlier.invoiceDate}).`,
      ),
    ];
  }
  const results = [rule('DUPLICATE_INVOICE', true, 'Not in the invoice history.')];
  // Only a system of record that can list a vendor's invoices can answer this; the others are not asked.
  if (sor.listProcessedInvoices && invoice.total !== null && invoice.invoiceDate !== null) {
    const total = decimal(invoice.total);
    const key = invoiceNumberKey(number);
    const history = await sor.listProcessedInvoices(vendorId);
    const twin = history.find(
      (h) =>
        h.invoiceDate === invoice.invoiceDate &&
        compareDecimal(decimal(h.total), total) === 0 &&
        invoiceNumberKey(h.invoiceNumber) !== key,
    );
    results.push(
      twin
        ? rule(
            'POSSIBLE_DUPLICATE',
            false,
            `${vendorId} invoice ${twin.invoiceNumber} (${twin.status}) has the same total ${twin.total} and date ${twin.invoiceDate} under another number.`,
          )
        : rule('POSSIBLE_DUPLICATE', true, 'No invoice of this vendor with the same total and date.'),
    );
  }
  return results;
}
