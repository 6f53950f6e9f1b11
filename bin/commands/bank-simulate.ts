import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { isValidIban } from '#platform/core/bank-accounts.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney, type Money, money } from '#platform/core/money.ts';
import {
  type BankStatement,
  isValidCreditorReference,
  normaliseCreditorReference,
  parseCamt053,
  type StatementEntry,
} from '#runbooks/bank-reconciliation/core/statement.ts';
import { buildCamt053, closingBalanceFor } from '#runbooks/bank-reconciliation/core/statement-writer.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import { PAIN001_MESSAGE } from '#runbooks/payment-run/core/bank-files/pain001.ts';
import { buildPain002 } from '#runbooks/payment-run/core/bank-files/pain002.ts';
import { readNacha } from '#runbooks/payment-run/core/bank-files/read-nacha.ts';
import { readPain001, type SentPaymentFile } from '#runbooks/payment-run/core/bank-files/read-pain001.ts';
import { applyLocalEnvironment, readRuntime } from '../../local/local-stack.ts';

/**
 * The account a statement names: a NACHA file knows its originator only by company id, and the
 * bank, as the payment-run policy records, books it on the originator's account number.
 */
function statementAccountOf(originatorAccount: string): string {
  for (const originator of Object.values(PAYMENT_RUN_POLICY.originators))
    if (
      originator.format === 'nacha' &&
      originator.companyId === originatorAccount &&
      originator.accountNumber
    )
      return originator.accountNumber;
  return originatorAccount;
}

/**
 * `tollgate bank simulate`: the local stand-in for the bank. It reads the payment files under
 * `outbound/` that have no answer yet and writes what a bank sends back under `inbound/`: a
 * pain.002 status report per file and a camt.053 statement per funding account and currency.
 *
 * Invariants:
 * - A file is answered once: its status report is named after the SHA-256 of the file's bytes
 *   (`pain002-<hash>.xml`), and a file whose report exists is skipped.
 * - A movement is booked once: every statement entry carries a bank reference derived from what
 *   it books (the file hash and end-to-end id; the credit; the stray debit and day); entries
 *   already on an earlier statement of the account are not booked again.
 * - Balances chain: a statement opens at the closing balance of the account's latest statement
 *   (else `openingBalance`), and closes at opening + credits − debits (`parseCamt053` re-checks).
 * - Statements are written before status reports, so a run cut short is finished by the next one
 *   without booking anything twice.
 */

/** Listing bound: pages of 1000 keys; a bucket past this is refused, not read in part. */
const MAX_LIST_PAGES = 100;
const PAGE_SIZE = 1000;
/** A payment file here is a few MB at most; the adapter refuses anything larger outright. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const DEFAULT_REJECT_REASON = 'AC04';
const STATUS_REPORT_PREFIX = 'pain002-';
const STATEMENT_PREFIX = 'camt053_';
const ISO_REASON = /^[A-Z0-9]{4}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** Errors of the simulator a user can meet, each with a code the CLI prints. */
export type SimulateBankErrorCode =
  | 'NOT_RUNNING'
  | 'UNKNOWN_END_TO_END_ID'
  | 'INVALID_OPTION'
  | 'INVALID_CREDITS'
  | 'TOO_MANY_FILES';

export class SimulateBankError extends Error {
  readonly code: SimulateBankErrorCode;
  constructor(code: SimulateBankErrorCode, message: string) {
    super(message);
    this.name = 'SimulateBankError';
    this.code = code;
  }
}

const creditSchema = z.strictObject({
  payerName: z.string().trim().min(1).max(140),
  amount: z.string().regex(DECIMAL, 'a positive decimal string such as "1234.50"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  /** An RF creditor reference (booked as structured remittance) or an invoice number (as text). */
  reference: z.string().trim().min(1).max(140),
  bookingDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  /** The funding account credited. @default the account of the statement in its currency */
  account: z.string().trim().min(1).max(34).optional(),
  payerIban: z.string().trim().min(1).max(34).optional(),
});
const creditsSchema = z.array(creditSchema).max(10_000);

/** A customer's payment into a funding account, for receivable matching. */
export type CustomerCredit = z.infer<typeof creditSchema>;

/** The subset of the bank-files bucket the simulator uses. */
export type SimulatorBankFiles = Pick<
  S3BankFiles,
  'listOutbound' | 'getOutbound' | 'listInbound' | 'getInbound' | 'putInbound'
>;

export interface SimulateBankOptions {
  readonly store: SimulatorBankFiles;
  /** @default the system clock */
  readonly now?: Date;
  /** End-to-end ids to reject, each optionally with its ISO reason (`PAY-1:AM04`). */
  readonly reject?: readonly string[];
  /** Rejects the first N payments not answered yet, in key and file order. @default 0 */
  readonly rejectCount?: number;
  /** ISO status reason for rejections that name none. @default 'AC04' (closed account) */
  readonly rejectReason?: string;
  /** A debit no payment explains, booked on the first statement written, e.g. "12.34". */
  readonly strayDebit?: string;
  readonly credits?: readonly CustomerCredit[];
  /** Opening balance of an account with no earlier statement. @default '0' */
  readonly openingBalance?: string;
}

export interface AnsweredFile {
  outboundKey: string;
  statusReportKey: string;
  format: SentPaymentFile['format'] | 'unreadable';
  accepted: number;
  rejected: number;
}

export interface WrittenStatement {
  key: string;
  account: string;
  currency: string;
  opening: string;
  closing: string;
  debits: number;
  credits: number;
}

export interface SimulateBankSummary {
  date: string;
  filesAnswered: AnsweredFile[];
  filesAlreadyAnswered: number;
  paymentsAccepted: number;
  paymentsRejected: number;
  statements: WrittenStatement[];
  statementEntries: number;
  /** Why a requested credit or stray debit was not booked (no statement to carry it). */
  notBooked: string[];
}

/** Reads a credits file: a JSON list of {payerName, amount, currency, reference, bookingDate}. */
export function readCredits(file: string): CustomerCredit[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SimulateBankError(
      'INVALID_CREDITS',
      `Cannot read ${file} as JSON: ${(error as Error).message}`,
    );
  }
  const parsed = creditsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SimulateBankError(
      'INVALID_CREDITS',
      `${file}: ${issue ? `[${issue.path.join('.')}] ${issue.message}` : 'not a list of credits'}; each credit is {payerName, amount, currency, reference, bookingDate}.`,
    );
  }
  return parsed.data;
}

interface OutboundFile {
  key: string;
  name: string;
  hash: string;
  statusReportName: string;
  /** undefined: the file does not read as a payment file; the bank rejects it whole. */
  file: SentPaymentFile | undefined;
}

/** Every key under a prefix, bounded by MAX_LIST_PAGES pages. */
async function listAll(list: SimulatorBankFiles['listInbound'], what: string): Promise<string[]> {
  const keys: string[] = [];
  let afterKey: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const files = await list({ limit: PAGE_SIZE, ...(afterKey ? { afterKey } : {}) });
    keys.push(...files.map((file) => file.key));
    const last = files[files.length - 1];
    if (files.length < PAGE_SIZE || last === undefined) return keys;
    afterKey = last.key;
  }
  throw new SimulateBankError(
    'TOO_MANY_FILES',
    `More than ${MAX_LIST_PAGES * PAGE_SIZE} files under ${what}; the simulator reads at most that many. Clear old files from the local bucket.`,
  );
}

function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** Reads a payment file in whichever format it is written; undefined when it reads as neither. */
function readPaymentFile(bytes: Uint8Array): SentPaymentFile | undefined {
  const content = new TextDecoder().decode(bytes);
  try {
    return content.trimStart().startsWith('<') ? readPain001(content) : readNacha(content);
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'BANK_FILE_INVALID') return undefined;
    throw error;
  }
}

/** The message id a status report names: pain.001 MsgId; for NACHA the file's name stem, the run's message id. */
function originalMessageIdOf(outbound: OutboundFile): string {
  const stem = outbound.name.split('.')[0] ?? '';
  const plainStem = /^[A-Za-z0-9-]{1,35}$/.test(stem) ? stem : outbound.hash.slice(0, 35);
  if (outbound.file === undefined || outbound.file.format === 'nacha') return plainStem;
  return outbound.file.messageId;
}

function parseRejections(options: SimulateBankOptions): Map<string, string> {
  const fallback = options.rejectReason ?? DEFAULT_REJECT_REASON;
  if (!ISO_REASON.test(fallback)) {
    throw new SimulateBankError(
      'INVALID_OPTION',
      `Reject reason "${fallback}" is not an ISO status reason code such as AC04 or AM04.`,
    );
  }
  const rejections = new Map<string, string>();
  for (const spec of options.reject ?? []) {
    const [endToEndId = '', reason = fallback, ...rest] = spec.split(':');
    if (endToEndId === '' || rest.length > 0 || !ISO_REASON.test(reason)) {
      throw new SimulateBankError(
        'INVALID_OPTION',
        `--reject "${spec}" is not END_TO_END_ID or END_TO_END_ID:REASON (an ISO code such as AC04).`,
      );
    }
    rejections.set(endToEndId, reason);
  }
  return rejections;
}

function checkAmount(
  value: string,
  currency: string,
  what: string,
  code: SimulateBankErrorCode = 'INVALID_OPTION',
): Money {
  if (!DECIMAL.test(value)) {
    throw new SimulateBankError(code, `${what} "${value}" is not a positive decimal such as 12.34.`);
  }
  let amount: Money;
  try {
    amount = money(value, currency);
  } catch (error) {
    throw new SimulateBankError(code, `${what}: ${(error as Error).message}`);
  }
  if (amount.minor <= 0n) {
    throw new SimulateBankError(code, `${what} is ${value}; a bank books more than zero.`);
  }
  return amount;
}

/** The statement account: an IBAN when it is one, else the bank's other identification. */
function accountOf(account: string, currency: string): BankStatement['account'] {
  return isValidIban(account)
    ? { iban: account, other: null, currency }
    : { iban: null, other: account, currency };
}

function accountName(account: BankStatement['account']): string {
  return account.iban ?? account.other ?? '';
}

/** What one account's statement books in this run, before balances. */
interface Booking {
  account: string;
  currency: string;
  entries: StatementEntry[];
}

function bookingFor(bookings: Map<string, Booking>, account: string, currency: string): Booking {
  const id = `${account} ${currency}`;
  let booking = bookings.get(id);
  if (booking === undefined) {
    booking = { account, currency, entries: [] };
    bookings.set(id, booking);
  }
  return booking;
}

/** References already on the bucket's statements, and each account's latest closing balance. */
interface BookedSoFar {
  references: Set<string>;
  closing: Map<string, { createdAt: string; key: string; balance: Money }>;
}

async function readStatements(
  store: SimulatorBankFiles,
  inboundKeys: readonly string[],
): Promise<BookedSoFar> {
  const booked: BookedSoFar = { references: new Set(), closing: new Map() };
  for (const key of inboundKeys) {
    if (!nameOf(key).startsWith(STATEMENT_PREFIX)) continue;
    const statement = parseCamt053(new TextDecoder().decode(await store.getInbound(key, MAX_FILE_BYTES)));
    const id = `${accountName(statement.account)} ${statement.account.currency}`;
    for (const entry of statement.entries)
      if (entry.bankReference) booked.references.add(entry.bankReference);
    const latest = booked.closing.get(id);
    const later =
      latest === undefined ||
      statement.createdAt > latest.createdAt ||
      (statement.createdAt === latest.createdAt && key > latest.key);
    if (later && statement.closing !== null) {
      booked.closing.set(id, { createdAt: statement.createdAt, key, balance: statement.closing });
    }
  }
  return booked;
}

function reference(prefix: string, ...parts: string[]): string {
  return `${prefix}${sha256Hex(parts.join('\n')).slice(0, 24).toUpperCase()}`;
}

function creditEntry(credit: CustomerCredit): StatementEntry {
  const normalised = normaliseCreditorReference(credit.reference);
  const structured = isValidCreditorReference(normalised);
  return {
    entryRef: '',
    amount: checkAmount(credit.amount, credit.currency, `Credit from ${credit.payerName}`, 'INVALID_CREDITS'),
    direction: 'CREDIT',
    status: 'BOOKED',
    bookingDate: credit.bookingDate,
    valueDate: credit.bookingDate,
    endToEndId: null,
    counterparty: { name: credit.payerName, iban: credit.payerIban ?? null },
    remittance: structured
      ? { unstructured: [], creditorReference: normalised }
      : { unstructured: [credit.reference], creditorReference: null },
    bankReference: reference(
      'C',
      credit.payerName,
      credit.amount,
      credit.currency,
      credit.reference,
      credit.bookingDate,
      credit.account ?? '',
    ),
    reversal: false,
  };
}

/**
 * Answers every outbound payment file not answered yet, as a bank would, and returns what it
 * wrote. Nothing is written when an option is wrong or a named end-to-end id is in no file.
 */
export async function simulateBank(options: SimulateBankOptions): Promise<SimulateBankSummary> {
  const { store } = options;
  const now = options.now ?? new Date();
  const date = now.toISOString().slice(0, 10);
  const createdAt = `${now.toISOString().slice(0, 19)}Z`;
  const rejections = parseRejections(options);
  const rejectCount = options.rejectCount ?? 0;
  if (!Number.isInteger(rejectCount) || rejectCount < 0) {
    throw new SimulateBankError('INVALID_OPTION', `--reject-count ${rejectCount} is not a whole number ≥ 0.`);
  }
  // Amounts are checked before anything is read or written; their currency is known only later.
  const stray = options.strayDebit;
  if (stray !== undefined && (!DECIMAL.test(stray) || !/[1-9]/.test(stray))) {
    throw new SimulateBankError(
      'INVALID_OPTION',
      `--stray-debit "${stray}" is not a positive decimal such as 12.34.`,
    );
  }
  if (!/^-?\d+(\.\d+)?$/.test(options.openingBalance ?? '0')) {
    throw new SimulateBankError(
      'INVALID_OPTION',
      `--opening-balance "${options.openingBalance}" is not a decimal such as 1000.00 or -250.00.`,
    );
  }

  const inboundKeys = await listAll((o) => store.listInbound(o), 'inbound/');
  const answered = new Set(inboundKeys.map(nameOf).filter((name) => name.startsWith(STATUS_REPORT_PREFIX)));
  const outbound: OutboundFile[] = [];
  for (const key of await listAll((o) => store.listOutbound(o), 'outbound/')) {
    const bytes = await store.getOutbound(key, MAX_FILE_BYTES);
    const hash = sha256Hex(bytes);
    outbound.push({
      key,
      name: nameOf(key),
      hash,
      statusReportName: `${STATUS_REPORT_PREFIX}${hash.slice(0, 32)}.xml`,
      file: readPaymentFile(bytes),
    });
  }
  const pending = outbound.filter((file) => !answered.has(file.statusReportName));

  // Every named id must be in some file, answered or not, so a typo is an error, not a silent accept.
  const known = new Set(outbound.flatMap((file) => file.file?.payments.map((p) => p.endToEndId) ?? []));
  const unknown = [...rejections.keys()].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new SimulateBankError(
      'UNKNOWN_END_TO_END_ID',
      `No outbound payment file holds end-to-end id ${unknown.join(', ')}; check the ids in the payment run.`,
    );
  }
  let toRejectByCount = rejectCount;
  const decided = pending.map((outboundFile) => {
    const payments = (outboundFile.file?.payments ?? []).map((payment) => {
      let reason = rejections.get(payment.endToEndId);
      if (reason === undefined && toRejectByCount > 0) reason = options.rejectReason ?? DEFAULT_REJECT_REASON;
      if (reason !== undefined && !rejections.has(payment.endToEndId)) toRejectByCount -= 1;
      return { payment, reason };
    });
    return { outboundFile, payments };
  });

  // Statements first: a run cut short after them writes no entry twice when repeated.
  const booked = await readStatements(store, inboundKeys);
  const bookings = new Map<string, Booking>();
  for (const { outboundFile, payments } of decided) {
    for (const { payment, reason } of payments) {
      if (reason !== undefined) continue;
      const creditor = payment.creditor.account;
      bookingFor(bookings, statementAccountOf(payment.originatorAccount), payment.currency).entries.push({
        entryRef: '',
        amount: money(payment.amount, payment.currency),
        direction: 'DEBIT',
        status: 'BOOKED',
        bookingDate: date,
        valueDate: date,
        endToEndId: payment.endToEndId,
        counterparty: { name: payment.creditor.name, iban: creditor.kind === 'iban' ? creditor.iban : null },
        remittance: { unstructured: payment.remittance.slice(0, 10), creditorReference: null },
        bankReference: reference('D', outboundFile.hash, payment.endToEndId),
        reversal: false,
      });
    }
  }
  const notBooked: string[] = [];
  for (const credit of options.credits ?? []) {
    const entry = creditEntry(credit);
    // Booked by an earlier run: the statement filter below would drop it; nothing to report.
    if (booked.references.has(entry.bankReference ?? '')) continue;
    if (credit.account !== undefined) {
      bookingFor(bookings, credit.account, credit.currency).entries.push(entry);
      continue;
    }
    const candidates = [...bookings.values()].filter((booking) => booking.currency === credit.currency);
    const [only, ...others] = candidates;
    if (only === undefined || others.length > 0) {
      notBooked.push(
        `Credit ${credit.amount} ${credit.currency} from ${credit.payerName}: ${only === undefined ? 'no statement in' : 'several accounts in'} ${credit.currency} this run; give the credit an "account".`,
      );
      continue;
    }
    only.entries.push(entry);
  }
  if (options.strayDebit !== undefined) {
    const first = [...bookings.values()][0];
    if (first === undefined) {
      notBooked.push(`Stray debit ${options.strayDebit}: no statement written this run to carry it.`);
    } else {
      first.entries.push({
        entryRef: '',
        amount: checkAmount(options.strayDebit, first.currency, '--stray-debit'),
        direction: 'DEBIT',
        status: 'BOOKED',
        bookingDate: date,
        valueDate: date,
        endToEndId: null,
        counterparty: { name: null, iban: null },
        remittance: { unstructured: [], creditorReference: null },
        bankReference: reference('X', first.account, first.currency, options.strayDebit, date),
        reversal: false,
      });
    }
  }

  const statements: WrittenStatement[] = [];
  for (const booking of bookings.values()) {
    const entries = booking.entries.filter((entry) => !booked.references.has(entry.bankReference ?? ''));
    if (entries.length === 0) continue;
    const account = accountOf(booking.account, booking.currency);
    const id = `${accountName(account)} ${booking.currency}`;
    const opening = booked.closing.get(id)?.balance ?? money(options.openingBalance ?? '0', booking.currency);
    const hash = sha256Hex(entries.map((entry) => entry.bankReference).join('\n'));
    const statementId = `S${date.replaceAll('-', '')}-${hash.slice(0, 16).toUpperCase()}`;
    const numbered = entries.map((entry, index) => ({ ...entry, entryRef: `${statementId}-${index + 1}` }));
    const closing = closingBalanceFor(opening, numbered);
    const xml = buildCamt053({
      messageId: `M${hash.slice(0, 24).toUpperCase()}`,
      statementId,
      account,
      createdAt,
      opening,
      closing,
      entries: numbered,
    });
    const slug = booking.account.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40);
    const stamp = createdAt.replace(/[-:]/g, '');
    const stored = await store.putInbound(
      `${STATEMENT_PREFIX}${slug}_${booking.currency}_${stamp}_${hash.slice(0, 16)}.xml`,
      xml,
      'application/xml',
      { date },
    );
    statements.push({
      key: stored.key,
      account: booking.account,
      currency: booking.currency,
      opening: formatMoney(opening),
      closing: formatMoney(closing),
      debits: numbered.filter((entry) => entry.direction === 'DEBIT').length,
      credits: numbered.filter((entry) => entry.direction === 'CREDIT').length,
    });
  }

  const filesAnswered: AnsweredFile[] = [];
  for (const { outboundFile, payments } of decided) {
    const first = outboundFile.file?.payments[0];
    const xml = buildPain002({
      messageId: `SIM${outboundFile.hash.slice(0, 24).toUpperCase()}`,
      createdAt: new Date(createdAt),
      originalMessageId: originalMessageIdOf(outboundFile),
      originalMessageType: PAIN001_MESSAGE,
      ...(first && outboundFile.file?.format === PAIN001_MESSAGE
        ? { originalPaymentInfoId: first.paymentInfoId }
        : {}),
      // An unreadable file gets no transaction detail: the whole message is rejected (FF01).
      transactions: payments.map(({ payment, reason }) =>
        reason === undefined
          ? { endToEndId: payment.endToEndId, status: 'ACCEPTED' as const }
          : { endToEndId: payment.endToEndId, status: 'REJECTED' as const, reasonCode: reason },
      ),
    });
    const stored = await store.putInbound(outboundFile.statusReportName, xml, 'application/xml', { date });
    const rejected = payments.filter(({ reason }) => reason !== undefined).length;
    filesAnswered.push({
      outboundKey: outboundFile.key,
      statusReportKey: stored.key,
      format: outboundFile.file?.format ?? 'unreadable',
      accepted: payments.length - rejected,
      rejected,
    });
  }

  return {
    date,
    filesAnswered,
    filesAlreadyAnswered: outbound.length - pending.length,
    paymentsAccepted: filesAnswered.reduce((total, file) => total + file.accepted, 0),
    paymentsRejected: filesAnswered.reduce((total, file) => total + file.rejected, 0),
    statements,
    statementEntries: statements.reduce((total, s) => total + s.debits + s.credits, 0),
    notBooked,
  };
}

/** The summary as the CLI prints it. */
export function formatSimulateSummary(summary: SimulateBankSummary): string[] {
  const lines = [
    `Bank day ${summary.date}: ${summary.filesAnswered.length} file(s) answered, ${summary.filesAlreadyAnswered} already answered.`,
    `Payments: ${summary.paymentsAccepted} accepted, ${summary.paymentsRejected} rejected.`,
  ];
  for (const file of summary.filesAnswered) {
    lines.push(
      `  ${file.outboundKey} (${file.format}) -> ${file.statusReportKey}: ${file.accepted} accepted, ${file.rejected} rejected`,
    );
  }
  lines.push(`Statements: ${summary.statements.length}, ${summary.statementEntries} entries.`);
  for (const s of summary.statements) {
    lines.push(
      `  ${s.key}: ${s.account} ${s.currency} opening ${s.opening}, ${s.debits} debit(s), ${s.credits} credit(s), closing ${s.closing}`,
    );
  }
  for (const reason of summary.notBooked) lines.push(`Not booked: ${reason}`);
  return lines;
}

export interface LocalBankOptions extends Omit<SimulateBankOptions, 'store' | 'credits'> {
  /** Data folder of the running local stack. */
  readonly dataDir: string;
  /** JSON file of customer credits. */
  readonly creditsFile?: string;
}

/** `tollgate bank simulate`: attaches to the running local stack, as `seed` does, and answers its outbound files. */
export async function simulateLocalBank(options: LocalBankOptions): Promise<SimulateBankSummary> {
  const { dataDir, creditsFile, ...rest } = options;
  const credits = creditsFile === undefined ? undefined : readCredits(creditsFile);
  const runtime = readRuntime(dataDir);
  if (!runtime) {
    throw new SimulateBankError(
      'NOT_RUNNING',
      `No local stack runs on ${dataDir}. Start it with \`npm run local\`, then simulate the bank.`,
    );
  }
  applyLocalEnvironment(runtime);
  const store = new S3BankFiles(runtime.bankFilesBucket);
  return simulateBank({ ...rest, store, ...(credits ? { credits } : {}) });
}
