import * as z from 'zod';
import { getApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';

/** The task token's output did not name a decided approval of this run; the run stops and compensates. */
export class ApprovalNotDecidedError extends Error {
  constructor(approvalId: string, problem: string) {
    super(`Approval ${approvalId} cannot be applied: ${problem}.`);
    this.name = 'ApprovalNotDecidedError';
  }
}

/**
 * Task ReadApproval: the waiting task's output names only which approval was decided; the decision,
 * who made it and why are read here from the work room, where the decision route wrote them under
 * its four-eyes, role and limit conditions. Whoever holds `states:SendTaskSuccess` can resume a run
 * but cannot say what was decided, or by whom.
 */
export const handler = runbookStep({
  input: {
    approval: z.object({ approvalId: z.string().min(1).max(200) }),
  },
  run: async (task) => {
    const { approvalId } = task.approval;
    const item = await getApproval(approvalId);
    if (!item) throw new ApprovalNotDecidedError(approvalId, 'it is not in the work room');
    if (item.runbook !== task.runbook || executionIdOf(item.executionArn) !== task.executionId)
      throw new ApprovalNotDecidedError(approvalId, 'it belongs to another run');
    if (item.status !== 'DECIDED' || !item.decision || !item.decidedBy || !item.decidedAt)
      throw new ApprovalNotDecidedError(approvalId, `it is ${item.status.toLowerCase()}, not decided`);
    return {
      result: {
        approvalId,
        level: item.level,
        decision: item.decision,
        comment: item.comment ?? '',
        decidedBy: item.decidedBy,
        decidedAt: item.decidedAt,
      },
    };
  },
});
