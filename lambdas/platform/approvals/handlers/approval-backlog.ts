import { listPendingApprovals } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { logger } from '#platform/aws/logger.ts';
import { recordApprovalBacklog } from '#platform/aws/metrics.ts';

/** Scheduled check: how many approvals wait in the work room, and how many are past their deadline. */
export const handler = async (event: { at?: string } = {}) => {
  const at = event.at ? new Date(event.at) : new Date();
  const pending = await listPendingApprovals();
  const pastDeadline = pending.filter((approval) => Date.parse(approval.deadline) < at.getTime()).length;
  recordApprovalBacklog({ pending: pending.length, pastDeadline });
  if (pastDeadline > 0) logger.warn('approvals past their deadline', { pastDeadline });
  return { at: at.toISOString(), pending: pending.length, pastDeadline };
};
