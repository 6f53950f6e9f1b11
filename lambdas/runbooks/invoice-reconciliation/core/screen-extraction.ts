import {
  screenToolOutput,
  type ToolOutputFinding,
  type ToolOutputSchema,
} from '#platform/model/core/tool-output-screen.ts';
import type { Invoice, InvoiceField } from './invoice.ts';

/** What a model's invoice answer may contain, field by field; notes and confidences are not screened (data, and numbers). */
const INVOICE_SCREEN: ToolOutputSchema = {
  fields: {
    invoiceNumber: { kind: 'identifier', required: false },
    vendorName: { kind: 'text', required: false, maxLength: 200 },
    vendorTaxId: { kind: 'identifier', required: false },
    vendorAddress: { kind: 'text', required: false, maxLength: 300 },
    invoiceDate: { kind: 'date', required: false },
    dueDate: { kind: 'date', required: false },
    currency: { kind: 'currency', required: false },
    poNumber: { kind: 'identifier', required: false },
    subtotal: { kind: 'amount', required: false },
    tax: { kind: 'amount', required: false },
    total: { kind: 'amount', required: false },
    remitToBankAccount: { kind: 'identifier', required: false },
    remitToRoutingNumber: { kind: 'identifier', required: false },
  },
  lists: {
    lines: {
      maxItems: 200,
      item: {
        fields: {
          lineNo: { kind: 'integer' },
          sku: { kind: 'identifier', required: false },
          description: { kind: 'text', maxLength: 200 },
          quantity: { kind: 'amount' },
          unitPrice: { kind: 'amount' },
          amount: { kind: 'amount' },
        },
      },
    },
  },
};

/**
 * Screens an extracted invoice before any rule sees it. A field that fails (instruction-like
 * text where an id belongs, the wrong kind, oversize) is dropped and its confidence set to 0,
 * so the rules send the invoice to a person rather than act on it.
 */
export function screenExtractedInvoice(invoice: Invoice): {
  invoice: Invoice;
  findings: readonly ToolOutputFinding[];
} {
  const { remitTo, lines, notes: _notes, confidence: _confidence, ...scalars } = invoice;
  const projection = {
    ...Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== null && v !== undefined)),
    ...(remitTo?.bankAccount ? { remitToBankAccount: remitTo.bankAccount } : {}),
    ...(remitTo?.routingNumber ? { remitToRoutingNumber: remitTo.routingNumber } : {}),
    lines: lines.map((line) => ({
      ...line,
      quantity: String(line.quantity),
      ...(line.sku === null ? { sku: undefined } : {}),
    })),
  };
  const screen = screenToolOutput(INVOICE_SCREEN, projection);
  if (screen.accepted) return { invoice, findings: [] };
  const flagged = new Set(screen.findings.map((f) => f.path.split(/[.[]/)[0] as string));
  const cleared: Record<string, unknown> = { ...invoice };
  const confidence: Partial<Record<InvoiceField, number>> = { ...invoice.confidence };
  for (const field of flagged) {
    if (field === 'lines') {
      cleared.lines = [];
      confidence.lines = 0;
    } else if (field.startsWith('remitTo')) {
      // Present but unusable, not absent: the bank-details rule treats it as changed.
      cleared.remitTo = { bankAccount: null, routingNumber: null };
      confidence.remitTo = 0;
    } else if (field in cleared) {
      cleared[field] = null;
      confidence[field as InvoiceField] = 0;
    }
  }
  return { invoice: { ...(cleared as Invoice), confidence }, findings: screen.findings };
}
