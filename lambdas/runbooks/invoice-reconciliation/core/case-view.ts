/** One reason for the outcome: the code and the sentence that says what was found. */
export interface ReasonView {
  readonly code: string;
  readonly text: string;
}

/** What each code means, for a code no step explained in its own words. */
export const REASON_TEXT: Readonly<Record<string, string>> = {
  NO_PO: 'The invoice names no purchase order the system of record knows.',
  PO_VENDOR_MISMATCH: 'The purchase order belongs to another vendor.',
  PO_ENTITY_MISMATCH: "The purchase order belongs to another legal entity than the agent's.",
  NO_RECEIPT: 'No goods receipt covers the invoiced lines.',
  PRICE_VARIANCE: 'A unit price is above the purchase order price beyond the tolerance.',
  QUANTITY_VARIANCE: 'More is invoiced than was received.',
  TOTALS_MISMATCH: "The invoice's lines, tax and total do not add up.",
  INVOICE_DATE_INVALID: 'The invoice date is missing, in the future or not a date.',
  TAX_VARIANCE: 'The tax differs from the rate agreed on the purchase order.',
  CURRENCY_MISMATCH: 'The invoice currency differs from the purchase order currency.',
  BANK_DETAILS_MISMATCH: 'The bank details differ from the vendor master; a controller must confirm them.',
  OVER_AUTHORITY: "The agent's earned authority does not cover this invoice.",
  CONTROLLER_THRESHOLD: 'The amount is above the controller threshold.',
  LOW_CONFIDENCE: 'The extraction was not confident enough to act on alone.',
  DUPLICATE_INVOICE: 'This invoice number was already submitted for this vendor.',
  POSSIBLE_DUPLICATE: 'An invoice with the same vendor, amount and date is already on file.',
  UNKNOWN_VENDOR: 'The vendor is not in the vendor master.',
  CODING_NOT_ALLOWED: "The proposed GL coding is outside the vendor's allowed accounts.",
  EN16931_ARITHMETIC: "The e-invoice's figures break an EN 16931 arithmetic rule.",
  CREDIT_NOTE: 'A credit note or negative invoice: never paid; AP sets it against what the vendor is owed.',
  NO_PACT_FOR_ACTION: 'The agent has no pact for approving invoices.',
};

/** The outcome as a person reads it: the decision once made, PENDING_APPROVAL while a person decides. */
function finalDecision(found: Readonly<Record<string, unknown>>): string | null {
  if (typeof found.finalStatus === 'string') return found.finalStatus;
  return found.decision === 'PENDING_APPROVAL' ? 'PENDING_APPROVAL' : null;
}

/**
 * A sentence for each code: the step's own words where one failed a rule with that code,
 * the trust gate's where it named it, otherwise what the code means. The gate's own codes
 * (why the agent's standing falls short, e.g. NO_PACT_FOR_ACTION) follow the AP codes.
 */
function reasonsOf(found: Readonly<Record<string, unknown>>): ReasonView[] {
  const codes = Array.isArray(found.reasonCodes) ? (found.reasonCodes as string[]) : [];
  const gate = (found.gate ?? {}) as {
    reasons?: { code: string; detail: string }[];
    authorityCodes?: string[];
  };
  const match = (found.match ?? {}) as { results?: { code: string; passed: boolean; detail: string }[] };
  const failed = (match.results ?? []).filter((result) => !result.passed);
  const all = [...codes, ...(gate.authorityCodes ?? []).filter((code) => !codes.includes(code))];
  return all.map((code) => ({
    code,
    text:
      failed.find((result) => result.code === code)?.detail ??
      gate.reasons?.find((reason) => reason.code === code)?.detail ??
      REASON_TEXT[code] ??
      `${code}: see the explanation.`,
  }));
}

/**
 * What `GET /executions/{id}` shows of an invoice run. `proposedDecision` is what the agent's
 * authority and the rules proposed (AUTO_APPROVED, PENDING_APPROVAL, REJECTED); `decision` is
 * the outcome (APPROVED, REJECTED, FAILED; PENDING_APPROVAL while a person decides; null while
 * the run is still deciding), the same as `finalStatus` once the run has one.
 */
export function invoiceCaseView(found: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    proposedDecision: found.decision ?? null,
    decision: finalDecision(found),
    finalStatus: found.finalStatus ?? null,
    reasonCodes: found.reasonCodes ?? [],
    reasons: reasonsOf(found),
    requiredRole: found.requiredRole ?? null,
    invoice: found.invoice ?? null,
    /** What an EN 16931 e-invoice said beyond the invoice fields (buyer, VAT breakdown, prepaid, rounding, payment means, rules broken). */
    eInvoice: found.eInvoice ?? null,
    extraction: found.extraction ?? null,
    match: found.match ?? null,
    coding: found.coding ?? null,
    approval: found.approval ?? null,
    hold: found.hold ?? null,
    /** What the bank did with the payment run's payment of this hold (set when a bank rejects it). */
    payment: found.payment ?? null,
    explanation: found.explanation ?? null,
    failure: found.failure ?? null,
  };
}
