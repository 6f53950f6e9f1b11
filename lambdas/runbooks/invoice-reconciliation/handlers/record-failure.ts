import * as z from 'zod';
import { expireApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { recordCycleTime } from '#platform/aws/metrics.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { isOpen } from '#platform/escrow/core/escrow-ledger.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { runbookStep, writeStepEvidence } from '#platform/runs/handlers/runbook-step.ts';
import { normaliseDocumentNumber } from '#platform/system-of-record/core/reference-data.ts';
import { releaseInvoiceReservations } from '#runbooks/invoice-reconciliation/adapters/invoice-claims-dynamodb.ts';
import { INVOICE_TASK, RULES_ACTOR } from './invoice-step.ts';

const ledger = new DynamoDbEscrowLedger();

/** What RecordFailure did about the run's money and claims, as its evidence records it. */
export type Compensation = 'kept_hold_and_claims' | 'released_claims' | 'nothing_to_release';

/**
 * Task RecordFailure: whatever ended the run goes to evidence and onto the case; approvals
 * still waiting in the work room expire. If money is held, the hold keeps its claims; if not,
 * the invoice number and the PO quantities are given back. Evidence says which.
 */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    submittedAt: z.iso.datetime(),
    failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
  },
  run: async (task) => {
    const failure = { error: task.failure.Error, cause: (task.failure.Cause ?? '').slice(0, 2000) };
    const found = await getCase(task.executionId);
    const vendorId = (found?.match as { vendor?: { vendorId?: string } } | undefined)?.vendor?.vendorId;
    const invoice = found?.invoice as { invoiceNumber?: string; poNumber?: string | null } | undefined;
    const caseHold = (found?.hold as { holdId?: string } | undefined)?.holdId;
    // The ledger, not the case, says whether money is held: HoldPayment may have held it and failed
    // before the case recorded it, so the hold is also looked up by its deterministic id — only for an
    // approved run, which alone holds the claim on that number and so alone can have held under it.
    const approved =
      found?.decision === 'AUTO_APPROVED' ||
      (found?.approval as { decision?: string } | undefined)?.decision === 'APPROVE';
    const holdId =
      caseHold ??
      (approved && vendorId && invoice?.invoiceNumber
        ? `AP-${vendorId}-${normaliseDocumentNumber(invoice.invoiceNumber)}`
        : undefined);
    const hold = holdId ? await ledger.getHold(holdId) : undefined;
    // An approved invoice's held money and its claims stay together: the approval is still valid, so
    // the hold is kept and the invoice number and PO quantities stay claimed (a person who voids the
    // hold frees them). With nothing held (or the hold already closed) both are given back.
    const compensation: Compensation =
      hold && (isOpen(hold.status) || hold.status === 'POSTED')
        ? 'kept_hold_and_claims'
        : vendorId && invoice?.invoiceNumber
          ? 'released_claims'
          : 'nothing_to_release';
    // Evidence first: whatever happens below, the failure and what is done about it are on the record.
    await writeStepEvidence(task, [
      {
        recordType: 'action',
        eventKey: 'RecordFailure/action',
        actor: RULES_ACTOR,
        details: {
          action: 'runbook_failed',
          ...failure,
          compensation,
          holdId: hold?.holdId ?? null,
          holdStatus: hold?.status ?? null,
        },
      },
    ]);
    await Promise.all([expireApproval(`${task.executionId}-1`), expireApproval(`${task.executionId}-2`)]);
    if (compensation === 'released_claims' && vendorId && invoice?.invoiceNumber) {
      await releaseInvoiceReservations(
        { vendorId, invoiceNumber: invoice.invoiceNumber, poNumber: invoice.poNumber ?? null },
        task.executionId,
      );
    }
    return {
      result: { ...failure, compensation },
      case: { finalStatus: 'FAILED', failure: { ...failure, compensation } },
      metric: () => recordCycleTime(Date.now() - Date.parse(task.submittedAt), 'FAILED'),
    };
  },
});
