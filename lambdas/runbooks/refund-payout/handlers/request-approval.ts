import * as z from 'zod';
import { openApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { ACTION_OF } from '#runbooks/refund-payout/core/refund-rules.ts';
import { gateResult, REFUND_RULES_ACTOR, REFUND_TASK, refundBusiness } from './refund-step.ts';

/**
 * Task AwaitApproval (.waitForTaskToken): the refund or payout waits in the work room for a person
 * with the required role. Approving commits exactly this amount in this currency, so the decision
 * route checks the person's limit; the decision is the requesting agent's outcome. The token stays
 * server-side.
 */
export const handler = runbookStep({
  input: {
    ...REFUND_TASK,
    taskToken: z.string().min(1),
    timeoutSeconds: z.number().int().positive(),
    decision: gateResult,
  },
  run: async (task) => {
    const { request, decision } = task;
    const approvalId = `${task.executionId}-1`;
    const requiredRole = decision.requiredRole ?? 'ap_clerk';
    const { deadline } = await openApproval({
      approvalId,
      level: 1,
      executionArn: task.executionArn,
      runbook: task.runbook,
      runbookVersion: task.runbookVersion,
      requiredRole,
      amount: request.amount,
      currency: request.currency,
      business: { vendorId: request.payee, vendorName: decision.payeeName, invoiceNumber: request.reference },
      requestedBy: { userId: task.requestedBy.userId, username: task.requestedBy.username },
      agentId: request.agentId,
      action: ACTION_OF[request.kind],
      taskToken: task.taskToken,
      proposal: {
        kind: request.kind,
        payee: request.payee,
        payeeName: decision.payeeName,
        reference: request.reference,
        amount: request.amount,
        currency: request.currency,
        reason: request.reason,
        reasons: decision.reasons,
      },
      timeoutSeconds: task.timeoutSeconds,
      now: new Date(),
    });
    const approval = { approvalId, status: 'PENDING', requiredRole, level: 1, deadline };
    return {
      result: { approvalId },
      case: { approval },
      evidence: [
        {
          recordType: 'escalation',
          eventKey: 'AwaitApproval/escalation',
          actor: REFUND_RULES_ACTOR,
          details: { ...approval, reasons: decision.reasons },
          business: refundBusiness(request, {
            decision: decision.decision,
            reasonCodes: decision.reasonCodes,
          }),
        },
      ],
    };
  },
});
