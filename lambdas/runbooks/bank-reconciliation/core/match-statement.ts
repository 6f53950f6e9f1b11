import { normaliseAccountIdentifier } from '#platform/core/bank-accounts.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { add, formatMoney, type Money, subtract, zero } from '#platform/core/money.ts';
import { type BankStatement, normaliseCreditorReference, type StatementEntry } from './statement.ts';

/**
 * Matches a bank statement against what Tollgate expects to see on it: debits for the payments
 * it released, credits for the receivables customers owe. Pure and deterministic: the same
 * statement, books and policy give the same result, item for item, in statement order.
 * Nothing is cleared on a guess: a match needs one candidate, the right payer and the right
 * amount; anything else is an exception with a sentence a person can act on.
 */

export interface PostedPayment {
  paymentId: string;
  endToEndId: string;
  amount: Money;
  payeeName: string;
  payeeIban: string | null;
  /** YYYY-MM-DD. */
  executionDate: string;
  holdId: string;
  invoiceRef: string;
}

export interface OpenReceivable {
  receivableId: string;
  customerId: string;
  customerName: string;
  invoiceNumber: string;
  /** ISO 11649 RF reference printed on the invoice, if any. */
  creditorReference: string | null;
  open: Money;
  /** YYYY-MM-DD. */
  dueDate: string;
}

export interface MatchPolicy {
  /** How many days a debit's booking date may be from the payment's execution date (0–31). */
  dateWindowDays: number;
  /** Per currency, the short payment the agent may write off within its pact; absent means none. */
  writeOffThreshold: Money[];
}

export type MatchRule =
  | 'END_TO_END_ID'
  | 'AMOUNT_DATE_COUNTERPARTY'
  | 'CREDITOR_REFERENCE'
  | 'INVOICE_NUMBER'
  | 'AMOUNT_PAYER';

export type ExceptionCode =
  | 'AMOUNT_MISMATCH'
  | 'AMBIGUOUS_MATCH'
  | 'UNKNOWN_DEBIT'
  | 'DUPLICATE_DEBIT'
  | 'SHORT_PAYMENT_OVER_THRESHOLD'
  | 'OVERPAYMENT'
  | 'UNKNOWN_CREDIT'
  | 'PAYER_MISMATCH'
  | 'CURRENCY_MISMATCH';

export type SkipReason = 'ALREADY_MATCHED' | 'REVERSAL' | 'NOT_BOOKED';

export type Match =
  | { kind: 'PAYMENT'; payment: PostedPayment }
  | { kind: 'RECEIVABLE'; receivable: OpenReceivable };

interface ItemBase {
  entry: StatementEntry;
  sentence: string;
}

export type ReconciliationItem =
  | (ItemBase & { outcome: 'MATCHED'; match: Match; rule: MatchRule })
  /** A short payment within the threshold: the credit clears the receivable and `writeOff` is proposed. */
  | (ItemBase & {
      outcome: 'WRITE_OFF';
      match: { kind: 'RECEIVABLE'; receivable: OpenReceivable };
      rule: MatchRule;
      writeOff: Money;
    })
  | (ItemBase & { outcome: 'EXCEPTION'; match: Match | null; rule: MatchRule | null; code: ExceptionCode })
  | (ItemBase & { outcome: 'SKIPPED'; match: null; rule: null; reason: SkipReason });

export interface CurrencyTotals {
  currency: string;
  /** Sum of matched debit entries. */
  matchedDebits: Money;
  /** Sum of credit entries applied to receivables, written-off ones included. */
  matchedCredits: Money;
  /** Sum of proposed write-offs (the shortfalls, not the credits). */
  writeOffs: Money;
  /** Sum of entries left for a person. */
  exceptions: Money;
  counts: { matched: number; writeOffs: number; exceptions: number; skipped: number };
}

export interface ReconciliationResult {
  statementId: string;
  /** One per statement entry, in statement order. */
  items: ReconciliationItem[];
  /** Sorted by currency code. */
  totals: CurrencyTotals[];
  /** Posted payments no debit on this statement was matched to, by payment id. */
  unsettledPaymentIds: string[];
}

/** Limits: a caller past one has a paging bug, so it is refused rather than half-done. */
export const MAX_STATEMENT_ENTRIES = 20_000;
export const MAX_PAYMENTS = 20_000;
export const MAX_RECEIVABLES = 50_000;
export const MAX_DATE_WINDOW_DAYS = 31;
/** Remittance text read for invoice numbers: four Ustrd lines of 140 characters hold far fewer. */
const MAX_REMITTANCE_TOKENS = 500;
/** Longest invoice number matched, as normalised; ISO 20022 references are at most 35 characters. */
const MAX_INVOICE_CHARS = 35;

// ---------------------------------------------------------------------------------------------
// Normalising what people type
// ---------------------------------------------------------------------------------------------

/** Names compared without case, accents, punctuation or spacing: "Alder & Sons" equals "ALDER SONS". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** An invoice number as letters and digits only: "inv 2026-0042" = "INV-2026-0042". */
export function normaliseInvoiceNumber(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Remittance text as letter-and-digit tokens; a match must start and end on a token boundary. */
function remittanceTokens(lines: readonly string[]): string[] {
  return lines
    .join(' ')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((token) => token !== '')
    .slice(0, MAX_REMITTANCE_TOKENS);
}

/**
 * Invoice numbers named in the text: runs of whole tokens whose concatenation equals a normalised
 * invoice number, so "INV 2026-0042" finds INV-2026-0042 but "INV-10" never finds INV-1.
 */
function invoiceNumbersIn(
  lines: readonly string[],
  known: ReadonlyMap<string, OpenReceivable[]>,
): Set<string> {
  const tokens = remittanceTokens(lines);
  const found = new Set<string>();
  // Bounded: MAX_REMITTANCE_TOKENS starts, each extended while under MAX_INVOICE_CHARS.
  for (let start = 0; start < tokens.length; start += 1) {
    let run = '';
    for (let end = start; end < tokens.length; end += 1) {
      run += tokens[end];
      if (run.length > MAX_INVOICE_CHARS) break;
      if (known.has(run)) found.add(run);
    }
  }
  return found;
}

function daysBetween(a: string, b: string): number {
  const day = (value: string) =>
    Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10)));
  return Math.abs(day(a) - day(b)) / 86_400_000;
}

function sameAmount(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.minor === b.minor;
}

function amountKey(value: Money): string {
  return `${value.currency}:${value.minor}`;
}

function show(value: Money): string {
  return `${formatMoney(value)} ${value.currency}`;
}

function groupBy<T>(values: readonly T[], key: (value: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    if (k === null || k === '') continue;
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------------

function refuse(sentence: string, details: Record<string, unknown> = {}): never {
  throw new TollgateError('VALIDATION_FAILED', sentence, details);
}

function checkInputs(
  statement: BankStatement,
  payments: readonly PostedPayment[],
  receivables: readonly OpenReceivable[],
  policy: MatchPolicy,
): Map<string, Money> {
  if (statement.entries.length > MAX_STATEMENT_ENTRIES) {
    refuse(
      `The statement has ${statement.entries.length} entries, over ${MAX_STATEMENT_ENTRIES}; reconcile it in parts.`,
    );
  }
  if (payments.length > MAX_PAYMENTS) {
    refuse(`${payments.length} posted payments is over ${MAX_PAYMENTS}; pass only payments not yet settled.`);
  }
  if (receivables.length > MAX_RECEIVABLES) {
    refuse(`${receivables.length} open receivables is over ${MAX_RECEIVABLES}; pass only open receivables.`);
  }
  if (
    !Number.isInteger(policy.dateWindowDays) ||
    policy.dateWindowDays < 0 ||
    policy.dateWindowDays > MAX_DATE_WINDOW_DAYS
  ) {
    refuse(`The date window must be a whole number of days from 0 to ${MAX_DATE_WINDOW_DAYS}.`);
  }
  const thresholds = new Map<string, Money>();
  for (const threshold of policy.writeOffThreshold) {
    if (threshold.minor < 0n)
      refuse(`The ${threshold.currency} write-off threshold is negative; use zero for none.`);
    if (thresholds.has(threshold.currency)) {
      refuse(`Two ${threshold.currency} write-off thresholds are given; give one per currency.`);
    }
    thresholds.set(threshold.currency, threshold);
  }
  const ids = new Set<string>();
  for (const entry of statement.entries) {
    if (ids.has(entry.entryRef))
      refuse(`Entry ${entry.entryRef} appears twice in the statement; each entry needs its own reference.`);
    ids.add(entry.entryRef);
  }
  ids.clear();
  for (const payment of payments) {
    if (ids.has(payment.paymentId)) refuse(`Payment ${payment.paymentId} is listed twice; list each once.`);
    ids.add(payment.paymentId);
  }
  ids.clear();
  for (const receivable of receivables) {
    if (ids.has(receivable.receivableId))
      refuse(`Receivable ${receivable.receivableId} is listed twice; list each once.`);
    ids.add(receivable.receivableId);
  }
  return thresholds;
}

// ---------------------------------------------------------------------------------------------
// Debits
// ---------------------------------------------------------------------------------------------

type Decided = Map<string, ReconciliationItem>;

function exception(
  entry: StatementEntry,
  code: ExceptionCode,
  sentence: string,
  match: Match | null = null,
  rule: MatchRule | null = null,
): ReconciliationItem {
  return { outcome: 'EXCEPTION', entry, match, rule, code, sentence };
}

function paymentMatch(payment: PostedPayment): Match {
  return { kind: 'PAYMENT', payment };
}

function counterpartyIs(entry: StatementEntry, payment: PostedPayment): boolean {
  const { name, iban } = entry.counterparty;
  if (iban !== null && payment.payeeIban !== null) {
    return normaliseAccountIdentifier(iban) === normaliseAccountIdentifier(payment.payeeIban);
  }
  return (
    name !== null && normaliseName(name) !== '' && normaliseName(name) === normaliseName(payment.payeeName)
  );
}

function matchDebits(
  debits: readonly StatementEntry[],
  payments: readonly PostedPayment[],
  policy: MatchPolicy,
  decided: Decided,
): Set<string> {
  const claimed = new Map<string, string>();
  const byEndToEnd = groupBy(payments, (payment) => payment.endToEndId);
  const byAmount = groupBy(payments, (payment) => amountKey(payment.amount));

  const claim = (entry: StatementEntry, payment: PostedPayment, rule: MatchRule, why: string): void => {
    const earlier = claimed.get(payment.paymentId);
    if (earlier !== undefined) {
      decided.set(
        entry.entryRef,
        exception(
          entry,
          'DUPLICATE_DEBIT',
          `Debit ${entry.entryRef} of ${show(entry.amount)} is payment ${payment.paymentId} again, already debited as ${earlier}: the bank may have paid twice. Ask the bank to recall one.`,
          paymentMatch(payment),
          rule,
        ),
      );
      return;
    }
    claimed.set(payment.paymentId, entry.entryRef);
    decided.set(entry.entryRef, {
      outcome: 'MATCHED',
      entry,
      match: paymentMatch(payment),
      rule,
      sentence: `Debit ${entry.entryRef} of ${show(entry.amount)} is payment ${payment.paymentId} to ${payment.payeeName} (${why}).`,
    });
  };

  // Pass 1, strongest first: the end-to-end id we sent comes back on the debit.
  for (const entry of debits) {
    const candidates = entry.endToEndId === null ? [] : (byEndToEnd.get(entry.endToEndId) ?? []);
    if (candidates.length === 0) continue;
    const [payment] = candidates;
    if (candidates.length > 1 || payment === undefined) {
      decided.set(
        entry.entryRef,
        exception(
          entry,
          'AMBIGUOUS_MATCH',
          `Debit ${entry.entryRef} carries end-to-end id ${entry.endToEndId}, which ${candidates.length} payments share; a person must say which one it settles.`,
          null,
          'END_TO_END_ID',
        ),
      );
    } else if (!sameAmount(payment.amount, entry.amount)) {
      decided.set(
        entry.entryRef,
        exception(
          entry,
          'AMOUNT_MISMATCH',
          `Debit ${entry.entryRef} is payment ${payment.paymentId} by end-to-end id but for ${show(entry.amount)}, not the approved ${show(payment.amount)}; ask the bank why.`,
          paymentMatch(payment),
          'END_TO_END_ID',
        ),
      );
    } else {
      claim(entry, payment, 'END_TO_END_ID', `end-to-end id ${entry.endToEndId}`);
    }
  }

  // Pass 2: same amount, date within the window, same payee by IBAN or name, one candidate only.
  for (const entry of debits) {
    if (decided.has(entry.entryRef)) continue;
    const candidates = (byAmount.get(amountKey(entry.amount)) ?? []).filter(
      (payment) =>
        daysBetween(payment.executionDate, entry.bookingDate) <= policy.dateWindowDays &&
        counterpartyIs(entry, payment),
    );
    const open = candidates.filter((payment) => !claimed.has(payment.paymentId));
    const [only] = open;
    if (open.length === 1 && only !== undefined) {
      claim(entry, only, 'AMOUNT_DATE_COUNTERPARTY', `amount, date and payee`);
    } else if (open.length > 1) {
      decided.set(
        entry.entryRef,
        exception(
          entry,
          'AMBIGUOUS_MATCH',
          `Debit ${entry.entryRef} of ${show(entry.amount)} fits ${open.length} payments (${open.map((p) => p.paymentId).join(', ')}) by amount, date and payee; a person must say which one it settles.`,
          null,
          'AMOUNT_DATE_COUNTERPARTY',
        ),
      );
    } else if (candidates[0] !== undefined) {
      claim(entry, candidates[0], 'AMOUNT_DATE_COUNTERPARTY', 'amount, date and payee');
    } else {
      decided.set(
        entry.entryRef,
        exception(
          entry,
          'UNKNOWN_DEBIT',
          `Debit ${entry.entryRef} of ${show(entry.amount)} to ${entry.counterparty.name ?? 'an unnamed payee'} matches no approved payment: a payment nobody approved. Ask the bank to recall it and check who has access to the account.`,
        ),
      );
    }
  }
  return new Set(claimed.keys());
}

// ---------------------------------------------------------------------------------------------
// Credits
// ---------------------------------------------------------------------------------------------

interface CreditBooks {
  remaining: Map<string, Money>;
  thresholds: ReadonlyMap<string, Money>;
}

function receivableMatch(receivable: OpenReceivable): { kind: 'RECEIVABLE'; receivable: OpenReceivable } {
  return { kind: 'RECEIVABLE', receivable };
}

/** Applies a credit found by reference to one receivable: payer, currency and amount must all agree. */
function settle(
  entry: StatementEntry,
  receivable: OpenReceivable,
  rule: MatchRule,
  books: CreditBooks,
): ReconciliationItem {
  const match = receivableMatch(receivable);
  const invoice = `invoice ${receivable.invoiceNumber}`;
  const payer = entry.counterparty.name;
  if (payer === null || normaliseName(payer) !== normaliseName(receivable.customerName)) {
    // A reference is public (it is printed on the invoice); only the payer ties the money to the debt.
    return exception(
      entry,
      'PAYER_MISMATCH',
      `Credit ${entry.entryRef} of ${show(entry.amount)} names ${invoice} of ${receivable.customerName} but was paid by ${payer ?? 'an unnamed payer'}; a person must confirm who paid before it clears anything.`,
      match,
      rule,
    );
  }
  const open = books.remaining.get(receivable.receivableId) ?? receivable.open;
  if (open.currency !== entry.amount.currency) {
    return exception(
      entry,
      'CURRENCY_MISMATCH',
      `Credit ${entry.entryRef} is in ${entry.amount.currency} but ${invoice} is owed in ${open.currency}; a person must apply it at an agreed rate.`,
      match,
      rule,
    );
  }
  if (entry.amount.minor > open.minor) {
    return exception(
      entry,
      'OVERPAYMENT',
      `Credit ${entry.entryRef} of ${show(entry.amount)} is more than the ${show(open)} still open on ${invoice}; a person must refund or hold the ${show(subtract(entry.amount, open))} over.`,
      match,
      rule,
    );
  }
  if (entry.amount.minor === open.minor) {
    books.remaining.set(receivable.receivableId, zero(open.currency));
    return {
      outcome: 'MATCHED',
      entry,
      match,
      rule,
      sentence: `Credit ${entry.entryRef} of ${show(entry.amount)} pays ${invoice} of ${receivable.customerName} in full.`,
    };
  }
  const shortfall = subtract(open, entry.amount);
  const threshold = books.thresholds.get(open.currency) ?? zero(open.currency);
  if (shortfall.minor <= threshold.minor) {
    books.remaining.set(receivable.receivableId, zero(open.currency));
    return {
      outcome: 'WRITE_OFF',
      entry,
      match,
      rule,
      writeOff: shortfall,
      sentence: `Credit ${entry.entryRef} of ${show(entry.amount)} pays ${invoice} short by ${show(shortfall)}, within the ${show(threshold)} write-off threshold: propose writing the rest off.`,
    };
  }
  return exception(
    entry,
    'SHORT_PAYMENT_OVER_THRESHOLD',
    `Credit ${entry.entryRef} of ${show(entry.amount)} pays ${invoice} short by ${show(shortfall)}, over the ${show(threshold)} write-off threshold; a person must chase the customer or approve the write-off.`,
    match,
    rule,
  );
}

function matchCredits(
  credits: readonly StatementEntry[],
  receivables: readonly OpenReceivable[],
  books: CreditBooks,
  decided: Decided,
): void {
  const byReference = groupBy(receivables, (r) =>
    r.creditorReference === null ? null : normaliseCreditorReference(r.creditorReference),
  );
  const byInvoice = groupBy(receivables, (r) => normaliseInvoiceNumber(r.invoiceNumber));
  const byPayer = groupBy(receivables, (r) => normaliseName(r.customerName));

  /** Several receivables for one reference: keep the payer's own if that leaves exactly one. */
  const narrow = (entry: StatementEntry, candidates: readonly OpenReceivable[]): OpenReceivable[] => {
    if (candidates.length <= 1 || entry.counterparty.name === null) return [...candidates];
    const payer = normaliseName(entry.counterparty.name);
    const own = candidates.filter((r) => normaliseName(r.customerName) === payer);
    return own.length === 1 ? own : [...candidates];
  };

  const ambiguous = (
    entry: StatementEntry,
    rule: MatchRule,
    candidates: readonly OpenReceivable[],
  ): ReconciliationItem =>
    exception(
      entry,
      'AMBIGUOUS_MATCH',
      `Credit ${entry.entryRef} of ${show(entry.amount)} fits ${candidates.length} receivables (${candidates.map((r) => r.invoiceNumber).join(', ')}); a person must split or apply it.`,
      null,
      rule,
    );

  // Pass 1: the RF creditor reference printed on our invoice.
  for (const entry of credits) {
    const reference = entry.remittance.creditorReference;
    const candidates = narrow(
      entry,
      reference === null ? [] : (byReference.get(normaliseCreditorReference(reference)) ?? []),
    );
    const [only] = candidates;
    if (candidates.length > 1)
      decided.set(entry.entryRef, ambiguous(entry, 'CREDITOR_REFERENCE', candidates));
    else if (only !== undefined)
      decided.set(entry.entryRef, settle(entry, only, 'CREDITOR_REFERENCE', books));
  }

  // Pass 2: invoice numbers in the free text, whole tokens only.
  for (const entry of credits) {
    if (decided.has(entry.entryRef)) continue;
    const named = invoiceNumbersIn(entry.remittance.unstructured, byInvoice);
    const candidates = narrow(
      entry,
      [...named].sort().flatMap((invoice) => byInvoice.get(invoice) ?? []),
    );
    const [only] = candidates;
    if (candidates.length > 1) decided.set(entry.entryRef, ambiguous(entry, 'INVOICE_NUMBER', candidates));
    else if (only !== undefined) decided.set(entry.entryRef, settle(entry, only, 'INVOICE_NUMBER', books));
  }

  // Pass 3: no reference at all; the payer's one open receivable of exactly this amount.
  for (const entry of credits) {
    if (decided.has(entry.entryRef)) continue;
    const payer = entry.counterparty.name === null ? '' : normaliseName(entry.counterparty.name);
    const candidates = (payer === '' ? [] : (byPayer.get(payer) ?? [])).filter((r) =>
      sameAmount(books.remaining.get(r.receivableId) ?? r.open, entry.amount),
    );
    const [only] = candidates;
    if (candidates.length > 1) decided.set(entry.entryRef, ambiguous(entry, 'AMOUNT_PAYER', candidates));
    else if (only !== undefined) decided.set(entry.entryRef, settle(entry, only, 'AMOUNT_PAYER', books));
    else {
      decided.set(
        entry.entryRef,
        exception(
          entry,
          'UNKNOWN_CREDIT',
          `Credit ${entry.entryRef} of ${show(entry.amount)} from ${entry.counterparty.name ?? 'an unnamed payer'} matches no open receivable; a person must identify the payer and apply or return it.`,
        ),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The whole statement
// ---------------------------------------------------------------------------------------------

function skipReason(entry: StatementEntry, alreadyMatched: ReadonlySet<string>): ReconciliationItem | null {
  const skipped = (reason: SkipReason, sentence: string): ReconciliationItem => ({
    outcome: 'SKIPPED',
    entry,
    match: null,
    rule: null,
    reason,
    sentence,
  });
  if (alreadyMatched.has(entry.entryRef)) {
    return skipped(
      'ALREADY_MATCHED',
      `Entry ${entry.entryRef} was matched on an earlier run; nothing to do.`,
    );
  }
  if (entry.reversal) {
    return skipped(
      'REVERSAL',
      `Entry ${entry.entryRef} reverses an earlier entry; a person pairs it with the entry it undoes.`,
    );
  }
  if (entry.status !== 'BOOKED') {
    return skipped(
      'NOT_BOOKED',
      `Entry ${entry.entryRef} is ${entry.status.toLowerCase()}, not booked; it is matched once the bank books it.`,
    );
  }
  return null;
}

function totalsOf(items: readonly ReconciliationItem[]): CurrencyTotals[] {
  const totals = new Map<string, CurrencyTotals>();
  for (const item of items) {
    const currency = item.entry.amount.currency;
    let total = totals.get(currency);
    if (total === undefined) {
      total = {
        currency,
        matchedDebits: zero(currency),
        matchedCredits: zero(currency),
        writeOffs: zero(currency),
        exceptions: zero(currency),
        counts: { matched: 0, writeOffs: 0, exceptions: 0, skipped: 0 },
      };
      totals.set(currency, total);
    }
    switch (item.outcome) {
      case 'MATCHED':
        if (item.entry.direction === 'DEBIT')
          total.matchedDebits = add(total.matchedDebits, item.entry.amount);
        else total.matchedCredits = add(total.matchedCredits, item.entry.amount);
        total.counts.matched += 1;
        break;
      case 'WRITE_OFF':
        total.matchedCredits = add(total.matchedCredits, item.entry.amount);
        total.writeOffs = add(total.writeOffs, item.writeOff);
        total.counts.writeOffs += 1;
        break;
      case 'EXCEPTION':
        total.exceptions = add(total.exceptions, item.entry.amount);
        total.counts.exceptions += 1;
        break;
      case 'SKIPPED':
        total.counts.skipped += 1;
        break;
    }
  }
  return [...totals.values()].sort((a, b) =>
    a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0,
  );
}

/**
 * Every entry gets exactly one item: skipped (already matched, reversal, not booked), matched,
 * a write-off proposal, or an exception. `alreadyMatched` holds entry refs matched on earlier
 * runs, so a re-run of the same statement changes nothing.
 */
export function reconcileStatement(
  statement: BankStatement,
  payments: readonly PostedPayment[],
  receivables: readonly OpenReceivable[],
  alreadyMatched: ReadonlySet<string>,
  policy: MatchPolicy,
): ReconciliationResult {
  const thresholds = checkInputs(statement, payments, receivables, policy);
  const decided: Decided = new Map();
  const debits: StatementEntry[] = [];
  const credits: StatementEntry[] = [];
  for (const entry of statement.entries) {
    const skipped = skipReason(entry, alreadyMatched);
    if (skipped !== null) decided.set(entry.entryRef, skipped);
    else if (entry.direction === 'DEBIT') debits.push(entry);
    else credits.push(entry);
  }
  const settled = matchDebits(debits, payments, policy, decided);
  const remaining = new Map(receivables.map((r) => [r.receivableId, r.open] as const));
  matchCredits(credits, receivables, { remaining, thresholds }, decided);

  const items = statement.entries.map((entry) => {
    const item = decided.get(entry.entryRef);
    // Invariant: every entry is decided exactly once (entry refs are unique in a parsed statement).
    if (item === undefined || item.entry !== entry) {
      throw new TollgateError('INTERNAL', `Entry ${entry.entryRef} was not reconciled exactly once.`);
    }
    return item;
  });
  const totals = totalsOf(items);
  const counted = totals.reduce(
    (n, t) => n + t.counts.matched + t.counts.writeOffs + t.counts.exceptions + t.counts.skipped,
    0,
  );
  if (counted !== items.length) {
    throw new TollgateError('INTERNAL', 'Reconciliation totals do not count every entry once.');
  }
  return {
    statementId: statement.statementId,
    items,
    totals,
    unsettledPaymentIds: payments
      .map((payment) => payment.paymentId)
      .filter((id) => !settled.has(id))
      .sort(),
  };
}
