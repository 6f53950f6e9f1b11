/** What `GET /executions/{id}` shows of an invoice run: what each step found so far. */
export function invoiceCaseView(found: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    decision: found.decision ?? null,
    reasonCodes: found.reasonCodes ?? [],
    requiredRole: found.requiredRole ?? null,
    finalStatus: found.finalStatus ?? null,
    invoice: found.invoice ?? null,
    extraction: found.extraction ?? null,
    match: found.match ?? null,
    coding: found.coding ?? null,
    approval: found.approval ?? null,
    hold: found.hold ?? null,
    explanation: found.explanation ?? null,
    failure: found.failure ?? null,
  };
}
