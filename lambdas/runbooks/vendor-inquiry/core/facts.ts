import * as z from 'zod';
import { formatMoney, type Money } from '#platform/core/money.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';
import type { ProcessedInvoice } from '#platform/system-of-record/core/reference-data.ts';

/**
 * What the reply may say about one invoice of the identified vendor, taken from the system of
 * record: the escrow hold that pays it, the invoice run's case, the ERP's processed invoices.
 * Nothing internal (reason codes for an approval, who decides, limits) is a fact.
 */
export const invoiceFactSchema = z.discriminatedUnion('status', [
  z.object({ invoiceNumber: z.string(), status: z.literal('RECEIVED') }),
  z.object({ invoiceNumber: z.string(), status: z.literal('PENDING_APPROVAL') }),
  /** Approved, its payment not yet placed. */
  z.object({ invoiceNumber: z.string(), status: z.literal('APPROVED') }),
  z.object({
    invoiceNumber: z.string(),
    status: z.literal('SCHEDULED'),
    amount: z.string(),
    currency: z.string(),
    /** YYYY-MM-DD, or null: the next payment run. */
    scheduledFor: z.string().nullable(),
  }),
  z.object({
    invoiceNumber: z.string(),
    status: z.literal('IN_PAYMENT'),
    amount: z.string(),
    currency: z.string(),
    paymentReference: z.string(),
  }),
  z.object({
    invoiceNumber: z.string(),
    status: z.literal('PAID'),
    amount: z.string(),
    currency: z.string(),
    paidOn: z.string().nullable(),
    paymentReference: z.string().nullable(),
  }),
  z.object({ invoiceNumber: z.string(), status: z.literal('REJECTED'), reason: z.string() }),
  /** Disputed, voided or expired: a person explains it. */
  z.object({ invoiceNumber: z.string(), status: z.literal('UNDER_REVIEW') }),
]);
export type InvoiceFact = z.infer<typeof invoiceFactSchema>;

export const factsSchema = z.object({
  vendorId: z.string(),
  vendorName: z.string(),
  invoices: z.array(invoiceFactSchema),
  /** Invoice numbers the message named that the vendor has no invoice under (never repeated back). */
  notFound: z.number().int().nonnegative(),
});
export type InquiryFacts = z.infer<typeof factsSchema>;

/** The part of an invoice run's case the inquiry reads. */
export interface InvoiceCase {
  readonly invoiceNumber: string | null;
  readonly vendorId: string | null;
  /** APPROVED, REJECTED, FAILED, or null while deciding; `decision` PENDING_APPROVAL while a person decides. */
  readonly finalStatus: string | null;
  readonly decision: string | null;
  readonly reasonCodes: readonly string[];
}

function moneyOf(value: Money) {
  return { amount: formatMoney(value), currency: value.currency };
}

/**
 * The hold that pays the invoice says most: scheduled, in a payment, paid, or stopped. A release
 * date already past (`now`) is no promise to repeat: the invoice is due in the next payment run.
 */
export function factFromHold(invoiceNumber: string, hold: HoldView, now: Date = new Date()): InvoiceFact {
  switch (hold.status) {
    case 'HELD':
      return {
        invoiceNumber,
        status: 'SCHEDULED',
        ...moneyOf(hold.amount),
        scheduledFor:
          hold.releaseAt && Date.parse(hold.releaseAt) > now.getTime() ? hold.releaseAt.slice(0, 10) : null,
      };
    case 'IN_PAYMENT':
      return hold.paymentId
        ? { invoiceNumber, status: 'IN_PAYMENT', ...moneyOf(hold.amount), paymentReference: hold.paymentId }
        : { invoiceNumber, status: 'SCHEDULED', ...moneyOf(hold.amount), scheduledFor: null };
    case 'POSTED':
      return {
        invoiceNumber,
        status: 'PAID',
        ...moneyOf(hold.postedAmount),
        paidOn: hold.closedAt ? hold.closedAt.slice(0, 10) : null,
        paymentReference: hold.paymentId,
      };
    default:
      return { invoiceNumber, status: 'UNDER_REVIEW' };
  }
}

/**
 * The invoice run's case, while no hold pays it: received, awaiting approval (never why), or
 * rejected with only the reason the policy lets the vendor read.
 */
export function factFromCase(
  invoiceNumber: string,
  found: InvoiceCase,
  shareableReasons: Readonly<Record<string, string>>,
  genericRejection: string,
): InvoiceFact {
  if (found.finalStatus === 'REJECTED') {
    const shared = found.reasonCodes.map((code) => shareableReasons[code]).find((text) => text);
    return { invoiceNumber, status: 'REJECTED', reason: shared ?? genericRejection };
  }
  if (found.finalStatus === 'FAILED') return { invoiceNumber, status: 'UNDER_REVIEW' };
  if (found.decision === 'PENDING_APPROVAL' && !found.finalStatus)
    return { invoiceNumber, status: 'PENDING_APPROVAL' };
  if (found.finalStatus === 'APPROVED') return { invoiceNumber, status: 'APPROVED' };
  return { invoiceNumber, status: 'RECEIVED' };
}

/** The ERP's own record of an invoice processed outside Tollgate. */
export function factFromProcessed(
  invoice: ProcessedInvoice,
  currency: string,
  genericRejection: string,
): InvoiceFact {
  const status = invoice.status.toUpperCase();
  if (status === 'PAID')
    return {
      invoiceNumber: invoice.invoiceNumber,
      status: 'PAID',
      amount: invoice.total,
      currency,
      paidOn: null,
      paymentReference: null,
    };
  if (status === 'REJECTED')
    return { invoiceNumber: invoice.invoiceNumber, status: 'REJECTED', reason: genericRejection };
  if (status === 'APPROVED')
    return {
      invoiceNumber: invoice.invoiceNumber,
      status: 'SCHEDULED',
      amount: invoice.total,
      currency,
      scheduledFor: null,
    };
  return { invoiceNumber: invoice.invoiceNumber, status: 'RECEIVED' };
}
