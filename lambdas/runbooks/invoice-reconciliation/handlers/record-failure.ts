import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { expireApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { recordCycleTime } from '#platform/aws/metrics.ts';
import {
  executionNameOf,
  getCase,
  releaseInvoiceClaim,
  updateCase,
} from '#platform/runs/adapters/case-store-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { parseInvoiceTask, RULES_ACTOR, recordEvidence } from './invoice-task.ts';

/**
 * Task RecordFailure: whatever ended the run goes to evidence and onto the case; approvals
 * still waiting in the work room expire, and the invoice number is given back.
 */
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
  const name = executionNameOf(task.executionId);
  await Promise.all([expireApproval(`${name}-1`), expireApproval(`${name}-2`)]);
  const found = await getCase(name);
  const vendorId = (found?.match as { vendor?: { vendorId?: string } } | undefined)?.vendor?.vendorId;
  const invoiceNumber = (found?.invoice as { invoiceNumber?: string } | undefined)?.invoiceNumber;
  const poNumber = (found?.invoice as { poNumber?: string | null } | undefined)?.poNumber;
  if (vendorId && invoiceNumber) {
    await releaseInvoiceClaim(vendorId, invoiceNumber, task.executionId);
    if (poNumber)
      await new DynamoDbSystemOfRecord().releaseQuantities(
        poNumber,
        vendorId,
        invoiceNumber,
        task.executionId,
      );
  }
  await updateCase(task.executionId, { finalStatus: 'FAILED', failure });
  recordCycleTime(Date.now() - Date.parse(task.submittedAt), 'FAILED');
  return failure;
}
