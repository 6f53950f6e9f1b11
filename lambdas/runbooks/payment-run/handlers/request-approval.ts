import * as z from 'zod';
import { openApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { PAYMENT_RULES_ACTOR, PAYMENT_TASK, proposalResult, runBusiness } from './payment-step.ts';

/**
 * Task AwaitApproval (.waitForTaskToken): the run, with its total typed as amount and currency,
 * waits in the work room for a controller who did not start it.
 */
export const handler = runbookStep({
  input: {
    ...PAYMENT_TASK,
    taskToken: z.string().min(1),
    timeoutSeconds: z.number().int().positive(),
    proposal: proposalResult,
    decision: z.object({ reasons: z.array(z.object({ code: z.string(), detail: z.string() })) }),
  },
  run: async (task) => {
    const approvalId = `${task.executionId}-1`;
    const { proposal } = task;
    const { deadline } = await openApproval({
      approvalId,
      level: 1,
      executionArn: task.executionArn,
      runbook: task.runbook,
      runbookVersion: task.runbookVersion,
      requiredRole: 'controller',
      amount: proposal.total,
      currency: proposal.currency,
      business: { accountId: proposal.accountId, payments: String(proposal.payments) },
      requestedBy: task.requestedBy,
      agentId: task.request.agentId,
      taskToken: task.taskToken,
      proposal: {
        paymentRun: proposal.runId,
        accountId: proposal.accountId,
        payments: proposal.payments,
        total: proposal.total,
        currency: proposal.currency,
        firstTimePayees: proposal.firstTimePayees,
        reasons: task.decision.reasons,
      },
      timeoutSeconds: task.timeoutSeconds,
      now: new Date(),
    });
    const approval = { approvalId, status: 'PENDING', requiredRole: 'controller', deadline };
    return {
      result: { approvalId },
      case: { approval },
      evidence: [
        {
          recordType: 'escalation',
          eventKey: 'AwaitApproval/1/escalation',
          actor: PAYMENT_RULES_ACTOR,
          details: { ...approval, reasons: task.decision.reasons.map((r) => r.code) },
          business: runBusiness(proposal, 'PENDING_APPROVAL'),
        },
      ],
    };
  },
});
