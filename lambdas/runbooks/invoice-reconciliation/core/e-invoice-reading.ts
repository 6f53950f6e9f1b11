import { compareDecimal, type Decimal, showDecimal } from '#platform/core/decimal.ts';
import { type EInvoice, isCreditNote } from '#platform/documents/core/e-invoice.ts';
import { decimalOf } from '#platform/documents/core/e-invoice-fields.ts';
import { checkEInvoiceArithmetic, type EInvoiceRuleBreak } from '#platform/documents/core/en16931-rules.ts';
import { INVOICE_FIELDS, type Invoice, type InvoiceLine, normaliseBankAccount } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';

/**
 * An EN 16931 e-invoice as the invoice runbook uses it: the invoice fields every rule reads
 * (no model involved, every field read with confidence 1), and beside them what the flat
 * invoice has no place for — buyer, VAT breakdown, allowances and charges, prepaid, rounding,
 * the payment account — with the standard's arithmetic checked.
 */
export interface EInvoiceReading {
  readonly invoice: Invoice;
  readonly eInvoice: EInvoiceSummary;
}

/** The e-invoice without its lines (they are in the invoice) and with the rules it breaks: small enough for a run's state. */
export type EInvoiceSummary = Omit<EInvoice, 'lines' | 'attachments'> & {
  readonly lineCount: number;
  readonly attachmentCount: number;
  /** A credit note (UBL CreditNote or a credit type code), or an invoice whose amount due is negative. */
  readonly credit: 'CREDIT_NOTE' | 'NEGATIVE_INVOICE' | null;
  /** EN 16931 arithmetic rules the file's own figures break; empty when they add up. */
  readonly ruleBreaks: readonly EInvoiceRuleBreak[];
};

/** The invoice schema's decimal form: no plus sign, a digit on both sides of the point. */
function plain(text: string): string {
  const negative = text.startsWith('-');
  const [whole = '', fraction = ''] = text.replace(/^[+-]/, '').split('.');
  const digits = `${whole.replace(/^0+(?=\d)/, '') || '0'}${fraction ? `.${fraction}` : ''}`;
  return negative && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

/** Text that fits the field, else null (a truncated id would be another id). */
function bounded(text: string | null, max: number): string | null {
  return text !== null && text.length > 0 && text.length <= max ? text : null;
}

/** a ÷ b when it is a finite decimal, else undefined. */
function divideExactly(a: Decimal, b: Decimal): string | undefined {
  if (b.numerator === 0n) return undefined;
  let numerator = a.numerator * b.denominator;
  let denominator = a.denominator * b.numerator;
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  let scale = 1n;
  let rest = denominator;
  for (const factor of [2n, 5n]) {
    while (rest % factor === 0n) {
      rest /= factor;
    }
  }
  if (numerator % rest !== 0n) return undefined;
  numerator /= rest;
  denominator /= rest;
  while (scale % denominator !== 0n) scale *= 10n;
  return showDecimal({ numerator: numerator * (scale / denominator), denominator: scale });
}

/** The price per one unit of quantity: BT-146 ÷ BT-149 when a base quantity is given. */
function unitPrice(line: EInvoice['lines'][number]): string {
  if (line.netPrice === null) {
    return divideExactly(decimalOf(line.netAmount), decimalOf(line.quantity)) ?? plain(line.netAmount);
  }
  if (line.baseQuantity === null) return plain(line.netPrice);
  return divideExactly(decimalOf(line.netPrice), decimalOf(line.baseQuantity)) ?? plain(line.netPrice);
}

function invoiceLines(invoice: EInvoice): InvoiceLine[] {
  return invoice.lines.map((line, index) => ({
    lineNo: index + 1,
    sku: bounded(line.itemId, 64),
    description: (line.name ?? '').slice(0, 200),
    quantity: plain(line.quantity),
    unitPrice: unitPrice(line),
    amount: plain(line.netAmount),
  }));
}

/** The invoice fields of an e-invoice; what is owed is the amount due (BT-115). */
export function invoiceFromEInvoice(e: EInvoice): Invoice {
  return {
    invoiceNumber: bounded(e.id, 64),
    vendorName: bounded(e.seller.name, 200),
    vendorTaxId: bounded(e.seller.vatId ?? e.seller.taxRegistrationId, 32),
    invoiceDate: e.issueDate,
    dueDate: e.dueDate,
    currency: e.currency,
    poNumber: bounded(e.purchaseOrder, 64),
    lines: invoiceLines(e),
    subtotal: plain(e.totals.taxExclusive),
    tax: e.totals.taxAmount === null ? null : plain(e.totals.taxAmount),
    total: plain(e.totals.payable),
    // In the one form bank details are compared in, as the invoice schema stores them.
    remitTo: e.payment?.account
      ? {
          bankAccount: bounded(normaliseBankAccount(e.payment.account), 64),
          routingNumber: e.payment.bic === null ? null : bounded(normaliseBankAccount(e.payment.bic), 64),
        }
      : null,
    notes: null,
    // Read from the file, not inferred: a field the file lacks is null, and the rules treat it as missing.
    confidence: Object.fromEntries(INVOICE_FIELDS.map((field) => [field, 1])),
  };
}

export function creditKind(e: EInvoice): EInvoiceSummary['credit'] {
  if (isCreditNote(e)) return 'CREDIT_NOTE';
  return compareDecimal(decimalOf(e.totals.payable), { numerator: 0n, denominator: 1n }) < 0
    ? 'NEGATIVE_INVOICE'
    : null;
}

/** Free text a vendor writes (names, reasons, references) kept to this many characters in the run's state. */
export const SUMMARY_TEXT_CHARS = 300;

/** Every string in the summary clipped: the file's own text never grows a run's state without bound. */
function clipped<T>(value: T): T {
  if (typeof value === 'string') {
    return (value.length > SUMMARY_TEXT_CHARS ? `${value.slice(0, SUMMARY_TEXT_CHARS - 1)}…` : value) as T;
  }
  if (Array.isArray(value)) return value.map(clipped) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, clipped(inner)])) as T;
  }
  return value;
}

export function readingOf(e: EInvoice): EInvoiceReading {
  const { lines, attachments, ...rest } = e;
  return {
    invoice: invoiceFromEInvoice(e),
    eInvoice: {
      ...clipped(rest),
      lineCount: lines.length,
      attachmentCount: attachments.length,
      credit: creditKind(e),
      ruleBreaks: checkEInvoiceArithmetic(e),
    },
  };
}

/**
 * The e-invoice's own checks in place of the printed invoice's: the EN 16931 arithmetic rules
 * (a price per base quantity, line allowances and prepaid amounts make the printed-invoice
 * arithmetic wrong for e-invoices), and a credit never paid.
 */
export function eInvoiceRules(
  summary: Pick<EInvoiceSummary, 'credit' | 'ruleBreaks' | 'typeCode'>,
): RuleResult[] {
  const arithmetic =
    summary.ruleBreaks.length > 0
      ? summary.ruleBreaks.map((broken) =>
          rule('EN16931_ARITHMETIC', false, `${broken.rule}: ${broken.detail}`),
        )
      : [
          rule(
            'EN16931_ARITHMETIC',
            true,
            'The EN 16931 totals rules (BR-CO-10 to BR-CO-17, VAT per category) hold.',
          ),
        ];
  const credit =
    summary.credit === 'CREDIT_NOTE'
      ? rule(
          'CREDIT_NOTE',
          false,
          `A credit note (type ${summary.typeCode}) reduces what the vendor is owed; it is never paid and goes to AP as an exception.`,
        )
      : summary.credit === 'NEGATIVE_INVOICE'
        ? rule(
            'CREDIT_NOTE',
            false,
            'The amount due is negative: a credit, never paid; it goes to AP as an exception.',
          )
        : rule('CREDIT_NOTE', true, 'An invoice with an amount due of zero or more.');
  return [...arithmetic, credit];
}
