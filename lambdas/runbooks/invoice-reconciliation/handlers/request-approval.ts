import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { getApproval, putPendingApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { logger } from '#platform/aws/logger.ts';
import { executionNameOf, updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { invoiceBusiness, parseInvoiceTask, RULES_ACTOR, recordEvidence } from './invoice-task.ts';

/**
 * Task AwaitApproval (.waitForTaskToken): puts the proposal in the work room for a person in
 * the required role. The token stays server-side: stored with the approval, never returned
 * to a client, never logged.
 */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask(
    {
      taskToken: z.string().min(1),
      level: z.number().int().min(1).max(2),
      requiredRole: z.enum(['ap_clerk', 'controller']),
      timeoutSeconds: z.number().int().positive(),
      invoice: invoiceSchema,
      decision: z.object({
        decision: z.string(),
        reasonCodes: z.array(z.string()),
        reasons: z.array(z.object({ code: z.string(), detail: z.string() })),
      }),
      coding: z.array(
        z.object({
          lineNo: z.number(),
          glAccount: z.string(),
          costCenter: z.string(),
          rationale: z.string(),
        }),
      ),
    },
    event,
    context,
  );
  const approvalId = `${executionNameOf(task.executionId)}-${task.level}`;
  // A retried step keeps the deadline first set, so the person's window and the evidence do not move.
  const existing = await getApproval(approvalId);
  const deadline = existing?.deadline ?? new Date(Date.now() + task.timeoutSeconds * 1000).toISOString();
  await putPendingApproval({
    approvalId,
    level: task.level,
    executionArn: task.executionId,
    runbook: task.runbook,
    runbookVersion: task.runbookVersion,
    requiredRole: task.requiredRole,
    requestedBy: { userId: task.requestedBy.userId, username: task.requestedBy.username },
    agentId: task.agentId,
    deadline,
    taskToken: task.taskToken,
    proposal: { invoice: task.invoice, decision: task.decision, coding: task.coding },
  });
  await recordEvidence(
    task,
    'escalation',
    `AwaitApproval/${task.level}/escalation`,
    RULES_ACTOR,
    {
      approvalId,
      level: task.level,
      requiredRole: task.requiredRole,
      deadline,
      reasons: task.decision.reasons,
    },
    invoiceBusiness(task.invoice, undefined, {
      decision: task.decision.decision,
      reasonCodes: task.decision.reasonCodes,
    }),
  );
  await updateCase(task.executionId, {
    approval: { approvalId, status: 'PENDING', requiredRole: task.requiredRole, level: task.level, deadline },
  });
  logger.info('approval requested', { approvalId, requiredRole: task.requiredRole, level: task.level });
  return { approvalId };
}
