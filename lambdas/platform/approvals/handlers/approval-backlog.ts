import {
  listPendingApprovals,
  listUnappliedDecisions,
} from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { logger } from '#platform/aws/logger.ts';
import { recordApprovalBacklog } from '#platform/aws/metrics.ts';
import { completeDecision } from './apply-decision.ts';

/** A decision younger than this is still being applied by the request that wrote it. */
const SETTLE_MS = 2 * 60_000;

/**
 * Scheduled check: how many approvals wait in the work room and how many are past their deadline;
 * and every decision recorded but never handed to its run (the deciding request crashed, or its
 * evidence write or SendTaskSuccess failed) is finished here — evidence, the agent's outcome, the
 * run resumed — or recorded as not applied when the run stopped waiting.
 */
export const handler = async (event: { at?: string } = {}, context?: { awsRequestId?: string }) => {
  const at = event.at ? new Date(event.at) : new Date();
  const pending = await listPendingApprovals();
  const pastDeadline = pending.filter((approval) => Date.parse(approval.deadline) < at.getTime()).length;
  recordApprovalBacklog({ pending: pending.length, pastDeadline });
  if (pastDeadline > 0) logger.warn('approvals past their deadline', { pastDeadline });

  const unapplied = await listUnappliedDecisions(new Date(at.getTime() - SETTLE_MS));
  const outcomes: Record<string, number> = {};
  for (const item of unapplied) {
    // One decision that cannot be finished now (its run's service refuses, say) never holds up the others.
    let outcome: string;
    try {
      outcome = await completeDecision(item, `sweeper:${context?.awsRequestId ?? at.toISOString()}`);
    } catch (error) {
      outcome = 'failed';
      logger.error('decision could not be finished; the next check tries again', {
        approvalId: item.approvalId,
        error: (error as Error).name,
      });
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome !== 'failed')
      logger.warn('decision finished by the sweeper', { approvalId: item.approvalId, outcome });
  }
  return { at: at.toISOString(), pending: pending.length, pastDeadline, unapplied: outcomes };
};
