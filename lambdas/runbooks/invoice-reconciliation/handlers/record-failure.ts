import { z } from 'zod';
import { expireApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { recordCycleTime } from '#platform/aws/metrics.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { runbookStep, writeStepEvidence } from '#platform/runs/handlers/runbook-step.ts';
import { releaseInvoiceReservations } from '#runbooks/invoice-reconciliation/adapters/invoice-claims-dynamodb.ts';
import { INVOICE_TASK, RULES_ACTOR } from './invoice-step.ts';

/**
 * Task RecordFailure: whatever ended the run goes to evidence and onto the case; approvals
 * still waiting in the work room expire, and the invoice number is given back.
 */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    submittedAt: z.iso.datetime(),
    failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
  },
  run: async (task) => {
    const failure = { error: task.failure.Error, cause: (task.failure.Cause ?? '').slice(0, 2000) };
    // Evidence first: whatever happens below, the failure is on the record.
    await writeStepEvidence(task, [
      {
        recordType: 'action',
        eventKey: 'RecordFailure/action',
        actor: RULES_ACTOR,
        details: { action: 'runbook_failed', ...failure },
      },
    ]);
    const name = task.executionId;
    await Promise.all([expireApproval(`${name}-1`), expireApproval(`${name}-2`)]);
    const found = await getCase(name);
    const vendorId = (found?.match as { vendor?: { vendorId?: string } } | undefined)?.vendor?.vendorId;
    const invoice = found?.invoice as { invoiceNumber?: string; poNumber?: string | null } | undefined;
    if (vendorId && invoice?.invoiceNumber) {
      await releaseInvoiceReservations(
        { vendorId, invoiceNumber: invoice.invoiceNumber, poNumber: invoice.poNumber ?? null },
        task.executionId,
      );
    }
    return {
      result: failure,
      case: { finalStatus: 'FAILED', failure },
      metric: () => recordCycleTime(Date.now() - Date.parse(task.submittedAt), 'FAILED'),
    };
  },
});
