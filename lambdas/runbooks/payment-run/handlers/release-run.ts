import * as z from 'zod';
import { approverOf } from '#platform/approvals/adapters/approval-authority.ts';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { formatMoney, type Money, money, sum } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep, type StepOutcome } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { pactFor } from '#platform/trust/core/standing.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import {
  chargeRelease,
  getRun,
  moveSentPayment,
  nachaFileIdModifier,
  recordRunOutcome,
  runPayments,
  type StoredPayment,
} from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { bankFileForRun, executionDateAfter } from '#runbooks/payment-run/core/bank-file-for-run.ts';
import { validateNacha } from '#runbooks/payment-run/core/bank-files/nacha.ts';
import { validatePain001 } from '#runbooks/payment-run/core/bank-files/pain001.ts';
import { RELEASE_ACTION } from './decide-release.ts';
import { PAYMENT_TASK, paymentAgentActor, proposalResult, runBusiness } from './payment-step.ts';

const ledger = new DynamoDbEscrowLedger();
const trust = new DynamoDbTrustStore();
let bankFiles: S3BankFiles | undefined;
/** Holds moved into payment at once; bounded so one run does not flood the table. */
const CONCURRENCY = 16;

/** The release does not rest on an authority that still holds; nothing is paid. */
export class ReleaseNotAuthorisedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseNotAuthorisedError';
  }
}

/** The agent's own release, counted against its daily room in the same write that says it happened. */
async function releasedByAgent(agentId: string, runId: string, total: Money): Promise<void> {
  const standing = await trust.loadAgentStanding(agentId);
  const pact = standing && !standing.suspended ? pactFor(standing, RELEASE_ACTION) : undefined;
  if (!pact || pact.currency !== total.currency || total.minor > pact.perActionLimit.minor)
    throw new ReleaseNotAuthorisedError(
      `Agent ${agentId} may not release ${formatMoney(total)} ${total.currency} alone.`,
    );
  const charged = await chargeRelease(agentId, runId, ledgerDay(new Date()), total, pact.dailyLimit);
  if (charged === 'over_limit')
    throw new ReleaseNotAuthorisedError(
      `Releasing ${formatMoney(total)} would pass agent ${agentId}'s daily limit.`,
    );
}

/** What the release did: the file it wrote (none when every hold left since the proposal). */
export interface RunRelease {
  readonly file: string | null;
  readonly format: string | null;
  readonly messageId: string | null;
  readonly sha256: string | null;
  readonly payments: number;
  readonly total: string;
  readonly currency: string;
  readonly executionDate: string;
  readonly withdrawn: number;
  readonly releasedBy: string;
}

/** Runs `work` over `items`, at most CONCURRENCY at a time. */
async function eachBounded<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index] as T);
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Task ReleaseRun: the authority re-checked, each hold moved to IN_PAYMENT under the payment's
 * end-to-end id (a hold disputed or voided since the proposal is withdrawn from the run, never
 * paid), then one bank file of exactly the payments in payment, checked by its validator and
 * written to the outbound prefix. Every id and date is the run's, so a retry after a crash moves
 * no hold twice and writes the same file, not a second one.
 */
export const handler = runbookStep({
  input: {
    ...PAYMENT_TASK,
    proposal: proposalResult,
    decision: z.object({ decision: z.string() }),
    approval: z.object({ approvalId: z.string().min(1) }).nullable(),
  },
  run: async (task): Promise<StepOutcome<RunRelease>> => {
    const { proposal } = task;
    const total = money(proposal.total, proposal.currency);
    const byPerson = task.approval ? await approverOf(task.approval.approvalId, task, total) : undefined;
    if (!byPerson) await releasedByAgent(task.request.agentId, proposal.runId, total);
    const run = await getRun(proposal.runId);
    const originator = PAYMENT_RUN_POLICY.originators[proposal.accountId];
    if (!run || !originator) throw new Error(`Payment run ${proposal.runId} or its originator is missing.`);

    const at = new Date().toISOString();
    const stored = await runPayments(run.runId);
    const moved = await eachBounded(stored, async (payment) => {
      if (payment.status !== 'PROPOSED' && payment.status !== 'SENT') return undefined;
      try {
        await ledger.startPayment({
          operationId: `pay:${payment.paymentId}`,
          holdId: payment.holdId,
          paymentId: payment.paymentId,
        });
        return payment;
      } catch (error) {
        if (!(error instanceof TollgateError) || error.code !== 'HOLD_NOT_OPEN') throw error;
        await moveSentPayment(payment, 'PROPOSED', 'WITHDRAWN', { at, reason: error.message });
        return undefined;
      }
    });
    const paying = moved.filter((p): p is StoredPayment => p !== undefined);
    const withdrawn = stored.length - paying.length;
    const executionDate = executionDateAfter(run.asOf);
    const releasedBy = byPerson?.username ?? task.request.agentId;
    if (paying.length === 0) {
      // Every hold left HELD since the proposal: nothing to pay, no file.
      await recordRunOutcome(run.runId, { status: 'RELEASED', at, files: [], by: releasedBy });
      const release: RunRelease = {
        file: null,
        format: null,
        messageId: null,
        sha256: null,
        payments: 0,
        total: formatMoney(money('0', proposal.currency)),
        currency: proposal.currency,
        executionDate,
        withdrawn,
        releasedBy,
      };
      return { result: release, case: { release } };
    }
    const file = bankFileForRun({
      runId: run.runId,
      proposedAt: run.proposedAt,
      executionDate,
      originator,
      ...(originator.format === 'nacha'
        ? { fileIdModifier: await nachaFileIdModifier(run.runId, originator.immediateDestination, run.asOf) }
        : {}),
      payments: paying.map((p) => ({ ...p, amount: money(p.amount, p.currency) })),
    });
    // The file is read back by the bank's rules before it goes anywhere.
    const checked =
      originator.format === 'nacha' ? validateNacha(file.content) : validatePain001(file.content);
    bankFiles ??= S3BankFiles.fromEnvironment();
    // Dated by the run, not the clock: a retry after midnight finds the file it wrote.
    const written = await bankFiles.putOutbound(file.name, file.content, file.contentType, {
      date: run.asOf,
    });
    await eachBounded(paying, (payment) =>
      payment.status === 'SENT'
        ? Promise.resolve(true)
        : moveSentPayment(payment, 'PROPOSED', 'SENT', { at, executionDate, fileKey: written.key }),
    );
    await recordRunOutcome(run.runId, { status: 'RELEASED', at, files: [written.key], by: releasedBy });
    const paid = sum(
      paying.map((p) => money(p.amount, p.currency)),
      proposal.currency,
    );
    const release: RunRelease = {
      file: written.key,
      format: checked.format,
      messageId: checked.messageId,
      sha256: written.sha256,
      payments: checked.numberOfTransactions,
      total: formatMoney(paid),
      currency: proposal.currency,
      executionDate,
      withdrawn,
      releasedBy,
    };
    return {
      result: release,
      case: { release },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'ReleaseRun/action',
          actor: byPerson
            ? { kind: 'person', id: byPerson.username, role: byPerson.role }
            : paymentAgentActor(task.request.agentId),
          details: { action: 'bank_file_released', ...release },
          business: runBusiness({ total: release.total, currency: proposal.currency }, 'RELEASED'),
          payloads: [{ name: 'bank-file', contentType: file.contentType, body: file.content }],
        },
      ],
    };
  },
});
