import type { CodingLine, CodingRequest } from './model-provider.ts';

/** GL coding from the PO line, else the vendor's default account: the rule the local model applies. */
export function codeFromPurchaseOrder(request: CodingRequest): CodingLine[] {
  const costCenter = request.purchaseOrder?.costCenter ?? 'UNASSIGNED';
  return request.invoice.lines.map((line) => {
    const match = request.lineMatches.find((m) => m.invoiceLineNo === line.lineNo);
    const poLine = request.purchaseOrder?.lines.find((p) => p.lineNo === match?.poLineNo);
    if (poLine) {
      return {
        lineNo: line.lineNo,
        glAccount: poLine.glAccount,
        costCenter,
        rationale: `Coded to ${poLine.glAccount} as PO line ${poLine.lineNo} (${poLine.description}) was ordered against it.`,
      };
    }
    const glAccount = request.vendorDefaultGlAccount ?? 'SUSPENSE';
    return {
      lineNo: line.lineNo,
      glAccount,
      costCenter,
      rationale: request.vendorDefaultGlAccount
        ? `No matching PO line, so the vendor's default account ${glAccount} applies.`
        : 'No PO line and no vendor default: held in suspense for a person to code.',
    };
  });
}
