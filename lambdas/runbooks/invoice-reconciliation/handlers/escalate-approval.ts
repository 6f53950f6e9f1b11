import * as z from 'zod';
import { expireApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { INVOICE_TASK, invoiceBusiness, RULES_ACTOR } from './invoice-step.ts';

/** The role an approval that nobody decided in time goes to. */
export const ESCALATION_ROLE = 'controller';

/** Task EscalateApproval: the first approval expired undecided; it goes to a controller. */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    invoice: invoiceSchema,
    decision: z.object({
      decision: z.string(),
      reasonCodes: z.array(z.string()),
      requiredRole: z.string().nullable(),
    }),
  },
  run: async (task) => {
    const expired = `${task.executionId}-1`;
    await expireApproval(expired);
    return {
      result: { requiredRole: ESCALATION_ROLE, expiredApprovalId: expired },
      evidence: [
        {
          recordType: 'escalation',
          eventKey: 'EscalateApproval/escalation',
          actor: RULES_ACTOR,
          details: {
            expiredApprovalId: expired,
            from: task.decision.requiredRole,
            to: ESCALATION_ROLE,
            reason: 'APPROVAL_DEADLINE_PASSED',
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
