import { DISPUTE_RULES_VERSION, DISPUTES_RUNBOOK, type Dispute } from '#platform/disputes/core/disputes.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceActor, EvidenceBusiness } from '#platform/evidence/core/records.ts';

/** One record in the dispute's own chain; the run the hold paid for is named in its details. */
export function appendDisputeRecord(
  dispute: Dispute,
  record: { eventKey: string; actor: EvidenceActor; details: Record<string, unknown> },
) {
  const business: EvidenceBusiness = { amount: dispute.amount, currency: dispute.currency };
  return evidenceWriter().append({
    recordType: 'action',
    runbook: DISPUTES_RUNBOOK,
    runbookVersion: DISPUTE_RULES_VERSION,
    executionId: dispute.disputeId,
    eventKey: record.eventKey,
    actor: record.actor,
    details: {
      disputeId: dispute.disputeId,
      holdId: dispute.holdId,
      payee: dispute.payee,
      ...(dispute.runbook ? { runbook: dispute.runbook, executionId: dispute.executionId } : {}),
      ...record.details,
    },
    business: { ...business, decision: String(record.details.action ?? '').toUpperCase() },
  });
}
