import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { expireApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { executionNameOf } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { invoiceBusiness, parseInvoiceTask, RULES_ACTOR, recordEvidence } from './invoice-task.ts';

/** The role an approval that nobody decided in time goes to. */
export const ESCALATION_ROLE = 'controller';

/** Task EscalateApproval: the first approval expired undecided; it goes to a controller. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask(
    {
      invoice: invoiceSchema,
      decision: z.object({
        decision: z.string(),
        reasonCodes: z.array(z.string()),
        requiredRole: z.string().nullable(),
      }),
    },
    event,
    context,
  );
  const expired = `${executionNameOf(task.executionId)}-1`;
  await expireApproval(expired);
  await recordEvidence(
    task,
    'escalation',
    'EscalateApproval/escalation',
    RULES_ACTOR,
    {
      expiredApprovalId: expired,
      from: task.decision.requiredRole,
      to: ESCALATION_ROLE,
      reason: 'APPROVAL_DEADLINE_PASSED',
    },
    invoiceBusiness(task.invoice, undefined, {
      decision: task.decision.decision,
      reasonCodes: task.decision.reasonCodes,
    }),
  );
  return { requiredRole: ESCALATION_ROLE, expiredApprovalId: expired };
}
