import type { ExplainRequest } from './model-provider.ts';

/** The decision in plain English, built only from the rule results: what an auditor reads first. */
export function explainFromFacts(request: ExplainRequest): string {
  const { invoice } = request;
  const who = request.vendorName ?? invoice.vendorName ?? 'an unidentified vendor';
  const amount = `${invoice.currency ?? ''} ${invoice.total ?? '(unread total)'}`.trim();
  const failed = request.results.filter((r) => !r.passed);
  const opening = `Invoice ${invoice.invoiceNumber ?? '(no number)'} from ${who} for ${amount}`;
  switch (request.decision) {
    case 'AUTO_APPROVED':
      return `${opening} was approved by the agent on its own: it matched its purchase order and goods receipts within policy, its arithmetic adds up, the remit-to bank details match the vendor master, and the amount is within the agent's auto-approve limit${request.autoApproveLimit ? ` of ${request.autoApproveLimit}` : ''}.`;
    case 'REJECTED':
      return `${opening} was rejected: ${failed.map((r) => `${r.code} — ${r.detail}`).join(' ')}`;
    default:
      return `${opening} needs a person${request.requiredRole ? ` in the ${request.requiredRole} role` : ''} to decide because ${failed.length > 0 ? failed.map((r) => `${r.code} (${r.detail})`).join('; ') : request.reasonCodes.join(', ')}${request.reasonCodes.includes('OVER_AUTHORITY') && !failed.some((r) => r.code === 'OVER_AUTHORITY') ? `; the amount is above the agent's auto-approve limit${request.autoApproveLimit ? ` of ${request.autoApproveLimit}` : ''}` : ''}.`;
  }
}
