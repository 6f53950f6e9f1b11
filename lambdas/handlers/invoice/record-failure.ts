import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { updateCase } from '#adapters/invoice-case-dynamodb.ts';
import { recordCycleTime } from '#adapters/metrics.ts';
import { parseInvoiceTask, RULES_ACTOR, recordEvidence } from './invoice-task.ts';

/** Task RecordFailure: whatever ended the run goes to evidence and onto the case before the Fail state. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask(
    {
      submittedAt: z.iso.datetime(),
      failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
    },
    event,
    context,
  );
  const failure = { error: task.failure.Error, cause: (task.failure.Cause ?? '').slice(0, 2000) };
  await recordEvidence(task, 'action', 'RecordFailure/action', RULES_ACTOR, {
    action: 'runbook_failed',
    ...failure,
  });
  await updateCase(task.executionId, { finalStatus: 'FAILED', failure });
  recordCycleTime(Date.now() - Date.parse(task.submittedAt), 'FAILED');
  return failure;
}
