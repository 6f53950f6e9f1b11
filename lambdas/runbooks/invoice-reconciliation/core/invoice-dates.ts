import type { Invoice } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';

/** An invoice may be dated at most this many days after it reached us (time zones, a vendor a day ahead). */
export const FUTURE_DATE_GRACE_DAYS = 1;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Dates a vendor could use to pull a payment forward or hide a stale bill: an invoice dated
 * after it was received, or due before it was issued, goes to a person.
 */
export function invoiceDateRules(invoice: Invoice, submittedAt: string): RuleResult[] {
  const received = Date.parse(submittedAt);
  const issued = invoice.invoiceDate ? Date.parse(`${invoice.invoiceDate}T00:00:00Z`) : Number.NaN;
  const due = invoice.dueDate ? Date.parse(`${invoice.dueDate}T00:00:00Z`) : Number.NaN;
  if (Number.isFinite(issued) && issued > received + FUTURE_DATE_GRACE_DAYS * DAY_MS)
    return [
      rule(
        'INVOICE_DATE_INVALID',
        false,
        `Invoice dated ${invoice.invoiceDate}, after it was received on ${submittedAt.slice(0, 10)}.`,
      ),
    ];
  if (Number.isFinite(issued) && Number.isFinite(due) && due < issued)
    return [
      rule(
        'INVOICE_DATE_INVALID',
        false,
        `Due ${invoice.dueDate}, before the invoice date ${invoice.invoiceDate}.`,
      ),
    ];
  return [rule('INVOICE_DATE_INVALID', true, 'Invoice and due dates are consistent with its receipt.')];
}
