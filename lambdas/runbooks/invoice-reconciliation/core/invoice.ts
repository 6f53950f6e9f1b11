import * as z from 'zod';

/**
 * The invoice as extraction produces it and as structured e-invoices arrive: every amount a
 * decimal string, every field the decision depends on carrying a confidence.
 */
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string such as "1234.50"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const invoiceLineSchema = z.strictObject({
  lineNo: z.number().int().positive(),
  sku: z.string().max(64).nullable(),
  description: z.string().max(200),
  // A JSON number is taken only when it prints as a plain decimal (not 1e-7): quantities are summed exactly.
  quantity: z
    .union([
      z
        .number()
        .nonnegative()
        .refine((n) => /^\d+(\.\d+)?$/.test(String(n))),
      decimal,
    ])
    .transform(String),
  unitPrice: decimal,
  amount: decimal,
});

/** Upper case, no spaces (of any kind) and no dashes: the one form bank details are compared in. */
export function normaliseBankAccount(value: string): string {
  return value.toUpperCase().replace(/[\s\u2010-\u2015-]/g, '');
}

/**
 * Bank details as printed ("de89 3704-0044 …") are taken and normalised here, not refused: a
 * remit-to that does not then validate is a changed remit-to (BANK_DETAILS_MISMATCH), decided
 * by a controller, rather than an unreadable invoice an AP clerk could wave through.
 */
const bankDetail = z.string().max(64).transform(normaliseBankAccount).nullable();

export const remitToSchema = z.strictObject({
  bankAccount: bankDetail,
  routingNumber: bankDetail,
});

export const INVOICE_FIELDS = [
  'invoiceNumber',
  'vendorName',
  'vendorTaxId',
  'invoiceDate',
  'dueDate',
  'currency',
  'poNumber',
  'lines',
  'subtotal',
  'tax',
  'total',
  'remitTo',
] as const;
export type InvoiceField = (typeof INVOICE_FIELDS)[number];

export const invoiceSchema = z.strictObject({
  invoiceNumber: z.string().min(1).max(64).nullable(),
  vendorName: z.string().max(200).nullable(),
  vendorTaxId: z.string().max(32).nullable(),
  vendorAddress: z.string().max(300).nullable().optional(),
  invoiceDate: isoDate.nullable(),
  dueDate: isoDate.nullable(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .nullable(),
  poNumber: z.string().max(64).nullable(),
  // Bounded so a run's state stays well under Step Functions' 256 KB with match and coding beside it.
  lines: z.array(invoiceLineSchema).max(200),
  subtotal: decimal.nullable(),
  tax: decimal.nullable(),
  total: decimal.nullable(),
  remitTo: remitToSchema.nullable(),
  notes: z.string().max(2000).nullable().optional(),
  /** 0–1 per field; structured e-invoices are 1 for every field they carry. */
  confidence: z.partialRecord(z.enum(INVOICE_FIELDS), z.number().min(0).max(1)).optional(),
});

export type Invoice = z.infer<typeof invoiceSchema>;
export type InvoiceLine = z.infer<typeof invoiceLineSchema>;

/** Fields the decision depends on: below this confidence the invoice goes to a person (LOW_CONFIDENCE). */
export const DECISION_FIELDS: readonly InvoiceField[] = [
  'invoiceNumber',
  'currency',
  'total',
  'lines',
  'poNumber',
  'remitTo',
];
export const MIN_FIELD_CONFIDENCE = 0.8;

/** Decision fields that are missing or read with too little confidence. */
export function lowConfidenceFields(invoice: Invoice): InvoiceField[] {
  const missing = (field: InvoiceField) =>
    field === 'lines'
      ? invoice.lines.length === 0
      : field !== 'poNumber' && field !== 'remitTo' && invoice[field] === null;
  return DECISION_FIELDS.filter(
    (field) => missing(field) || (invoice.confidence?.[field] ?? 1) < MIN_FIELD_CONFIDENCE,
  );
}
