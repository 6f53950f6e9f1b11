import * as z from 'zod';
import { openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { INQUIRY_RULES_ACTOR, INQUIRY_TASK } from './inquiry-step.ts';

/** Task RecordFailure: a step failed after its retries; nothing was sent, and a clerk answers the vendor. */
export const handler = runbookStep({
  input: {
    ...INQUIRY_TASK,
    failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).nullable().optional(),
  },
  run: async (task) => {
    const failure = {
      status: 'FAILED',
      error: task.failure?.Error ?? null,
      reason: (task.failure?.Cause ?? task.failure?.Error ?? 'A step failed.').slice(0, 500),
      at: new Date().toISOString(),
    };
    const exceptionId = `VENDOR_INQUIRY_FAILED:${task.executionId}`;
    return {
      result: failure,
      case: { failure, reply: null, handover: { kind: 'VENDOR_INQUIRY_FAILED', exceptionId } },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'RecordFailure/action',
          actor: INQUIRY_RULES_ACTOR,
          details: { action: 'vendor_inquiry_failed', messageHash: task.request.messageHash, ...failure },
          business: { decision: 'FAILED' },
        },
      ],
      after: async () => {
        await openException({
          exceptionId,
          kind: 'VENDOR_INQUIRY_FAILED',
          runbook: task.runbook,
          executionId: task.executionId,
          summary:
            'A vendor inquiry could not be answered (a step failed); nothing was sent. Answer it by hand.',
          requiredRole: 'ap_clerk',
          refs: { executionId: task.executionId },
          openedAt: task.submittedAt,
        });
      },
    };
  },
});
