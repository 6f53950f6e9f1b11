import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { add, compare, formatMoney, type Money, money, zero } from '#platform/core/money.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { runbookStep, type StepEvidence, writeStepEvidence } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { effectiveAutoApproveLimit } from '#platform/trust/core/gate.ts';
import { pactFor } from '#platform/trust/core/standing.ts';
import { RECONCILIATION_POLICY } from '#runbooks/bank-reconciliation/adapters/reconciliation-policy.ts';
import {
  applyPaymentMatch,
  applyReceivableSettlement,
  applyWriteOff,
  type ReconciledEntry,
  reconciledEntries,
  statementEntryKey,
  writtenOffOn,
} from '#runbooks/bank-reconciliation/adapters/statement-entries-dynamodb.ts';
import {
  MAX_PAYMENTS,
  type OpenReceivable,
  type PostedPayment,
  type ReconciliationItem,
  reconcileStatement,
} from '#runbooks/bank-reconciliation/core/match-statement.ts';
import { fundingAccountOf, matchPolicyOf } from '#runbooks/bank-reconciliation/core/reconciliation-policy.ts';
import {
  type BankStatement,
  parseCamt053,
  parseCamt054,
} from '#runbooks/bank-reconciliation/core/statement.ts';
import {
  type ReconcilablePayment,
  sentPayments,
} from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import {
  RECONCILIATION_RULES_ACTOR,
  RECONCILIATION_TASK,
  reconciliationAgentActor,
} from './reconcile-step.ts';

/** The action a reconciliation agent's pact names for writing off a short payment. */
export const WRITE_OFF_ACTION = 'receivable.write_off';

const sor = new DynamoDbSystemOfRecord();
const trust = new DynamoDbTrustStore();

/** Per currency, what the case shows: counts and sums of matched, written-off and excepted entries. */
export interface CurrencySummary {
  currency: string;
  matched: { count: number; debits: string; credits: string };
  writtenOff: { count: number; amount: string };
  exceptions: { count: number; amount: string };
  skipped: number;
}

export interface ReconciliationOutcome {
  outcome: 'RECONCILED' | 'REFUSED';
  statementKey: string;
  statementId: string | null;
  accountId: string | null;
  entries: number;
  totals: CurrencySummary[];
  /** Exceptions this run opened; one found again on a re-run is counted in `totals` but not here. */
  exceptionsOpened: number;
  refusal: { code: string; rule: string | null; message: string } | null;
}

/** Exception kinds as the work of a person: the matcher's codes in the exceptions' vocabulary. */
const EXCEPTION_KIND: Readonly<Record<string, string>> = {
  UNKNOWN_DEBIT: 'UNMATCHED_DEBIT',
  AMOUNT_MISMATCH: 'DEBIT_AMOUNT_MISMATCH',
  DUPLICATE_DEBIT: 'DUPLICATE_DEBIT',
  SHORT_PAYMENT_OVER_THRESHOLD: 'SHORT_PAYMENT_ABOVE_THRESHOLD',
  UNKNOWN_CREDIT: 'UNMATCHED_CREDIT',
};

function refused(
  statementKey: string,
  error: TollgateError,
): { result: ReconciliationOutcome; evidence: StepEvidence[]; case: Record<string, unknown> } {
  const refusal = {
    code: error.code,
    rule: typeof error.details?.rule === 'string' ? error.details.rule : null,
    message: error.message.slice(0, 500),
  };
  const result: ReconciliationOutcome = {
    outcome: 'REFUSED',
    statementKey,
    statementId: null,
    accountId: null,
    entries: 0,
    totals: [],
    exceptionsOpened: 0,
    refusal,
  };
  return {
    result,
    case: { reconciliation: result },
    evidence: [
      {
        recordType: 'decision',
        eventKey: 'ReconcileStatement/summary',
        actor: RECONCILIATION_RULES_ACTOR,
        details: { result },
        business: { decision: 'REFUSED', reasonCodes: [refusal.code] },
      },
    ],
  };
}

/** Reads and parses the statement: any problem with the file is BANK_FILE_INVALID, and nothing is reconciled. */
async function readStatement(statementKey: string): Promise<{ statement: BankStatement; accountId: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await S3BankFiles.fromEnvironment().getInbound(
      statementKey,
      RECONCILIATION_POLICY.maxStatementBytes,
    );
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'NOT_FOUND')
      throw new TollgateError('BANK_FILE_INVALID', error.message, { rule: 'FILE_NOT_FOUND' });
    throw error;
  }
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TollgateError(
      'BANK_FILE_INVALID',
      `${statementKey} is not UTF-8 text; ask the bank to resend it.`,
      {
        rule: 'ENCODING',
      },
    );
  }
  const statement = /camt\.054\./.test(xml.slice(0, 2000)) ? parseCamt054(xml) : parseCamt053(xml);
  const accountId = fundingAccountOf(RECONCILIATION_POLICY, statement);
  if (!accountId) {
    throw new TollgateError(
      'BANK_FILE_INVALID',
      `The statement is for ${statement.account.iban ?? statement.account.other ?? 'an unnamed account'} in ${statement.account.currency}, which is no account in the reconciliation policy; check the file is ours.`,
      { rule: 'UNKNOWN_ACCOUNT' },
    );
  }
  return { statement, accountId };
}

/** The vendor fields of a payment an exception names, when it is one Tollgate sent. */
function paymentBusiness(payment: ReconcilablePayment | undefined, invoiceRef: string) {
  return payment
    ? { vendorId: payment.vendorId, vendorName: payment.vendorName, invoiceNumber: payment.document }
    : { invoiceNumber: invoiceRef };
}

function shiftDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

function postedPayment(payment: ReconcilablePayment): PostedPayment {
  return {
    paymentId: payment.paymentId,
    endToEndId: payment.paymentId,
    amount: money(payment.amount, payment.currency),
    payeeName: payment.vendorName,
    payeeIban: payment.creditor.kind === 'iban' ? payment.creditor.iban : null,
    executionDate: payment.executionDate ?? '',
    holdId: payment.holdId,
    invoiceRef: payment.document,
  };
}

interface Tally {
  matchedDebits: Money;
  matchedCredits: Money;
  matched: number;
  writtenOff: Money;
  writeOffs: number;
  exceptions: Money;
  exceptionCount: number;
  skipped: number;
}

function summaries(tallies: Map<string, Tally>): CurrencySummary[] {
  return [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, t]) => ({
      currency,
      matched: {
        count: t.matched,
        debits: formatMoney(t.matchedDebits),
        credits: formatMoney(t.matchedCredits),
      },
      writtenOff: { count: t.writeOffs, amount: formatMoney(t.writtenOff) },
      exceptions: { count: t.exceptionCount, amount: formatMoney(t.exceptions) },
      skipped: t.skipped,
    }));
}

/**
 * Task ReconcileStatement: reads the statement from `inbound/`, matches its debits to the payments
 * Tollgate sent and its credits to open receivables, and applies each result: a payment marked
 * reconciled, a receivable settled, a small short payment written off by the agent within its
 * pact, everything else an exception for a controller. Each item's evidence is written before
 * its effect, and each effect is one conditional transaction with the entry's record, so a retry
 * or the same statement again clears nothing twice.
 */
export const handler = runbookStep({
  input: RECONCILIATION_TASK,
  replay: {
    eventKey: () => 'ReconcileStatement/summary',
    outcome: (record) => {
      const result = (record.details as { result: ReconciliationOutcome }).result;
      return { result, case: { reconciliation: result } };
    },
  },
  run: async (task) => {
    const { statementKey, agentId } = task.request;
    let read: { statement: BankStatement; accountId: string };
    try {
      read = await readStatement(statementKey);
    } catch (error) {
      if (error instanceof TollgateError && error.code === 'BANK_FILE_INVALID')
        return refused(statementKey, error);
      throw error;
    }
    const { statement, accountId } = read;
    const at = task.submittedAt;
    const policy = matchPolicyOf(RECONCILIATION_POLICY);
    const keyOf = (entryRef: string) => statementEntryKey(accountId, entryRef);

    // What earlier runs (or an earlier attempt of this one) cleared is skipped; this run's own count in its totals.
    const recorded = await reconciledEntries(statement.entries.map((entry) => keyOf(entry.entryRef)));
    const alreadyMatched = new Set(
      statement.entries.filter((entry) => recorded.has(keyOf(entry.entryRef))).map((entry) => entry.entryRef),
    );

    const dates = statement.entries.map((entry) => entry.bookingDate).sort();
    const from = shiftDays(dates[0] ?? ledgerDay(new Date(at)), -policy.dateWindowDays);
    const to = shiftDays(dates[dates.length - 1] ?? ledgerDay(new Date(at)), policy.dateWindowDays);
    const sent = (await sentPayments(accountId, from, to, MAX_PAYMENTS)) as ReconcilablePayment[];
    const unreconciled = sent.filter((payment) => payment.reconciledEntry === undefined);
    const byPaymentId = new Map(unreconciled.map((payment) => [payment.paymentId, payment] as const));

    const open = await sor.listOpenReceivables(statement.account.currency);
    const names = new Map<string, string>();
    for (const customerId of new Set(open.map((r) => r.customerId))) {
      names.set(customerId, (await sor.getCustomer(customerId))?.name ?? customerId);
    }
    const receivables: OpenReceivable[] = open.map((r) => ({
      receivableId: r.receivableId,
      customerId: r.customerId,
      customerName: names.get(r.customerId) ?? r.customerId,
      invoiceNumber: r.invoiceNumber,
      creditorReference: r.creditorReference ?? null,
      open: money(r.amount, r.currency),
      dueDate: r.dueDate,
    }));

    const reconciliation = reconcileStatement(
      statement,
      unreconciled.map(postedPayment),
      receivables,
      alreadyMatched,
      policy,
    );

    // The agent's authority to write off, read once; the day's use grows as this run writes off.
    const standing = await trust.loadAgentStanding(agentId);
    const pact = standing ? pactFor(standing, WRITE_OFF_ACTION) : undefined;
    const day = ledgerDay(new Date(at));
    const usedToday = new Map<string, Money>();

    const tallies = new Map<string, Tally>();
    const tally = (currency: string): Tally => {
      let t = tallies.get(currency);
      if (!t) {
        t = {
          matchedDebits: zero(currency),
          matchedCredits: zero(currency),
          matched: 0,
          writtenOff: zero(currency),
          writeOffs: 0,
          exceptions: zero(currency),
          exceptionCount: 0,
          skipped: 0,
        };
        tallies.set(currency, t);
      }
      return t;
    };
    let exceptionsOpened = 0;

    const entryRecord = (
      item: ReconciliationItem,
      outcome: ReconciledEntry['outcome'],
      target: string,
      writtenOff: Money,
    ): ReconciledEntry => ({
      entryKey: keyOf(item.entry.entryRef),
      outcome,
      direction: item.entry.direction,
      amount: formatMoney(item.entry.amount),
      currency: item.entry.amount.currency,
      writtenOff: formatMoney(writtenOff),
      target,
      statementId: statement.statementId,
      executionId: task.executionId,
      at,
    });

    const raiseException = async (
      item: ReconciliationItem,
      code: string,
      sentence: string,
      business: StepEvidence['business'],
      refs: Record<string, string>,
    ) => {
      const kind = EXCEPTION_KIND[code] ?? code;
      const entry = item.entry;
      await writeStepEvidence(task, [
        {
          recordType: 'decision',
          eventKey: `ReconcileStatement/entry/${entry.entryRef}/EXCEPTION`,
          actor: RECONCILIATION_RULES_ACTOR,
          details: {
            entryRef: entry.entryRef,
            statementId: statement.statementId,
            accountId,
            kind,
            sentence,
            refs,
          },
          business: {
            ...business,
            amount: formatMoney(entry.amount),
            currency: entry.amount.currency,
            decision: 'EXCEPTION',
            reasonCodes: [kind],
          },
        },
      ]);
      const { created } = await openException({
        exceptionId: `bank-statement:${keyOf(entry.entryRef)}`,
        kind,
        runbook: task.runbook,
        executionId: task.executionId,
        summary: sentence.slice(0, 500),
        requiredRole: 'controller',
        amount: formatMoney(entry.amount),
        currency: entry.amount.currency,
        refs: { accountId, statementId: statement.statementId, entryRef: entry.entryRef, ...refs },
        openedAt: at,
      });
      if (created) exceptionsOpened += 1;
      const t = tally(entry.amount.currency);
      t.exceptions = add(t.exceptions, entry.amount);
      t.exceptionCount += 1;
    };

    for (const item of reconciliation.items) {
      const entry = item.entry;
      const t = tally(entry.amount.currency);
      /** The matched entry's record, before its effect: what it matched and by which rule. */
      const writeMatched = (
        rule: string,
        matched: Record<string, string>,
        business: StepEvidence['business'],
      ) =>
        writeStepEvidence(task, [
          {
            recordType: 'decision',
            eventKey: `ReconcileStatement/entry/${entry.entryRef}/MATCHED`,
            actor: RECONCILIATION_RULES_ACTOR,
            details: {
              entryRef: entry.entryRef,
              statementId: statement.statementId,
              accountId,
              rule,
              sentence: item.sentence,
              ...matched,
            },
            business: {
              ...business,
              amount: formatMoney(entry.amount),
              currency: entry.amount.currency,
              decision: 'MATCHED',
              reasonCodes: [rule],
            },
          },
        ]);
      if (item.outcome === 'SKIPPED') {
        // This run's own entries (a retried step) still count as this run's work.
        const own = recorded.get(keyOf(entry.entryRef));
        if (own && own.executionId === task.executionId) {
          if (own.outcome === 'WRITE_OFF') {
            t.writeOffs += 1;
            t.writtenOff = add(t.writtenOff, money(own.writtenOff, own.currency));
            t.matchedCredits = add(t.matchedCredits, entry.amount);
          } else {
            t.matched += 1;
            if (entry.direction === 'DEBIT') t.matchedDebits = add(t.matchedDebits, entry.amount);
            else t.matchedCredits = add(t.matchedCredits, entry.amount);
          }
        } else t.skipped += 1;
        continue;
      }
      if (item.outcome === 'EXCEPTION') {
        const match = item.match;
        await raiseException(
          item,
          item.code,
          item.sentence,
          match?.kind === 'PAYMENT'
            ? paymentBusiness(byPaymentId.get(match.payment.paymentId), match.payment.invoiceRef)
            : match?.kind === 'RECEIVABLE'
              ? { invoiceNumber: match.receivable.invoiceNumber }
              : {},
          match?.kind === 'PAYMENT'
            ? { paymentId: match.payment.paymentId }
            : match?.kind === 'RECEIVABLE'
              ? { receivableId: match.receivable.receivableId }
              : {},
        );
        continue;
      }
      if (item.outcome === 'MATCHED' && item.match.kind === 'PAYMENT') {
        const payment = byPaymentId.get(item.match.payment.paymentId);
        if (!payment)
          throw new TollgateError(
            'INTERNAL',
            `Payment ${item.match.payment.paymentId} was matched but not listed.`,
          );
        await writeMatched(
          item.rule,
          { paymentId: payment.paymentId, runId: payment.runId, holdId: payment.holdId },
          { vendorId: payment.vendorId, vendorName: payment.vendorName, invoiceNumber: payment.document },
        );
        const applied = await applyPaymentMatch(
          entryRecord(item, 'MATCHED', payment.paymentId, zero(entry.amount.currency)),
          payment,
        );
        if (applied === 'applied') {
          t.matched += 1;
          t.matchedDebits = add(t.matchedDebits, entry.amount);
        } else t.skipped += 1;
        continue;
      }
      if (item.match.kind !== 'RECEIVABLE') continue;
      const receivable = item.match.receivable;
      const target = { receivableId: receivable.receivableId, currency: receivable.open.currency };
      if (item.outcome === 'MATCHED') {
        await writeMatched(
          item.rule,
          { receivableId: receivable.receivableId, customerId: receivable.customerId },
          { invoiceNumber: receivable.invoiceNumber },
        );
        const applied = await applyReceivableSettlement(
          entryRecord(item, 'MATCHED', receivable.receivableId, zero(entry.amount.currency)),
          target,
          {
            settlementId: keyOf(entry.entryRef),
            status: 'SETTLED',
            paid: formatMoney(entry.amount),
            writtenOff: formatMoney(zero(entry.amount.currency)),
            by: RECONCILIATION_RULES_ACTOR.id,
            executionId: task.executionId,
            at,
          },
        );
        if (applied === 'applied') {
          t.matched += 1;
          t.matchedCredits = add(t.matchedCredits, entry.amount);
        } else t.skipped += 1;
        continue;
      }
      // WRITE_OFF: within the policy's threshold; the agent acts alone only within its pact.
      const writeOff = item.writeOff;
      const used = usedToday.get(writeOff.currency) ?? (await writtenOffOn(agentId, day, writeOff.currency));
      const limit =
        standing && pact && pact.currency === writeOff.currency
          ? effectiveAutoApproveLimit(standing, pact)
          : undefined;
      const reasons: string[] = [];
      if (!standing || !pact) reasons.push('NO_PACT_FOR_ACTION');
      else if (pact.currency !== writeOff.currency) reasons.push('CURRENCY_OUTSIDE_PACT');
      else {
        if (standing.suspended) reasons.push('AGENT_SUSPENDED');
        if (!limit || compare(writeOff, limit) > 0) reasons.push('OVER_AUTHORITY');
        if (compare(add(used, writeOff), pact.dailyLimit) > 0) reasons.push('DAILY_LIMIT_EXCEEDED');
      }
      if (reasons.length > 0 || !pact) {
        await raiseException(
          item,
          'WRITE_OFF_OVER_AUTHORITY',
          `Credit ${entry.entryRef} pays invoice ${receivable.invoiceNumber} short by ${formatMoney(writeOff)} ${writeOff.currency}, within the write-off threshold but outside agent ${agentId}'s authority (${reasons.join(', ')}); a controller must approve the write-off or chase the customer.`,
          { invoiceNumber: receivable.invoiceNumber },
          { receivableId: receivable.receivableId },
        );
        continue;
      }
      await writeStepEvidence(task, [
        {
          recordType: 'action',
          eventKey: `ReconcileStatement/entry/${entry.entryRef}/WRITE_OFF`,
          actor: reconciliationAgentActor(agentId),
          details: {
            entryRef: entry.entryRef,
            statementId: statement.statementId,
            accountId,
            rule: item.rule,
            sentence: item.sentence,
            receivableId: receivable.receivableId,
            customerId: receivable.customerId,
            paid: formatMoney(entry.amount),
            writtenOff: formatMoney(writeOff),
            action: WRITE_OFF_ACTION,
            pact: {
              perActionLimit: formatMoney(pact.perActionLimit),
              dailyLimit: formatMoney(pact.dailyLimit),
              currency: pact.currency,
            },
          },
          business: {
            invoiceNumber: receivable.invoiceNumber,
            amount: formatMoney(writeOff),
            currency: writeOff.currency,
            decision: 'WRITTEN_OFF',
            reasonCodes: ['SHORT_PAYMENT_WITHIN_THRESHOLD'],
          },
        },
      ]);
      const applied = await applyWriteOff(
        entryRecord(item, 'WRITE_OFF', receivable.receivableId, writeOff),
        target,
        {
          settlementId: keyOf(entry.entryRef),
          status: 'WRITTEN_OFF',
          paid: formatMoney(entry.amount),
          writtenOff: formatMoney(writeOff),
          by: agentId,
          executionId: task.executionId,
          at,
        },
        { agentId, day, writeOff, dailyLimit: pact.dailyLimit },
      );
      if (applied === 'applied') {
        usedToday.set(writeOff.currency, add(used, writeOff));
        t.writeOffs += 1;
        t.writtenOff = add(t.writtenOff, writeOff);
        t.matchedCredits = add(t.matchedCredits, entry.amount);
      } else t.skipped += 1;
    }

    const result: ReconciliationOutcome = {
      outcome: 'RECONCILED',
      statementKey,
      statementId: statement.statementId,
      accountId,
      entries: statement.entries.length,
      totals: summaries(tallies),
      exceptionsOpened,
      refusal: null,
    };
    return {
      result,
      case: { reconciliation: result },
      evidence: [
        {
          recordType: 'decision',
          eventKey: 'ReconcileStatement/summary',
          actor: RECONCILIATION_RULES_ACTOR,
          details: { result, unsettledPaymentIds: reconciliation.unsettledPaymentIds.slice(0, 1000) },
          business: { decision: 'RECONCILED', currency: statement.account.currency },
        },
      ],
    };
  },
});
