import { join } from 'node:path';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney, type Money, money, subtract, sum } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { type HoldView, ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { openExceptions } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { executionIdFor } from '#platform/runs/core/executions.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import { findPayment, runPayments } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { type CustomerCredit, simulateBank } from './bank-simulate.ts';
import { readSnapshot, seed } from './seed.ts';

/** The project's own treasury data beside the AP sample set: the payment and reconciliation agents, customers, receivables. */
export const TREASURY_SEED = join(PROJECT_ROOT, 'local', 'seed', 'treasury.json');
/** Who starts the payment runs in the demo, and who approves them (never the same person). */
export const PAYMENT_RUN_REQUESTER = 'casey.controller';
export const PAYMENT_RUN_APPROVER = 'dana.controller';
/** The simulated bank rejects one payment (closed account) and books one debit nobody approved. */
export const DEMO_STRAY_DEBIT = '125.00';

export type ApiCall = (
  method: string,
  path: string,
  user: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: unknown }>;

interface ReconciliationTotals {
  readonly currency: string;
  readonly matched?: { count?: number; debits?: string; credits?: string };
  readonly writtenOff?: { count?: number; amount?: string };
  readonly exceptions?: { count?: number };
}

/** The fields of `GET /executions/{id}` the loop reads, for payment runs and reconciliations alike. */
interface RunView {
  readonly executionId?: string;
  readonly status: string;
  readonly finalStatus?: string | null;
  readonly outcome?: unknown;
  readonly approval?: { status?: string; approvalId?: string } | null;
  readonly proposal?: {
    payments?: number;
    total?: string;
    currency?: string;
    excluded?: { code: string }[];
  } | null;
  readonly release?: { payments?: number; file?: string | null } | null;
  readonly totals?: readonly ReconciliationTotals[];
}

export interface PaymentCurrencySummary {
  readonly currency: string;
  readonly runs: number;
  readonly paid: { count: number; amount: string };
  readonly rejected: { count: number; amount: string };
  readonly excluded: Readonly<Record<string, number>>;
  /** Statement entries matched, and the amounts of the matched payments (debits) and customer payments (credits). */
  readonly reconciled: { entries: number; debits: string; credits: string };
  readonly writtenOff: { count: number; amount: string };
  readonly exceptions: number;
}

export interface PaymentLoopSummary {
  readonly asOf: string | null;
  readonly currencies: readonly PaymentCurrencySummary[];
  /** Open exceptions after the loop, by kind (what a person now looks at). */
  readonly exceptionsByKind: Readonly<Record<string, number>>;
  /** Every check of the escrow invariant (available = funded − posted − held ≥ 0) that held. */
  readonly invariantChecks: number;
  /** The payment a controller disputed before the runs, and how a second controller resolved it. */
  readonly dispute: DemoDispute | null;
  /** The refund a support agent made within its pact, held for the cooling-off period and then paid. */
  readonly refund: DemoRefund | null;
  /** A vendor's bank-detail change after the runs: requested, verified by call-back and approved by three people. */
  readonly bankChange: DemoBankChange | null;
  /** What did not go as the demo expects; empty when the loop closed. */
  readonly problems: readonly string[];
}

async function poll(
  api: ApiCall,
  executionId: string,
  until: (b: RunView) => boolean,
  timeoutMs: number,
): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await api('GET', `/executions/${executionId}`, PAYMENT_RUN_REQUESTER);
    const { status } = answer;
    const body = answer.body as RunView;
    if (status === 200 && until(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`Execution ${executionId} still ${body?.status} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ended = (b: RunView) => b.status !== 'RUNNING' && b.status !== 'NOT_STARTED';

export interface DemoRefund {
  readonly executionId: string;
  readonly holdId: string | null;
  readonly amount: string;
  readonly currency: string;
  readonly orderId: string;
  readonly outcome: string;
  readonly releaseAt: string | null;
  /** The hold once the runs and the bank answered: POSTED when the payment run paid it. */
  readonly afterRuns?: string;
}

/**
 * A support agent refunds a damaged order within its pact: the refund is held for the
 * cooling-off period and the payment runs below pay it to the account that paid for the order.
 */
async function refundOneOrder(
  api: ApiCall,
  tag: string,
  timeoutMs: number,
  note: (line: string) => void,
  problems: string[],
): Promise<DemoRefund | null> {
  const request = {
    kind: 'refund',
    agentId: 'support-refund-agent',
    customerId: 'C-3001',
    orderId: 'ORD-5001',
    amount: '49.90',
    currency: 'USD',
    reason: 'Two of the five items arrived damaged; the customer sent photos.',
  };
  const started = await api('POST', '/runbooks/refund-payout/executions', 'avery.clerk', request, {
    'Idempotency-Key': `${tag}-refund-ORD-5001`,
  });
  if (started.status !== 202) {
    problems.push(`starting the refund answered ${started.status}`);
    return null;
  }
  const executionId = (started.body as { executionId: string }).executionId;
  const view = (await poll(api, executionId, ended, timeoutMs)) as RunView & {
    outcome?: { status?: string } | null;
    hold?: { holdId?: string; releaseAt?: string } | null;
  };
  const outcome = view.outcome?.status ?? view.status;
  if (outcome !== 'HELD') problems.push(`the demo refund ended ${outcome}, expected HELD`);
  note(`refund of ${request.amount} ${request.currency} on ${request.orderId}: ${outcome}`);
  return {
    executionId,
    holdId: view.hold?.holdId ?? null,
    amount: request.amount,
    currency: request.currency,
    orderId: request.orderId,
    outcome,
    releaseAt: view.hold?.releaseAt ?? null,
  };
}

export interface DemoBankChange {
  readonly executionId: string;
  readonly vendorId: string;
  readonly requestedBy: string;
  readonly verifiedBy: string | null;
  readonly approvedBy: string | null;
  readonly outcome: string;
  readonly bankDetailsChangedAt: string | null;
}

const BANK_CHANGE_VENDOR = 'V-3100';
const BANK_CHANGE_PHONE = '+33 1 42 60 00 00';

/**
 * After the runs, a vendor e-mails new bank details: one clerk takes the request, another calls
 * the vendor back on the number in the vendor master, and a controller who is neither approves.
 * The change starts the vendor's cooling-off period for the next payment run.
 */
async function changeOneVendorsBank(
  api: ApiCall,
  tag: string,
  timeoutMs: number,
  note: (line: string) => void,
  problems: string[],
): Promise<DemoBankChange | null> {
  const requestedBy = 'avery.clerk';
  const started = await api(
    'POST',
    '/runbooks/vendor-bank-change/executions',
    requestedBy,
    {
      vendorId: BANK_CHANGE_VENDOR,
      newBankDetails: { iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
      origin: {
        channel: 'email',
        sender: 'compta@atelier-lumiere.example',
        receivedAt: new Date().toISOString(),
      },
      reason: 'The vendor writes that it moved its account to its German bank.',
    },
    { 'Idempotency-Key': `${tag}-bank-change-${BANK_CHANGE_VENDOR}` },
  );
  if (started.status !== 202) {
    problems.push(`starting the bank-detail change answered ${started.status}`);
    return null;
  }
  const executionId = (started.body as { executionId: string }).executionId;
  type ChangeView = RunView & {
    awaiting?: { step?: string } | null;
    outcome?: {
      status?: string;
      verifiedBy?: string;
      approvedBy?: string;
      bankDetailsChangedAt?: string;
    } | null;
  };
  const waitingFor = (step: string) => (b: RunView) => ended(b) || (b as ChangeView).awaiting?.step === step;
  const steps = [
    {
      step: 'verification',
      by: 'blake.clerk',
      comment: `Called the vendor's accounts desk on ${BANK_CHANGE_PHONE}, the number in the vendor master; they confirmed the new IBAN ending 3000.`,
    },
    {
      step: 'approval',
      by: PAYMENT_RUN_REQUESTER,
      comment: 'Call-back on the number on file; the new account is in the vendor name.',
    },
  ];
  for (const { step, by, comment } of steps) {
    const view = (await poll(api, executionId, waitingFor(step), timeoutMs)) as ChangeView;
    if (ended(view)) break;
    const decided = await api('POST', `/approvals/${executionId}-${step}/decision`, by, {
      decision: 'APPROVE',
      comment,
    });
    if (decided.status !== 200) problems.push(`the bank-detail change's ${step} answered ${decided.status}`);
  }
  const done = (await poll(api, executionId, ended, timeoutMs)) as ChangeView;
  const outcome = done.outcome?.status ?? done.status;
  if (outcome !== 'CHANGED') problems.push(`the demo bank-detail change ended ${outcome}, expected CHANGED`);
  note(`bank-detail change of ${BANK_CHANGE_VENDOR}: ${outcome}`);
  return {
    executionId,
    vendorId: BANK_CHANGE_VENDOR,
    requestedBy,
    verifiedBy: done.outcome?.verifiedBy ?? null,
    approvedBy: done.outcome?.approvedBy ?? null,
    outcome,
    bankDetailsChangedAt: done.outcome?.bankDetailsChangedAt ?? null,
  };
}

export interface DemoDispute {
  readonly holdId: string;
  readonly disputeId: string;
  readonly amount: string;
  readonly currency: string;
  readonly filedBy: string;
  readonly resolvedBy: string;
  readonly resolution: string;
}

/**
 * Before the runs, a controller disputes one held payment (the vendor says it was already paid),
 * so no run can pick it up; a second controller checks and voids it, and the money goes back to
 * available. The dispute is an outcome of the agent that placed the hold.
 */
async function disputeOnePayment(
  api: ApiCall,
  due: readonly HoldView[],
  note: (line: string) => void,
  problems: string[],
): Promise<DemoDispute | null> {
  const target = [...due]
    .filter((h) => h.amount.currency === 'USD')
    .sort((a, b) => (a.holdId < b.holdId ? -1 : 1))[0];
  if (!target) return null;
  const filed = await api('POST', `/holds/${target.holdId}/disputes`, PAYMENT_RUN_APPROVER, {
    reason: 'Vendor reports this invoice was already paid by card; hold until checked.',
  });
  if (filed.status !== 201) {
    problems.push(`disputing hold ${target.holdId} answered ${filed.status}`);
    return null;
  }
  const disputeId = (filed.body as { disputeId: string }).disputeId;
  const resolved = await api('POST', `/disputes/${disputeId}/resolution`, PAYMENT_RUN_REQUESTER, {
    resolution: 'void',
    reason: 'Card payment found on the vendor statement; the invoice is not paid twice.',
  });
  if (resolved.status !== 200) {
    problems.push(`resolving dispute ${disputeId} answered ${resolved.status}`);
    return null;
  }
  note(`hold ${target.holdId} disputed by ${PAYMENT_RUN_APPROVER}, voided by ${PAYMENT_RUN_REQUESTER}`);
  return {
    holdId: target.holdId,
    disputeId,
    amount: formatMoney(target.amount),
    currency: target.amount.currency,
    filedBy: PAYMENT_RUN_APPROVER,
    resolvedBy: PAYMENT_RUN_REQUESTER,
    resolution: 'void',
  };
}

/**
 * The money loop after the approvals: a payment run per funding account pays the approved
 * invoices that are due (released by a second controller, first-time payees), the simulated bank
 * answers (one payment rejected, one stray debit, three customer payments), the bank inbox posts
 * and voids the holds, and the statement is reconciled. The escrow invariant is checked at every step.
 */
export async function runPaymentLoop(options: {
  api: ApiCall;
  tag: string;
  timeoutMs: number;
  note?: (line: string) => void;
  now?: Date;
}): Promise<PaymentLoopSummary> {
  const { api, tag, timeoutMs } = options;
  const note = options.note ?? (() => undefined);
  const now = options.now ?? new Date();
  const problems: string[] = [];
  const ledger = new DynamoDbEscrowLedger();
  let invariantChecks = 0;
  const accounts = Object.keys(PAYMENT_RUN_POLICY.originators).sort();
  const checkInvariants = async (when: string) => {
    for (const accountId of accounts) {
      const account = await ledger.getAccount(accountId);
      if (!account) continue;
      const expected = subtract(subtract(account.funded, account.posted), account.held);
      if (account.available.minor !== expected.minor || account.available.minor < 0n)
        problems.push(`escrow invariant broken on ${accountId} ${when}`);
      else invariantChecks += 1;
    }
  };

  note(`Seeding ${TREASURY_SEED}`);
  const treasury = readSnapshot(TREASURY_SEED);
  await seed(treasury);
  await checkInvariants('before the payment runs');
  const refund = await refundOneOrder(api, tag, timeoutMs, note, problems);

  // The run's date: the latest due date among the approved invoices, so every one of them is due.
  const farFuture = new Date(now.getTime() + 3650 * 86_400_000);
  const due = (
    await Promise.all(accounts.map((accountId) => ledger.payableHolds(accountId, farFuture, 10_000)))
  ).flat();
  if (due.length === 0) {
    problems.push('no approved invoice was held for payment');
    return {
      asOf: null,
      currencies: [],
      exceptionsByKind: {},
      invariantChecks,
      dispute: null,
      refund,
      bankChange: null,
      problems,
    };
  }
  const asOf = due
    .map((hold) => hold.releaseAt ?? hold.createdAt)
    .sort()
    .at(-1)
    ?.slice(0, 10) as string;

  const dispute = await disputeOnePayment(api, due, note, problems);

  const perCurrency = new Map<
    string,
    { runs: number; excluded: Record<string, number>; paymentIds: string[] }
  >();
  for (const accountId of accounts) {
    if (!due.some((hold) => hold.accountId === accountId)) continue;
    const started = await api(
      'POST',
      '/runbooks/payment-run/executions',
      PAYMENT_RUN_REQUESTER,
      { accountId, asOf },
      { 'Idempotency-Key': `demo-${tag}-payrun-${accountId}` },
    );
    if (started.status !== 202)
      throw new Error(
        `Starting the payment run on ${accountId} answered ${started.status}: ${JSON.stringify(started.body)}`,
      );
    const executionId = (started.body as { executionId: string }).executionId;
    let view = await poll(api, executionId, (b) => ended(b) || b.approval?.status === 'PENDING', timeoutMs);
    if (view.approval?.status === 'PENDING') {
      const decided = await api(
        'POST',
        `/approvals/${view.approval.approvalId}/decision`,
        PAYMENT_RUN_APPROVER,
        {
          decision: 'APPROVE',
          comment: `Payment run checked: ${view.proposal?.payments} payments, ${view.proposal?.total} ${view.proposal?.currency}; new payees verified by call-back.`,
        },
      );
      if (decided.status !== 200)
        throw new Error(
          `Approving the payment run answered ${decided.status}: ${JSON.stringify(decided.body)}`,
        );
      note(`payment run on ${accountId} approved by ${PAYMENT_RUN_APPROVER}`);
      view = await poll(api, executionId, ended, timeoutMs);
    }
    if (view.finalStatus !== 'RELEASED')
      problems.push(`payment run on ${accountId} ended ${view.finalStatus ?? view.status}`);
    const currency = view.proposal?.currency as string;
    const entry = perCurrency.get(currency) ?? { runs: 0, excluded: {}, paymentIds: [] };
    entry.runs += 1;
    for (const excluded of (view.proposal?.excluded ?? []) as { code: string }[])
      entry.excluded[excluded.code] = (entry.excluded[excluded.code] ?? 0) + 1;
    entry.paymentIds.push(
      ...(await runPayments(executionId)).filter((p) => p.status === 'SENT').map((p) => p.paymentId),
    );
    perCurrency.set(currency, entry);
    note(
      `payment run on ${accountId}: ${view.release?.payments ?? 0} payments in ${view.release?.file ?? 'no file'}`,
    );
  }
  await checkInvariants('after the payment runs');

  // The bank answers: one payment bounced, a debit nobody approved, customers paying receivables.
  const rejected = [...perCurrency.values()].flatMap((e) => e.paymentIds).sort()[0];
  const receivables = treasury.openReceivables.filter((r) => r.currency === 'USD').slice(0, 3);
  const customers = new Map(treasury.customers.map((c) => [c.customerId, c.name]));
  const short = (amount: string, by: string) => formatMoney(subtract(money(amount, 'USD'), money(by, 'USD')));
  const credits: CustomerCredit[] = receivables.map((r, index) => ({
    payerName: customers.get(r.customerId) ?? r.customerId,
    // Paid in full; short by 12.50 (within the agent's write-off room); short by 400.00 (a person decides).
    amount: index === 0 ? r.amount : short(r.amount, index === 1 ? '12.50' : '400.00'),
    currency: r.currency,
    reference: r.creditorReference ?? r.invoiceNumber,
    bookingDate: ledgerDay(now),
  }));
  const bank = S3BankFiles.fromEnvironment();
  const simulated = await simulateBank({
    store: bank,
    now,
    ...(rejected ? { reject: [`${rejected}:AC04`] } : {}),
    strayDebit: DEMO_STRAY_DEBIT,
    credits,
  });
  note(
    `bank answered ${simulated.filesAnswered.length} file(s): ${simulated.paymentsAccepted} accepted, ${simulated.paymentsRejected} rejected; ${simulated.statements.length} statement(s)`,
  );

  // Loaded here, after the local stack set the environment its logger and clients read.
  const { BANK_INBOX, handler: bankInbox } = await import('#runbooks/payment-run/handlers/bank-inbox.ts');
  const inbox = await bankInbox({});
  if (inbox.refused.length > 0)
    problems.push(
      `the bank inbox refused ${inbox.refused.map((r) => `${r.fileKey} (${r.code})`).join(', ')}`,
    );
  await checkInvariants('after the bank status reports');

  const reconciliations: RunView[] = [];
  for (const statement of simulated.statements) {
    const content = await bank.getInbound(statement.key, 20_000_000);
    const executionId = executionIdFor(BANK_INBOX, 'bank-reconciliation', `statement:${sha256Hex(content)}`);
    reconciliations.push(await poll(api, executionId, ended, timeoutMs));
  }
  await checkInvariants('after the reconciliation');

  const currencies: PaymentCurrencySummary[] = [];
  for (const [currency, entry] of perCurrency) {
    const posted: Money[] = [];
    const bounced: Money[] = [];
    const payments = (await Promise.all([...new Set(entry.paymentIds)].map((id) => findPayment(id)))).filter(
      (p) => p !== undefined,
    );
    for (const payment of payments) {
      if (payment.status === 'POSTED') posted.push(money(payment.amount, payment.currency));
      else if (payment.status === 'REJECTED') bounced.push(money(payment.amount, payment.currency));
      else problems.push(`payment ${payment.paymentId} is still ${payment.status} after the bank answered`);
    }
    const totals = reconciliations.flatMap((r) => r.totals ?? []).filter((t) => t.currency === currency);
    currencies.push({
      currency,
      runs: entry.runs,
      paid: { count: posted.length, amount: formatMoney(sum(posted, currency)) },
      rejected: { count: bounced.length, amount: formatMoney(sum(bounced, currency)) },
      excluded: entry.excluded,
      reconciled: {
        entries: totals.reduce((n, t) => n + (t.matched?.count ?? 0), 0),
        debits: formatMoney(
          sum(
            totals.map((t) => money(t.matched?.debits ?? '0', currency)),
            currency,
          ),
        ),
        credits: formatMoney(
          sum(
            totals.map((t) => money(t.matched?.credits ?? '0', currency)),
            currency,
          ),
        ),
      },
      writtenOff: {
        count: totals.reduce((n, t) => n + (t.writtenOff?.count ?? 0), 0),
        amount: formatMoney(
          sum(
            totals.map((t) => money(t.writtenOff?.amount ?? '0', currency)),
            currency,
          ),
        ),
      },
      exceptions: totals.reduce((n, t) => n + (t.exceptions?.count ?? 0), 0),
    });
    if (bounced.length !== (rejected ? 1 : 0))
      problems.push(`${bounced.length} ${currency} payments rejected, expected 1`);
    const matchedDebits = sum(
      totals.map((t) => money(t.matched?.debits ?? '0', currency)),
      currency,
    );
    if (matchedDebits.minor !== sum(posted, currency).minor)
      problems.push(
        `the ${currency} statement reconciled ${formatMoney(matchedDebits)} of payments, not the ${formatMoney(sum(posted, currency))} paid`,
      );
  }
  for (const r of reconciliations)
    if (r.status !== 'SUCCEEDED' || r.outcome !== 'RECONCILED')
      problems.push(`bank reconciliation ${r.executionId} ended ${r.outcome ?? r.status}`);

  const exceptionsByKind: Record<string, number> = {};
  for (const exception of await openExceptions(1000))
    exceptionsByKind[exception.kind] = (exceptionsByKind[exception.kind] ?? 0) + 1;
  for (const expected of ['PAYMENT_REJECTED', 'UNMATCHED_DEBIT', 'SHORT_PAYMENT_ABOVE_THRESHOLD'])
    if (!exceptionsByKind[expected]) problems.push(`no ${expected} exception was opened`);
  const bankChange = await changeOneVendorsBank(api, tag, timeoutMs, note, problems);
  const refundAfter = refund?.holdId ? (await ledger.getHold(refund.holdId))?.status : undefined;
  if (refund && refundAfter !== 'POSTED' && refundAfter !== 'VOIDED')
    problems.push(`the demo refund's hold is ${refundAfter ?? 'missing'} after the runs, expected paid`);
  return {
    asOf,
    currencies,
    exceptionsByKind,
    invariantChecks,
    dispute,
    refund: refund ? { ...refund, ...(refundAfter ? { afterRuns: refundAfter } : {}) } : null,
    bankChange,
    problems,
  };
}

export function formatPaymentSummary(summary: PaymentLoopSummary): string[] {
  const lines = [`  Payments (run date ${summary.asOf ?? '—'})`];
  for (const c of summary.currencies) {
    lines.push(
      `    ${c.currency}: ${c.runs} run(s); paid ${c.paid.count} (${c.paid.amount}), rejected by the bank ${c.rejected.count} (${c.rejected.amount})`,
      `         left out of the run: ${
        Object.entries(c.excluded)
          .map(([code, n]) => `${code} ${n}`)
          .join(', ') || 'none'
      }`,
      `         statement: ${c.reconciled.entries} entries reconciled (payments ${c.reconciled.debits}, customer payments ${c.reconciled.credits}), ${c.writtenOff.count} written off (${c.writtenOff.amount}), ${c.exceptions} exceptions`,
    );
  }
  lines.push(
    `    Exceptions for a person  ${
      Object.entries(summary.exceptionsByKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ') || 'none'
    }`,
    ...(summary.refund
      ? [
          `    Refund by an agent       ${summary.refund.amount} ${summary.refund.currency} on ${summary.refund.orderId}: ${summary.refund.outcome}${summary.refund.releaseAt ? `, payable from ${summary.refund.releaseAt.slice(0, 16)}` : ''}${summary.refund.afterRuns ? `, then ${summary.refund.afterRuns}` : ''}`,
        ]
      : []),
    ...(summary.bankChange
      ? [
          `    Bank-detail change       ${summary.bankChange.vendorId}: ${summary.bankChange.outcome} (requested by ${summary.bankChange.requestedBy}, verified by ${summary.bankChange.verifiedBy ?? '-'}, approved by ${summary.bankChange.approvedBy ?? '-'})`,
        ]
      : []),
    ...(summary.dispute
      ? [
          `    Disputed before payment  ${summary.dispute.amount} ${summary.dispute.currency} (hold ${summary.dispute.holdId}): filed by ${summary.dispute.filedBy}, ${summary.dispute.resolution === 'void' ? 'voided' : 'posted'} by ${summary.dispute.resolvedBy}`,
        ]
      : []),
    `    Escrow invariant held    ${summary.invariantChecks} checks`,
    ...summary.problems.map((p) => `    PROBLEM ${p}`),
  );
  return lines;
}
