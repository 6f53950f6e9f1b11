import { compareDecimal, decimal } from '#platform/core/decimal.ts';
import type { ExceptionInput } from '#platform/exceptions/core/exceptions.ts';
import type { Invoice } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';

/** A document that reduces what a vendor is owed: never paid, set off by a person. */
export interface Credit {
  readonly kind: 'CREDIT_NOTE' | 'NEGATIVE_INVOICE';
  readonly documentNumber: string | null;
  readonly sellerName: string | null;
  /** The seller's VAT or tax id, when the document gives one. */
  readonly sellerId: string | null;
  /** Decimal string, without its sign. */
  readonly amount: string | null;
  readonly currency: string | null;
  readonly typeCode: string | null;
}

/** An invoice (printed, PDF or structured) whose total is negative is a credit, whatever it calls itself. */
export function creditOfInvoice(invoice: Invoice): Credit | undefined {
  if (invoice.total === null || compareDecimal(decimal(invoice.total), decimal('0')) >= 0) return undefined;
  return {
    kind: 'NEGATIVE_INVOICE',
    documentNumber: invoice.invoiceNumber,
    sellerName: invoice.vendorName,
    sellerId: invoice.vendorTaxId,
    amount: invoice.total.replace(/^-/, ''),
    currency: invoice.currency,
    typeCode: null,
  };
}

export function negativeTotalRule(): RuleResult {
  return rule(
    'CREDIT_NOTE',
    false,
    'The total is negative: a credit, never paid; it goes to AP as an exception.',
  );
}

/** The exception AP resolves: opened once per seller and document number, however often it is submitted. */
export function creditException(
  credit: Credit,
  run: { readonly runbook: string; readonly executionId: string },
  openedAt: string,
): ExceptionInput {
  const seller = credit.sellerId ?? credit.sellerName ?? 'unknown-seller';
  const document = credit.documentNumber ?? run.executionId;
  const what = credit.kind === 'CREDIT_NOTE' ? 'Credit note' : 'Negative invoice';
  return {
    exceptionId: `credit-note:${seller}:${document}`.slice(0, 200),
    kind: 'CREDIT_NOTE',
    runbook: run.runbook,
    executionId: run.executionId,
    summary: `${what} ${document} from ${credit.sellerName ?? seller}: set it against what the vendor is owed; it is not paid.`,
    requiredRole: 'ap_clerk',
    ...(credit.amount && credit.currency ? { amount: credit.amount, currency: credit.currency } : {}),
    refs: {
      invoiceNumber: document,
      ...(credit.typeCode ? { typeCode: credit.typeCode } : {}),
    },
    openedAt,
  };
}
