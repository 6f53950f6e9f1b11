/** The reason-code vocabulary of the AP runbook and what each code requires. */
export const REASON_CODES = {
  NO_PO: 'approval',
  PO_VENDOR_MISMATCH: 'approval',
  PO_ENTITY_MISMATCH: 'approval',
  NO_RECEIPT: 'approval',
  PRICE_VARIANCE: 'approval',
  QUANTITY_VARIANCE: 'approval',
  TOTALS_MISMATCH: 'approval',
  INVOICE_DATE_INVALID: 'approval',
  TAX_VARIANCE: 'approval',
  CURRENCY_MISMATCH: 'approval',
  BANK_DETAILS_MISMATCH: 'controller',
  OVER_AUTHORITY: 'approval',
  CONTROLLER_THRESHOLD: 'controller',
  LOW_CONFIDENCE: 'approval',
  DUPLICATE_INVOICE: 'reject',
  POSSIBLE_DUPLICATE: 'approval',
  UNKNOWN_VENDOR: 'reject',
  CODING_NOT_ALLOWED: 'approval',
  /** An EN 16931 e-invoice whose own figures break the standard's arithmetic (the rule is named). */
  EN16931_ARITHMETIC: 'approval',
  /**
   * A credit note or a negative invoice: never paid. The run ends without a payment and AP gets
   * an exception to set the credit against what the vendor is owed.
   */
  CREDIT_NOTE: 'reject',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;
export type ReasonEffect = (typeof REASON_CODES)[ReasonCode];

/** One rule's verdict, as it goes into evidence and into the trust gate. */
export interface RuleResult {
  readonly code: ReasonCode;
  readonly passed: boolean;
  readonly effect: ReasonEffect;
  readonly detail: string;
  readonly lineNo?: number;
}

export function rule(code: ReasonCode, passed: boolean, detail: string, lineNo?: number): RuleResult {
  return lineNo === undefined
    ? { code, passed, effect: REASON_CODES[code], detail }
    : { code, passed, effect: REASON_CODES[code], detail, lineNo };
}

/** Failed codes, each once, sorted: the form decisions and the sample set use. */
export function failedCodes(results: readonly RuleResult[]): ReasonCode[] {
  return [...new Set(results.filter((r) => !r.passed).map((r) => r.code))].sort();
}
