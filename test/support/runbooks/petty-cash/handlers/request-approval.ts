import { z } from 'zod';
import { openApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';

/** Task AwaitApproval (.waitForTaskToken): the payout waits for a controller. */
export const handler = runbookStep({
  input: {
    taskToken: z.string().min(1),
    request: z.object({
      amount: z.string(),
      currency: z.string(),
      purpose: z.string(),
      omitAmount: z.boolean().optional(),
    }),
    requestedBy: z.object({ userId: z.string(), username: z.string() }),
  },
  run: async (task) => {
    const approvalId = `${task.executionId}-1`;
    const typed = !task.request.omitAmount;
    const { deadline } = await openApproval({
      approvalId,
      level: 1,
      executionArn: task.executionArn,
      runbook: task.runbook,
      runbookVersion: task.runbookVersion,
      requiredRole: 'controller',
      amount: typed ? task.request.amount : null,
      currency: typed ? task.request.currency : null,
      business: {},
      requestedBy: task.requestedBy,
      agentId: 'petty-cash-agent',
      taskToken: task.taskToken,
      proposal: { purpose: task.request.purpose },
      timeoutSeconds: 600,
      now: new Date(),
    });
    return {
      result: { approvalId },
      case: { approval: { approvalId, status: 'PENDING', requiredRole: 'controller', deadline } },
      evidence: [
        {
          recordType: 'escalation',
          eventKey: 'AwaitApproval/1/escalation',
          actor: { kind: 'system', id: 'petty-cash', role: 'runbook' },
          details: { approvalId, requiredRole: 'controller', deadline },
        },
      ],
    };
  },
});
