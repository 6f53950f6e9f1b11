import * as z from 'zod';
import { approverOf } from '#platform/approvals/adapters/approval-authority.ts';
import { formatMoney, money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { normaliseDocumentNumber } from '#platform/system-of-record/core/reference-data.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { HOLD_EXPIRY_DAYS_AFTER_DUE } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { agentActor, INVOICE_TASK, invoiceBusiness } from './invoice-step.ts';

const ledger = new DynamoDbEscrowLedger({ limits: new DynamoDbTrustStore() });
const sor = new DynamoDbSystemOfRecord();
const DAY_MS = 24 * 3600 * 1000;

/**
 * Task HoldPayment: the approved total is held in escrow for the vendor until the due date.
 * Keyed by vendor and invoice number, so a retried step never holds twice. An agent's own
 * approval holds under the agent's limits; a person's approval holds in that person's name.
 */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    submittedAt: z.iso.datetime(),
    invoice: invoiceSchema,
    decision: z.object({ decision: z.string() }),
    // Only which approval: who decided and what is re-read from the work room below, never taken from the task.
    approval: z.object({ approvalId: z.string().min(1) }).nullable(),
    vendor: z.object({ vendorId: z.string(), name: z.string() }),
    lines: z.array(z.object({ invoiceLineNo: z.number(), poLineNo: z.number().nullable() })),
  },
  run: async (task) => {
    const { invoice, vendor } = task;
    if (!invoice.total || !invoice.currency || !invoice.invoiceNumber)
      throw new Error('An approved invoice must have a number, a currency and a total.');
    const account = await sor.fundingAccountFor(invoice.currency);
    if (!account)
      throw new Error(`No funding account in ${invoice.currency}: seed one before approving invoices in it.`);
    const holdId = `AP-${vendor.vendorId}-${normaliseDocumentNumber(invoice.invoiceNumber)}`;
    // Dates from the invoice and the submission only: a retried step sends the identical hold.
    const submitted = new Date(task.submittedAt);
    const releaseAt = invoice.dueDate ? new Date(`${invoice.dueDate}T00:00:00Z`) : submitted;
    const expiresAt = new Date(
      Math.max(releaseAt.getTime(), submitted.getTime()) + HOLD_EXPIRY_DAYS_AFTER_DUE * DAY_MS,
    );
    const amount = money(invoice.total, invoice.currency);
    const byPerson = task.approval ? await approverOf(task.approval.approvalId, task, amount) : undefined;
    const actor = byPerson
      ? { kind: 'person' as const, id: byPerson.username, role: byPerson.role }
      : { kind: 'agent' as const, id: task.agentId };
    const { hold } = await ledger.hold({
      operationId: `hold:${holdId}`,
      holdId,
      accountId: account,
      payee: vendor.vendorId,
      amount,
      reason: `AP invoice ${invoice.invoiceNumber} from ${vendor.name}`,
      expiresAt,
      releaseAt,
      initiatedBy: actor,
      ...(byPerson ? {} : { agentId: task.agentId }),
      // The payment run carries this back to the invoice run: its bank file, status and statement line name it.
      source: { runbook: task.runbook, executionId: task.executionId, document: invoice.invoiceNumber },
    });
    // The quantities this invoice consumes were reserved on its PO when it was matched.
    const view = {
      holdId: hold.holdId,
      accountId: hold.accountId,
      payee: hold.payee,
      amount: formatMoney(hold.amount),
      currency: hold.amount.currency,
      status: hold.status,
      releaseAt: hold.releaseAt,
      expiresAt: hold.expiresAt,
    };
    return {
      result: view,
      case: { hold: view },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'HoldPayment/action',
          actor: byPerson ? actor : agentActor(task.agentId),
          details: { action: 'escrow_hold', ...view },
          business: invoiceBusiness(invoice, vendor, {
            decision: byPerson ? 'APPROVED_BY_PERSON' : task.decision.decision,
          }),
        },
      ],
    };
  },
});
