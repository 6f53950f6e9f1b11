import * as z from 'zod';
import { openApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { logger } from '#platform/aws/logger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { APPROVE_ACTION } from '#runbooks/invoice-reconciliation/core/decide-invoice.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { INVOICE_TASK, invoiceBusiness, RULES_ACTOR } from './invoice-step.ts';

const sor = new DynamoDbSystemOfRecord();

/**
 * Task AwaitApproval (.waitForTaskToken): puts the proposal in the work room for a person in
 * the required role, with the invoice total as what approving it commits. The token stays
 * server-side: stored with the approval, never returned to a client, never logged.
 */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    taskToken: z.string().min(1),
    level: z.number().int().min(1).max(2),
    requiredRole: z.enum(['ap_clerk', 'controller']),
    timeoutSeconds: z.number().int().positive(),
    invoice: invoiceSchema,
    decision: z.object({
      decision: z.string(),
      reasonCodes: z.array(z.string()),
      reasons: z.array(z.object({ code: z.string(), detail: z.string() })),
      shadow: z.object({ agentWouldHave: z.string(), reasonCodes: z.array(z.string()) }).optional(),
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
  run: async (task) => {
    const approvalId = `${task.executionId}-${task.level}`;
    const business = invoiceBusiness(task.invoice);
    const payable = task.invoice.currency ? await sor.fundingAccountFor(task.invoice.currency) : undefined;
    const { deadline } = await openApproval({
      approvalId,
      level: task.level,
      executionArn: task.executionArn,
      runbook: task.runbook,
      runbookVersion: task.runbookVersion,
      requiredRole: task.requiredRole,
      amount: task.invoice.total && task.invoice.currency ? task.invoice.total : null,
      currency: task.invoice.total && task.invoice.currency ? task.invoice.currency : null,
      // Known before anyone decides: an invoice in a currency nothing funds can only be rejected.
      unpayable:
        task.invoice.currency && !payable
          ? `No funding account pays ${task.invoice.currency}: this invoice cannot be paid.`
          : null,
      business: {
        ...(business.vendorName ? { vendorName: business.vendorName } : {}),
        ...(business.invoiceNumber ? { invoiceNumber: business.invoiceNumber } : {}),
      },
      requestedBy: { userId: task.requestedBy.userId, username: task.requestedBy.username },
      agentId: task.agentId,
      action: APPROVE_ACTION,
      shadowDecision: task.decision.shadow?.agentWouldHave ?? null,
      taskToken: task.taskToken,
      proposal: { invoice: task.invoice, decision: task.decision, coding: task.coding },
      timeoutSeconds: task.timeoutSeconds,
      now: new Date(),
    });
    logger.info('approval requested', { approvalId, requiredRole: task.requiredRole, level: task.level });
    return {
      result: { approvalId },
      case: {
        approval: {
          approvalId,
          status: 'PENDING',
          requiredRole: task.requiredRole,
          level: task.level,
          deadline,
        },
      },
      evidence: [
        {
          recordType: 'escalation',
          eventKey: `AwaitApproval/${task.level}/escalation`,
          actor: RULES_ACTOR,
          details: {
            approvalId,
            level: task.level,
            requiredRole: task.requiredRole,
            deadline,
            reasons: task.decision.reasons,
          },
          business: invoiceBusiness(task.invoice, undefined, {
            decision: task.decision.decision,
            reasonCodes: task.decision.reasonCodes,
          }),
        },
      ],
    };
  },
});
