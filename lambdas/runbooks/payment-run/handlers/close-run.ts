import * as z from 'zod';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { recordRunOutcome, runPayments } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { PAYMENT_RULES_ACTOR, PAYMENT_TASK, proposalResult, runBusiness } from './payment-step.ts';

/**
 * Task CloseRun: a run that pays nothing — nothing was due, the controller rejected it, nobody
 * decided in time, or a step failed — says so on the run, in the case and in evidence. Its holds
 * were never moved, so they stay HELD and the next run proposes them again; a failure after holds
 * went into payment names them for an operator.
 */
export const handler = runbookStep({
  input: {
    ...PAYMENT_TASK,
    outcome: z.enum(['NOTHING_DUE', 'REJECTED', 'NOT_APPROVED', 'FAILED']),
    proposal: proposalResult.nullable().optional(),
    approval: z
      .object({
        decision: z.string(),
        comment: z.string(),
        decidedBy: z.object({ username: z.string(), role: z.string() }),
      })
      .nullable()
      .optional(),
    failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).nullable().optional(),
  },
  run: async (task) => {
    const at = new Date().toISOString();
    const proposal = task.proposal ?? null;
    const inPayment = proposal
      ? (await runPayments(proposal.runId)).filter((p) => p.status === 'PROPOSED').length
      : 0;
    if (proposal && task.outcome !== 'FAILED')
      await recordRunOutcome(proposal.runId, {
        status: task.outcome === 'NOTHING_DUE' ? 'NOTHING_DUE' : 'REJECTED',
        at,
        ...(task.approval ? { by: task.approval.decidedBy.username } : {}),
      });
    const outcome = {
      status: task.outcome,
      at,
      ...(task.approval
        ? {
            decidedBy: task.approval.decidedBy.username,
            role: task.approval.decidedBy.role,
            comment: task.approval.comment,
          }
        : {}),
      ...(task.failure
        ? { error: task.failure.Error ?? null, cause: (task.failure.Cause ?? '').slice(0, 500) }
        : {}),
      paymentsLeftHeld: inPayment,
    };
    return {
      result: outcome,
      case: { outcome },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'CloseRun/action',
          actor: task.approval
            ? { kind: 'person', id: task.approval.decidedBy.username, role: task.approval.decidedBy.role }
            : PAYMENT_RULES_ACTOR,
          details: { action: 'payment_run_closed', ...outcome },
          ...(proposal ? { business: runBusiness(proposal, task.outcome) } : {}),
        },
      ],
    };
  },
});
