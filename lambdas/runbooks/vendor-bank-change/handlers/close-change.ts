import * as z from 'zod';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { clearBankChangePending } from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import {
  BANK_CHANGE_RULES_ACTOR,
  BANK_CHANGE_TASK,
  comparisonResult,
  decisionResult,
} from './bank-change-step.ts';

/**
 * Task CloseRejected / CloseNotVerified / CloseNotDecided / RecordFailure: a change that is not
 * made says why — on the case and in evidence — and the vendor master stays as it was.
 */
export const handler = runbookStep({
  input: {
    ...BANK_CHANGE_TASK,
    outcome: z.enum(['REJECTED', 'NOT_VERIFIED', 'NOT_DECIDED', 'FAILED']),
    comparison: comparisonResult.nullable().optional(),
    // Partial: after a failure, a waiting step's field may hold only the approval id.
    verification: decisionResult.partial().nullable().optional(),
    approval: decisionResult.partial().nullable().optional(),
    failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).nullable().optional(),
  },
  run: async (task) => {
    // The last decision taken names who closed it: the controller's, else the verifier's.
    const decided =
      task.outcome === 'FAILED'
        ? null
        : ([task.approval, task.verification].find((d) => d?.by && d.role) ?? null);
    const status =
      task.outcome === 'NOT_VERIFIED' && task.verification?.decision === 'REJECTED'
        ? 'REJECTED'
        : task.outcome;
    const reason =
      task.outcome === 'FAILED'
        ? (task.failure?.Cause ?? task.failure?.Error ?? 'A step failed.').slice(0, 500)
        : task.outcome === 'NOT_DECIDED'
          ? 'Nobody decided before the deadline.'
          : (decided?.reason ?? decided?.comment ?? '');
    const outcome = {
      status,
      at: new Date().toISOString(),
      reason,
      masterUnchanged: true,
      ...(decided?.by && decided.role
        ? {
            decidedBy: decided.by,
            role: decided.role,
            stage: decided === task.approval ? 'approval' : 'verification',
          }
        : {}),
      ...(task.failure ? { error: task.failure.Error ?? null } : {}),
    };
    const vendorId = task.request.vendorId;
    return {
      result: outcome,
      case: { outcome, awaiting: null, ...(task.failure ? { failure: outcome } : {}) },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'Close/action',
          actor:
            decided?.by && decided.role
              ? { kind: 'person' as const, id: decided.by, role: decided.role }
              : BANK_CHANGE_RULES_ACTOR,
          details: {
            action: 'vendor_bank_change_closed',
            vendorId,
            requestedBy: task.requestedBy.username,
            ...outcome,
          },
          business: {
            vendorId,
            ...(task.comparison ? { vendorName: task.comparison.vendorName } : {}),
            decision: status,
          },
        },
      ],
      after: () => clearBankChangePending(vendorId, task.executionId),
    };
  },
});
