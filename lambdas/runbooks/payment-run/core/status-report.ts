import { TollgateError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney, type Money, money, sum } from '#platform/core/money.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';
import {
  element,
  elements,
  optionalElement,
  optionalText,
  readIso20022,
  type XmlObject,
} from './bank-files/iso20022-xml.ts';
import {
  PAIN002_NAMESPACE,
  type PaymentStatusReport,
  type PaymentStatusTransaction,
  parsePain002,
} from './bank-files/pain002.ts';
import { MAX_PAYMENTS_PER_FILE } from './bank-files/payment-file.ts';

/**
 * The bank's answer to a payment run, decided before anything moves. A pain.002 status report
 * is checked whole against the payments Tollgate sent: every transaction must name a payment we
 * sent in the message it answers, for the amount and currency we sent, and must not contradict
 * a status already applied. One bad transaction refuses the whole file, so a report is applied
 * entirely or not at all.
 *
 * Invariants the plan keeps (and the handler re-checks where the money moves, through the
 * ledger's state checks and the payments' conditional writes):
 * - a hold is posted only for a final acceptance (ACSC, ACCC) of a payment still SENT;
 * - a hold is voided only for a rejection (RJCT) of a payment still SENT;
 * - a payment already POSTED or REJECTED is never moved again: the same status is a replay
 *   (nothing to do), the opposite one refuses the file.
 */

/** What a payment looks like to the plan; the stored payment satisfies it. */
export interface PaymentOnRecord {
  readonly runId: string;
  readonly paymentId: string;
  readonly holdId: string;
  readonly vendorId: string;
  readonly amount: string;
  readonly currency: string;
  readonly status: 'PROPOSED' | 'SENT' | 'POSTED' | 'REJECTED' | 'WITHDRAWN';
}

/** Why a whole file is refused; each code says which rule it broke. */
export const REFUSAL_CODES = [
  'FILE_UNREADABLE',
  'UNKNOWN_FILE_TYPE',
  'MALFORMED_REPORT',
  'NO_TRANSACTION_DETAIL',
  'UNKNOWN_END_TO_END_ID',
  'ORIGINAL_MESSAGE_MISMATCH',
  'CURRENCY_MISMATCH',
  'AMOUNT_MISMATCH',
  'PAYMENT_NOT_SENT',
  'HOLD_STATE_CONFLICT',
  'STATUS_CONFLICT',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface StatusReportRefusal {
  readonly outcome: 'refuse';
  readonly code: RefusalCode;
  /** One sentence a person reads: what is wrong and what to do. */
  readonly message: string;
  /** The run the report answers, when its payments say so; null when nothing in it is ours. */
  readonly runId: string | null;
  readonly endToEndId?: string;
  /** The parser's rule for a malformed report. */
  readonly rule?: string;
}

export type StatusAction =
  /** Final acceptance: post the hold, the payment becomes POSTED. */
  | {
      readonly kind: 'post';
      readonly payment: PaymentOnRecord;
      readonly transaction: PaymentStatusTransaction;
    }
  /** Rejection: void the hold back to available, the payment becomes REJECTED, a person looks at it. */
  | {
      readonly kind: 'void';
      readonly payment: PaymentOnRecord;
      readonly transaction: PaymentStatusTransaction;
      readonly reason: string;
    }
  /** Pending, accepted but not final, or a status already applied: nothing moves. */
  | {
      readonly kind: 'none';
      readonly payment: PaymentOnRecord;
      readonly transaction: PaymentStatusTransaction;
      readonly why: 'pending' | 'not_final' | 'already_applied';
    };

export interface StatusReportPlan {
  readonly outcome: 'apply';
  /** The run the report answers; null for a report with no transactions (a bare acknowledgement). */
  readonly runId: string | null;
  readonly messageId: string;
  readonly originalMessageId: string;
  readonly actions: readonly StatusAction[];
  readonly counts: StatusCounts;
  /** Σ of what is posted, per the run's currency; null when nothing is. */
  readonly posted: Money | null;
}

export interface StatusCounts {
  readonly transactions: number;
  readonly post: number;
  readonly void: number;
  readonly pending: number;
  readonly alreadyApplied: number;
}

/** The amount and currency the bank quotes back for a transaction (OrgnlTxRef/Amt/InstdAmt), when it does. */
export interface ReportedAmount {
  readonly amount: string;
  readonly currency: string;
}

/** Names one content (SHA-256, hex) at one key, short enough for evidence event keys and exception ids. */
export function bankFileId(fileKey: string, sha256: string): string {
  return `${sha256.slice(0, 32)}-${sha256Hex(fileKey).slice(0, 12)}`;
}

export type BankFileKind = 'pain.002' | 'statement' | 'unknown';

/** How much of a file is looked at to tell its kind: the namespace sits in the first lines. */
const SNIFF_CHARACTERS = 4096;

/**
 * Tells a status report from a statement by its ISO 20022 namespace. Statements (camt.053,
 * camt.054) belong to the bank-reconciliation runbook; anything else is not a file we act on.
 */
export function classifyBankFile(text: string): BankFileKind {
  const head = text.slice(0, SNIFF_CHARACTERS);
  if (/urn:iso:std:iso:20022:tech:xsd:camt\.05[34]\./.test(head)) return 'statement';
  if (head.includes('urn:iso:std:iso:20022:tech:xsd:pain.002.')) return 'pain.002';
  return 'unknown';
}

const AMOUNT_ARRAY_TAGS: ReadonlySet<string> = new Set(['OrgnlPmtInfAndSts', 'TxInfAndSts']);

/**
 * The original amounts a report quotes back, by end-to-end id. Read apart from parsePain002,
 * which keeps to statuses; a report that quotes no amount is checked by its ids alone.
 */
export function reportedAmounts(xml: string): Map<string, ReportedAmount> {
  const message = readIso20022(xml, {
    namespace: PAIN002_NAMESPACE,
    messageElement: 'CstmrPmtStsRpt',
    arrayTags: AMOUNT_ARRAY_TAGS,
  });
  const found = new Map<string, ReportedAmount>();
  for (const block of elements(message, 'OrgnlPmtInfAndSts', 'OrgnlPmtInfAndSts', MAX_PAYMENTS_PER_FILE)) {
    for (const detail of elements(block, 'TxInfAndSts', 'TxInfAndSts', MAX_PAYMENTS_PER_FILE)) {
      const endToEndId = optionalText(detail, 'OrgnlEndToEndId', 'TxInfAndSts/OrgnlEndToEndId');
      const reference = optionalElement(detail, 'OrgnlTxRef', 'TxInfAndSts/OrgnlTxRef');
      const amounts = reference && optionalElement(reference, 'Amt', 'OrgnlTxRef/Amt');
      if (endToEndId === undefined || amounts === undefined) continue;
      // An amount written without its Ccy attribute parses to no object: it reads as no amount and is refused.
      const instructed: XmlObject = element(amounts, 'InstdAmt', 'OrgnlTxRef/Amt/InstdAmt');
      const amount = instructed['#text'];
      const currency = instructed['@_Ccy'];
      found.set(endToEndId, {
        amount: typeof amount === 'string' ? amount : '',
        currency: typeof currency === 'string' ? currency : '',
      });
    }
  }
  return found;
}

/** What the plan reads besides the report: the payments and holds its end-to-end ids name. */
export interface PlanInputs {
  readonly payments: ReadonlyMap<string, PaymentOnRecord | undefined>;
  readonly holds: ReadonlyMap<string, HoldView | undefined>;
  /** The message id of the bank file a run sent (runMessageId). */
  readonly messageIdOfRun: (runId: string) => string;
}

/**
 * Reads a pain.002 and decides what it does, without changing anything: the plan to apply or
 * the refusal of the whole file. `payments`/`holds` must hold every id the report names
 * (the handler reads them from the end-to-end ids of `endToEndIds(xml)`).
 */
export function planStatusReport(xml: string, inputs: PlanInputs): StatusReportPlan | StatusReportRefusal {
  let report: PaymentStatusReport;
  let amounts: Map<string, ReportedAmount>;
  try {
    report = parsePain002(xml);
    amounts = reportedAmounts(xml);
  } catch (error) {
    if (!(error instanceof TollgateError) || error.code !== 'BANK_FILE_INVALID') throw error;
    const rule = typeof error.details?.rule === 'string' ? error.details.rule : 'BANK_FILE_INVALID';
    return {
      outcome: 'refuse',
      code: 'MALFORMED_REPORT',
      message: `The status report cannot be read (${rule}): ${error.message}`,
      runId: null,
      rule,
    };
  }
  return planParsedReport(report, amounts, inputs);
}

/** The end-to-end ids a well-formed report names; empty for one that does not parse (it is refused anyway). */
export function endToEndIds(xml: string): string[] {
  try {
    return parsePain002(xml).transactions.map((t) => t.endToEndId);
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'BANK_FILE_INVALID') return [];
    throw error;
  }
}

export function planParsedReport(
  report: PaymentStatusReport,
  amounts: ReadonlyMap<string, ReportedAmount>,
  inputs: PlanInputs,
): StatusReportPlan | StatusReportRefusal {
  const refuse = (
    code: RefusalCode,
    message: string,
    runId: string | null,
    endToEndId?: string,
  ): StatusReportRefusal => ({
    outcome: 'refuse',
    code,
    message,
    runId,
    ...(endToEndId === undefined ? {} : { endToEndId }),
  });

  // A rejection without transaction detail names no payment; which ones it meant is a person's call.
  if (report.groupRejected || report.rejectedPaymentInfoIds.length > 0) {
    return refuse(
      'NO_TRANSACTION_DETAIL',
      `Report ${report.messageId} rejects message ${report.originalMessageId} (or a block of it) without naming its payments; ask the bank for the transaction statuses before anything is voided.`,
      null,
    );
  }

  // Every transaction must be a payment we sent, in one run, in the message the report answers.
  let runId: string | null = null;
  for (const transaction of report.transactions) {
    const payment = inputs.payments.get(transaction.endToEndId);
    if (!payment) {
      return refuse(
        'UNKNOWN_END_TO_END_ID',
        `End-to-end id ${transaction.endToEndId} is not a payment Tollgate sent; nothing in the report was applied. Ask the bank which file it answers.`,
        runId,
        transaction.endToEndId,
      );
    }
    runId ??= payment.runId;
    if (payment.runId !== runId || inputs.messageIdOfRun(payment.runId) !== report.originalMessageId) {
      return refuse(
        'ORIGINAL_MESSAGE_MISMATCH',
        `Payment ${payment.paymentId} was not sent in message ${report.originalMessageId}, the one the report answers; nothing was applied. Ask the bank to correct the report.`,
        runId,
        transaction.endToEndId,
      );
    }
  }

  const actions: StatusAction[] = [];
  for (const transaction of report.transactions) {
    const payment = inputs.payments.get(transaction.endToEndId) as PaymentOnRecord;
    const problem = checkAgainstRecord(transaction, payment, amounts.get(transaction.endToEndId), inputs);
    if (problem) return refuse(problem.code, problem.message, runId, transaction.endToEndId);
    actions.push(actionFor(transaction, payment));
  }

  const posted = actions.flatMap((a) =>
    a.kind === 'post' ? [money(a.payment.amount, a.payment.currency)] : [],
  );
  const first = posted[0];
  return {
    outcome: 'apply',
    runId,
    messageId: report.messageId,
    originalMessageId: report.originalMessageId,
    actions,
    counts: {
      transactions: actions.length,
      post: actions.filter((a) => a.kind === 'post').length,
      void: actions.filter((a) => a.kind === 'void').length,
      pending: actions.filter((a) => a.kind === 'none' && a.why !== 'already_applied').length,
      alreadyApplied: actions.filter((a) => a.kind === 'none' && a.why === 'already_applied').length,
    },
    posted: first ? sum(posted, first.currency) : null,
  };
}

function checkAgainstRecord(
  transaction: PaymentStatusTransaction,
  payment: PaymentOnRecord,
  reported: ReportedAmount | undefined,
  inputs: PlanInputs,
): { code: RefusalCode; message: string } | undefined {
  const id = payment.paymentId;
  if (reported) {
    if (reported.currency !== payment.currency) {
      return {
        code: 'CURRENCY_MISMATCH',
        message: `The report quotes payment ${id} in ${reported.currency || 'no currency'}; it was sent in ${payment.currency}. Nothing was applied; ask the bank to correct the report.`,
      };
    }
    if (!sameAmount(reported.amount, payment.amount, payment.currency)) {
      return {
        code: 'AMOUNT_MISMATCH',
        message: `The report quotes payment ${id} as ${reported.amount || 'no amount'} ${payment.currency}; it was sent for ${payment.amount}. Nothing was applied; ask the bank to correct the report.`,
      };
    }
  }
  const { status } = transaction;
  if (payment.status === 'POSTED' || payment.status === 'REJECTED') {
    const contradicts =
      (payment.status === 'POSTED' && status === 'REJECTED') ||
      (payment.status === 'REJECTED' && status === 'ACCEPTED');
    if (contradicts) {
      return {
        code: 'STATUS_CONFLICT',
        message: `The report says payment ${id} is ${transaction.isoStatus}, but the bank already reported it ${payment.status === 'POSTED' ? 'settled' : 'rejected'} and that was applied. Nothing was changed; ask the bank which status holds.`,
      };
    }
    return undefined;
  }
  if (payment.status !== 'SENT') {
    return {
      code: 'PAYMENT_NOT_SENT',
      message: `Payment ${id} is ${payment.status}, not in a bank file Tollgate sent; the report cannot be about it. Nothing was applied.`,
    };
  }
  // The hold must still be in this payment, or left it the way this status takes it (a retry after a crash).
  const hold = inputs.holds.get(payment.holdId);
  const expected = status === 'ACCEPTED' ? 'POSTED' : 'VOIDED';
  const acting = (status === 'ACCEPTED' && transaction.final) || status === 'REJECTED';
  const fits =
    hold !== undefined &&
    hold.paymentId === id &&
    sameAmount(formatMoney(hold.amount), payment.amount, payment.currency) &&
    hold.amount.currency === payment.currency &&
    (hold.status === 'IN_PAYMENT' || (acting && hold.status === expected));
  if (!fits) {
    return {
      code: 'HOLD_STATE_CONFLICT',
      message: `Hold ${payment.holdId} of payment ${id} is ${hold ? `${hold.status} for ${formatMoney(hold.amount)} ${hold.amount.currency}` : 'missing'}, not in this payment; nothing was applied. Have the ledger checked before the report is applied.`,
    };
  }
  return undefined;
}

function actionFor(transaction: PaymentStatusTransaction, payment: PaymentOnRecord): StatusAction {
  const applied =
    (payment.status === 'POSTED' && transaction.status === 'ACCEPTED') ||
    (payment.status === 'REJECTED' && transaction.status === 'REJECTED') ||
    ((payment.status === 'POSTED' || payment.status === 'REJECTED') && transaction.status === 'PENDING');
  if (applied) return { kind: 'none', payment, transaction, why: 'already_applied' };
  if (transaction.status === 'PENDING') return { kind: 'none', payment, transaction, why: 'pending' };
  if (transaction.status === 'ACCEPTED') {
    return transaction.final
      ? { kind: 'post', payment, transaction }
      : { kind: 'none', payment, transaction, why: 'not_final' };
  }
  return { kind: 'void', payment, transaction, reason: rejectionReason(transaction) };
}

/** The bank's reason as one line: `AC04 Closed account number`, or a sentence when it gave none. */
export function rejectionReason(
  transaction: Pick<PaymentStatusTransaction, 'reasonCode' | 'reasonText'>,
): string {
  const parts = [transaction.reasonCode, transaction.reasonText].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' ') : 'Rejected by the bank without a reason';
}

function sameAmount(quoted: string, sent: string, currency: string): boolean {
  try {
    return money(quoted, currency).minor === money(sent, currency).minor;
  } catch {
    return false;
  }
}
