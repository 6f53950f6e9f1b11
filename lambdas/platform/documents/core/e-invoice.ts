import { TollgateError } from '#platform/core/errors.ts';

/**
 * An EN 16931 e-invoice as its XML says it, in either syntax (UBL 2.1 Invoice or CreditNote,
 * UN/CEFACT CII). Every amount is the exact string in the file (sign and trailing zeros as
 * written); absent optional elements are null. Nothing is computed here: the arithmetic rules
 * check the figures, a runbook maps them to what it needs.
 */
export type EInvoiceSyntax = 'UBL-Invoice' | 'UBL-CreditNote' | 'CII';

export interface EInvoiceParty {
  /** BT-27 / BT-44: the legal name (UBL RegistrationName, else the party name; CII Name). */
  readonly name: string | null;
  /** BT-28 / BT-45 trading name, when the file gives one beside the legal name. */
  readonly tradingName: string | null;
  /** BT-31 / BT-48 VAT identifier. */
  readonly vatId: string | null;
  /** BT-32 tax registration other than VAT (UBL TaxScheme other than VAT; CII schemeID FC). */
  readonly taxRegistrationId: string | null;
  /** BT-30 / BT-47 legal registration identifier. */
  readonly legalId: string | null;
  /** BT-40 / BT-55 country code. */
  readonly country: string | null;
}

export interface EInvoiceLine {
  /** BT-126, as written (not necessarily a number, not necessarily unique). */
  readonly id: string;
  /** BT-129 with BT-130. */
  readonly quantity: string;
  readonly unitCode: string | null;
  /** BT-131 line net amount. */
  readonly netAmount: string;
  /** BT-146 item net price, per BT-149 base quantity (1 when absent). */
  readonly netPrice: string | null;
  readonly baseQuantity: string | null;
  /** BT-153 item name. */
  readonly name: string | null;
  /** BT-155 seller's item id, else BT-157 standard id. */
  readonly itemId: string | null;
  /** BT-151, BT-152. */
  readonly vatCategory: string | null;
  readonly vatRate: string | null;
  /** BT-132 referenced PO line. */
  readonly orderLineId: string | null;
  readonly allowances: readonly string[];
  readonly charges: readonly string[];
}

/** A document-level allowance (BG-20) or charge (BG-21). */
export interface EInvoiceAllowanceCharge {
  readonly amount: string;
  readonly baseAmount: string | null;
  readonly percent: string | null;
  readonly reason: string | null;
  readonly reasonCode: string | null;
  readonly vatCategory: string | null;
  readonly vatRate: string | null;
}

/** One VAT breakdown (BG-23): per category and rate. */
export interface EInvoiceVatBreakdown {
  readonly category: string;
  readonly rate: string | null;
  readonly taxableAmount: string;
  readonly taxAmount: string;
  readonly exemptionReason: string | null;
  readonly exemptionReasonCode: string | null;
}

export interface EInvoiceTotals {
  /** BT-106 sum of line net amounts. */
  readonly lineExtension: string;
  /** BT-107, BT-108. */
  readonly allowanceTotal: string | null;
  readonly chargeTotal: string | null;
  /** BT-109 total without VAT. */
  readonly taxExclusive: string;
  /** BT-110 total VAT in the invoice currency; BT-111 in the tax currency. */
  readonly taxAmount: string | null;
  readonly taxAmountInTaxCurrency: string | null;
  /** BT-112 total with VAT. */
  readonly taxInclusive: string;
  /** BT-113 paid in advance, BT-114 rounding. */
  readonly prepaid: string | null;
  readonly rounding: string | null;
  /** BT-115 amount due for payment. */
  readonly payable: string;
}

/** BG-16/BG-17: how the seller wants to be paid; the first payment means that names an account. */
export interface EInvoicePayment {
  /** BT-81 payment means type code (30 credit transfer, 58 SEPA credit transfer, 49 direct debit…). */
  readonly meansCode: string | null;
  /** BT-83 remittance information. */
  readonly reference: string | null;
  /** BT-84 payment account identifier (an IBAN for SEPA), BT-85 its name, BT-86 the provider (BIC). */
  readonly account: string | null;
  readonly accountName: string | null;
  readonly bic: string | null;
}

/** A binary attachment embedded in the XML (BT-125); only its size is kept. */
export interface EInvoiceAttachment {
  readonly filename: string | null;
  readonly mimeCode: string | null;
  readonly bytes: number;
}

export interface EInvoice {
  readonly syntax: EInvoiceSyntax;
  /** BT-24 specification identifier. */
  readonly customizationId: string | null;
  /** BT-1 … BT-9. */
  readonly id: string;
  readonly issueDate: string;
  readonly typeCode: string;
  readonly dueDate: string | null;
  readonly currency: string;
  readonly taxCurrency: string | null;
  /** BT-10 buyer reference, BT-13 purchase order reference. */
  readonly buyerReference: string | null;
  readonly purchaseOrder: string | null;
  /** BT-25 preceding invoice (a credit note names the invoice it credits). */
  readonly precedingInvoice: string | null;
  readonly seller: EInvoiceParty;
  readonly buyer: EInvoiceParty;
  readonly lines: readonly EInvoiceLine[];
  readonly allowances: readonly EInvoiceAllowanceCharge[];
  readonly charges: readonly EInvoiceAllowanceCharge[];
  readonly vatBreakdown: readonly EInvoiceVatBreakdown[];
  readonly totals: EInvoiceTotals;
  readonly payment: EInvoicePayment | null;
  readonly attachments: readonly EInvoiceAttachment[];
}

/** Why a file is not read at all; each refusal names one in `details.rule`. */
export type EInvoiceRefusal =
  | 'NOT_AN_EINVOICE'
  | 'MALFORMED_XML'
  | 'DTD_NOT_ALLOWED'
  | 'FILE_TOO_LARGE'
  | 'ATTACHMENTS_TOO_LARGE'
  | 'TOO_MANY_LINES'
  | 'TOO_MANY_ELEMENTS'
  | 'MISSING_ELEMENT'
  | 'REPEATED_ELEMENT'
  | 'AMOUNT_INVALID'
  | 'DATE_INVALID'
  | 'CURRENCY_INVALID';

/**
 * Limits: a file past one is refused whole. The XML limit keeps a synchronous Lambda (6 MB
 * payload) and a run's document well inside bounds; the line limit is the invoice schema's.
 */
export const EINVOICE_LIMITS = {
  maxXmlChars: 4_000_000,
  maxLines: 200,
  /** Document-level allowances and charges together, VAT breakdowns, and adjustments on one line. */
  maxAllowancesCharges: 100,
  maxVatBreakdowns: 50,
  maxLineAdjustments: 20,
  maxAttachments: 10,
  /** Decoded bytes of all embedded attachments together. */
  maxAttachmentBytes: 2_500_000,
} as const;

/** The HTTP-facing code of each refusal: a file too large is 413, any other unreadable file 400. */
export function refusalCode(rule: EInvoiceRefusal): 'EINVOICE_TOO_LARGE' | 'EINVOICE_INVALID' {
  return rule === 'FILE_TOO_LARGE' ||
    rule === 'ATTACHMENTS_TOO_LARGE' ||
    rule === 'TOO_MANY_LINES' ||
    rule === 'TOO_MANY_ELEMENTS'
    ? 'EINVOICE_TOO_LARGE'
    : 'EINVOICE_INVALID';
}

export function refuse(
  rule: EInvoiceRefusal,
  sentence: string,
  details: Record<string, unknown> = {},
): TollgateError {
  return new TollgateError(refusalCode(rule), sentence, { rule, ...details });
}

/** UNTDID 1001 codes EN 16931 counts as credit notes. */
export const CREDIT_NOTE_TYPE_CODES: ReadonlySet<string> = new Set([
  '81',
  '83',
  '261',
  '262',
  '296',
  '308',
  '381',
  '396',
  '420',
  '458',
  '532',
]);

/** A credit note by its root (UBL CreditNote) or its type code. */
export function isCreditNote(invoice: Pick<EInvoice, 'syntax' | 'typeCode'>): boolean {
  return invoice.syntax === 'UBL-CreditNote' || CREDIT_NOTE_TYPE_CODES.has(invoice.typeCode);
}
