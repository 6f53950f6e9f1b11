import * as z from 'zod';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { RECONCILIATION_RULES_ACTOR, RECONCILIATION_TASK } from './reconcile-step.ts';

/**
 * Task RecordFailure: a step failed after its retries. What it had cleared stays cleared (each
 * entry is cleared in one transaction with its record), so the same statement can be run again;
 * the failure goes to evidence and onto the case before the run fails.
 */
export const handler = runbookStep({
  input: {
    ...RECONCILIATION_TASK,
    failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  },
  run: async (task) => {
    const failure = { error: task.failure.Error ?? null, cause: (task.failure.Cause ?? '').slice(0, 500) };
    return {
      result: failure,
      case: { failure },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'RecordFailure/action',
          actor: RECONCILIATION_RULES_ACTOR,
          details: { failure, statementKey: task.request.statementKey },
          business: { decision: 'FAILED' },
        },
      ],
    };
  },
});
