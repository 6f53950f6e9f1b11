import { formatMoney } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import { paidBefore, saveProposal } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import type { Originator } from '#runbooks/payment-run/core/payment-policy.ts';
import {
  creditorAccount,
  type PayeeFacts,
  proposalView,
  proposeRun,
} from '#runbooks/payment-run/core/select-payments.ts';
import { PAYMENT_TASK, paymentAgentActor, runBusiness } from './payment-step.ts';

const ledger = new DynamoDbEscrowLedger();
const sor = new DynamoDbSystemOfRecord();
const DAY_MS = 86_400_000;
/** Exclusions only a change to the vendor master can clear; a cooling-off period clears itself. */
const FIX_IN_VENDOR_MASTER: ReadonlySet<string> = new Set([
  'VENDOR_NOT_FOUND',
  'VENDOR_NOT_ACTIVE',
  'BANK_DETAILS_UNUSABLE',
  'CURRENCY_NOT_FOR_ACCOUNT',
]);

/**
 * A vendor is paid for the first time unless Tollgate paid it at this very account, or the
 * system of record shows it paid and its bank details never changed since (the history cannot
 * say which account it paid). A new account is a first payment whatever came before.
 */
async function payeeFacts(vendorId: string, originator: Originator): Promise<PayeeFacts> {
  // A refund or payout pays a customer or partner by its typed key; the vendor master otherwise.
  const [vendor, history] = await Promise.all([sor.getPayee(vendorId), sor.listProcessedInvoices(vendorId)]);
  const account = vendor ? creditorAccount(vendor, originator) : undefined;
  const paidByTollgate = account ? await paidBefore(vendorId, account) : false;
  const paidInHistory = !vendor?.bankDetailsChangedAt && history.some((invoice) => invoice.status === 'PAID');
  return { vendor, paidBefore: paidByTollgate || paidInHistory };
}

/**
 * Task ProposeRun: the holds on the funding account released by the run's date, oldest first up
 * to the policy's bound, each checked against the vendor master (active, bank details usable and
 * out of their cooling-off period) and grouped by vendor. Recorded in the work table before
 * anything is decided, with the whole list in evidence.
 */
export const handler = runbookStep({
  input: PAYMENT_TASK,
  run: async (task) => {
    const { accountId, asOf, agentId } = task.request;
    const originator = PAYMENT_RUN_POLICY.originators[accountId];
    if (!originator)
      throw new Error(`No originator for funding account ${accountId} in the payment-run policy.`);
    const account = await ledger.getAccount(accountId);
    if (!account) throw new Error(`No funding account ${accountId} in escrow.`);
    const releasedBy = new Date(Date.parse(`${asOf}T00:00:00Z`) + DAY_MS - 1);
    const holds = await ledger.payableHolds(accountId, releasedBy, PAYMENT_RUN_POLICY.maxPaymentsPerRun);
    const vendorIds = [...new Set(holds.map((hold) => hold.payee))];
    const payees = new Map(
      await Promise.all(vendorIds.map(async (id) => [id, await payeeFacts(id, originator)] as const)),
    );
    const proposal = proposeRun({
      runId: task.executionId,
      accountId,
      currency: account.currency,
      originator,
      asOf: releasedBy,
      holds,
      payees,
      coolingOffDays: PAYMENT_RUN_POLICY.bankDetailsCoolingOffDays,
    });
    const run = await saveProposal(task.executionId, asOf, task.submittedAt, proposal);
    // A hold that cannot be paid until someone fixes the vendor master waits for a person, once per vendor and cause.
    const stuck = new Map(
      proposal.excluded
        .filter((e) => FIX_IN_VENDOR_MASTER.has(e.code))
        .map((e) => [`${e.code}:${e.vendorId}`, e] as const),
    );
    for (const [cause, excluded] of stuck)
      await openException({
        exceptionId: `payee:${cause}`,
        kind: excluded.code,
        runbook: task.runbook,
        executionId: task.executionId,
        summary: `Holds for vendor ${excluded.vendorId} cannot be paid from ${accountId}: ${excluded.detail}. Fix the vendor master; the next run proposes them again.`,
        requiredRole: 'ap_clerk',
        refs: { vendorId: excluded.vendorId, holdId: excluded.holdId, accountId },
        openedAt: task.submittedAt,
      });
    const view = proposalView(proposal);
    const result = {
      runId: run.runId,
      accountId,
      currency: run.currency,
      format: run.format,
      total: run.total,
      payments: run.payments,
      firstTimePayees: proposal.vendors.filter((v) => v.firstTime).map((v) => v.vendorId),
    };
    return {
      result,
      case: { proposal: { ...result, excluded: view.excluded, vendors: view.vendors } },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'ProposeRun/action',
          actor: paymentAgentActor(agentId),
          details: {
            action: 'payment_run_proposed',
            asOf,
            ...view,
            vendors: view.vendors.length,
            excluded: view.excluded.length,
          },
          business: runBusiness(result),
          payloads: [
            {
              name: 'payment-run-proposal',
              contentType: 'application/json',
              body: JSON.stringify({
                ...view,
                payments: proposal.payments.map((p) => ({
                  paymentId: p.paymentId,
                  holdId: p.holdId,
                  vendorId: p.vendorId,
                  amount: formatMoney(p.amount),
                  document: p.document,
                  source: p.source,
                })),
              }),
            },
          ],
        },
      ],
    };
  },
});
