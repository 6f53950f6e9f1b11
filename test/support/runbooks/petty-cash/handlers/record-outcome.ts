import { z } from 'zod';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';

/** Task RecordOutcome: the decision and who took it, to evidence and the case. */
export const handler = runbookStep({
  input: {
    request: z.object({ amount: z.string(), currency: z.string() }),
    approval: z.object({
      decision: z.enum(['APPROVE', 'REJECT']),
      decidedBy: z.object({ username: z.string(), role: z.string() }),
    }),
  },
  run: async (task) => {
    const outcome = {
      status: task.approval.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
      decidedBy: task.approval.decidedBy.username,
      role: task.approval.decidedBy.role,
    };
    return {
      result: outcome,
      case: { outcome },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'RecordOutcome/action',
          actor: { kind: 'person', id: outcome.decidedBy, role: outcome.role },
          details: { action: 'petty_cash_decided', ...outcome },
          business: {
            amount: task.request.amount,
            currency: task.request.currency,
            decision: outcome.status,
          },
        },
      ],
    };
  },
});
