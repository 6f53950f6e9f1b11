import { XMLValidator } from 'fast-xml-parser';
import { TollgateError } from '#platform/core/errors.ts';
import { add, currencyExponent, type Money, money, subtract, zero } from '#platform/core/money.ts';
import { untrustedXmlParser } from '#platform/core/xml-parser.ts';

/**
 * Bank statements as ISO 20022 cash-management messages: camt.053 (end-of-day statement, with
 * balances) and camt.054 (debit/credit notification, no balances). A file is either read whole
 * and consistent or refused with BANK_FILE_INVALID and the rule it broke: reconciliation must
 * never run on part of a statement.
 */

export type MessageType = 'camt.053.001.08' | 'camt.054.001.08';
export type EntryDirection = 'DEBIT' | 'CREDIT';
export type EntryStatus = 'BOOKED' | 'PENDING' | 'INFO';

export interface StatementEntry {
  /** NtryRef, else the entry's AcctSvcrRef, else statement id + position; "/n" appended per batch part. */
  entryRef: string;
  /** Always positive; the sign is `direction`. */
  amount: Money;
  direction: EntryDirection;
  status: EntryStatus;
  /** YYYY-MM-DD. */
  bookingDate: string;
  valueDate: string | null;
  /** NOTPROVIDED is read as null: it means the payer gave none. */
  endToEndId: string | null;
  /** The other side: the creditor on a debit, the debtor on a credit. */
  counterparty: { name: string | null; iban: string | null };
  remittance: { unstructured: string[]; creditorReference: string | null };
  /** The bank's own reference for the transaction (AcctSvcrRef). */
  bankReference: string | null;
  reversal: boolean;
}

export interface BankStatement {
  messageType: MessageType;
  messageId: string;
  statementId: string;
  account: { iban: string | null; other: string | null; currency: string };
  createdAt: string;
  opening: Money | null;
  closing: Money | null;
  entries: StatementEntry[];
}

/** Rules a bank file can break; each refusal names one in `details.rule`. */
export type StatementRule =
  | 'FILE_TOO_LARGE'
  | 'MALFORMED_XML'
  | 'MESSAGE_TYPE'
  | 'MISSING_ELEMENT'
  | 'REPEATED_ELEMENT'
  | 'SINGLE_STATEMENT'
  | 'TOO_MANY_ENTRIES'
  | 'ACCOUNT_CURRENCY'
  | 'CURRENCY_MISMATCH'
  | 'AMOUNT_INVALID'
  | 'CREDIT_DEBIT_INDICATOR'
  | 'ENTRY_STATUS'
  | 'DATE_INVALID'
  | 'BALANCE_MISSING'
  | 'BALANCE_MISMATCH'
  | 'BATCH_NOT_SPLITTABLE'
  | 'TRANSACTION_MISMATCH'
  | 'REVERSAL_INDICATOR'
  | 'REMITTANCE_TOO_LONG'
  | 'DUPLICATE_ENTRY_REF';

/** Limits: a file past one is refused whole, never read in part. */
export const MAX_FILE_CHARS = 20_000_000;
/** Applies to Ntry blocks and again to the entries after batches are split. */
export const MAX_ENTRIES = 20_000;
export const MAX_TRANSACTIONS_PER_ENTRY = 10_000;
export const MAX_REMITTANCE_LINES = 50;

const NAMESPACE_PREFIX = 'urn:iso:std:iso:20022:tech:xsd:';
const NOT_PROVIDED = 'NOTPROVIDED';

function invalid(
  rule: StatementRule,
  sentence: string,
  details: Record<string, unknown> = {},
): TollgateError {
  return new TollgateError('BANK_FILE_INVALID', sentence, { rule, ...details });
}

// ---------------------------------------------------------------------------------------------
// Reading the XML tree. Every element is parsed as an array of nodes with its text under #text,
// so a repeated element is always seen as repeated and values stay exactly as written (strings).
// ---------------------------------------------------------------------------------------------

type XmlNode = Record<string, unknown>;

const parser = untrustedXmlParser();

/** Reads children of one message, whose elements all share the root element's namespace prefix. */
class Reader {
  private readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }

  all(node: XmlNode, name: string): XmlNode[] {
    const key = `${this.prefix}${name}`;
    // Own properties only: nothing a file names may resolve through Object.prototype.
    const value = Object.hasOwn(node, key) ? node[key] : undefined;
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map((item) =>
      typeof item === 'object' && item !== null ? (item as XmlNode) : { '#text': String(item) },
    );
  }

  optional(node: XmlNode, name: string, path: string): XmlNode | undefined {
    const found = this.all(node, name);
    if (found.length > 1) {
      throw invalid(
        'REPEATED_ELEMENT',
        `${path}/${name} appears ${found.length} times where the standard allows one; ask the bank for a corrected file.`,
        { element: `${path}/${name}` },
      );
    }
    return found[0];
  }

  required(node: XmlNode, name: string, path: string): XmlNode {
    const found = this.optional(node, name, path);
    if (found === undefined) {
      throw invalid(
        'MISSING_ELEMENT',
        `${path}/${name} is missing and is required; ask the bank for a complete file.`,
        { element: `${path}/${name}` },
      );
    }
    return found;
  }

  text(node: XmlNode): string {
    const value = node['#text'];
    return typeof value === 'string' ? value.trim() : '';
  }

  optionalText(node: XmlNode, name: string, path: string): string | null {
    const found = this.optional(node, name, path);
    if (found === undefined) return null;
    const value = this.text(found);
    return value === '' ? null : value;
  }

  requiredText(node: XmlNode, name: string, path: string): string {
    const value = this.optionalText(node, name, path);
    if (value === null) {
      throw invalid(
        'MISSING_ELEMENT',
        `${path}/${name} is missing or empty and is required; ask the bank for a complete file.`,
        { element: `${path}/${name}` },
      );
    }
    return value;
  }

  /** First element of a nested path such as Refs/EndToEndId, text or null. */
  pathText(node: XmlNode, names: readonly string[], path: string): string | null {
    let current: XmlNode | undefined = node;
    let at = path;
    for (const name of names.slice(0, -1)) {
      current = this.optional(current, name, at);
      if (current === undefined) return null;
      at = `${at}/${name}`;
    }
    const last = names[names.length - 1];
    return last === undefined ? null : this.optionalText(current, last, at);
  }
}

function attribute(node: XmlNode, name: string): string | null {
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value.trim() : null;
}

interface Root {
  reader: Reader;
  body: XmlNode;
}

/** Checks well-formedness, the Document root and its namespace; returns the message body. */
function openMessage(xml: string, messageType: MessageType, bodyName: string): Root {
  if (typeof xml !== 'string' || xml.length === 0) {
    throw invalid('MALFORMED_XML', 'The bank file is empty; upload the statement file itself.');
  }
  if (xml.length > MAX_FILE_CHARS) {
    throw invalid(
      'FILE_TOO_LARGE',
      `The bank file has ${xml.length} characters, over the ${MAX_FILE_CHARS} limit; ask the bank to split it.`,
      { limit: MAX_FILE_CHARS },
    );
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw invalid(
      'MALFORMED_XML',
      `The bank file is not well-formed XML (${validation.err.msg}, line ${validation.err.line}); ask the bank to resend it.`,
      { line: validation.err.line, column: validation.err.col },
    );
  }
  let tree: XmlNode;
  try {
    tree = parser.parse(xml) as XmlNode;
  } catch (error) {
    throw invalid(
      'MALFORMED_XML',
      `The bank file could not be read as XML (${(error as Error).message}); ask the bank to resend it.`,
    );
  }
  const roots = Object.keys(tree).filter((key) => !key.startsWith('?') && !key.startsWith('#'));
  const rootName = roots.length === 1 ? roots[0] : undefined;
  const separator = rootName?.indexOf(':') ?? -1;
  const prefix = rootName !== undefined && separator >= 0 ? rootName.slice(0, separator) : '';
  const localName = rootName?.slice(separator + 1);
  const rootNodes = rootName === undefined ? [] : new Reader('').all(tree, rootName);
  const root = rootNodes.length === 1 ? rootNodes[0] : undefined;
  const namespace = root ? attribute(root, prefix ? `xmlns:${prefix}` : 'xmlns') : null;
  const expected = `${NAMESPACE_PREFIX}${messageType}`;
  if (root === undefined || localName !== 'Document' || namespace !== expected) {
    throw invalid(
      'MESSAGE_TYPE',
      `The file is not a ${messageType} message (root <Document xmlns="${expected}"> expected, found <${rootName ?? 'none'}> in ${namespace ?? 'no namespace'}); upload a ${messageType} file.`,
      { expected, found: namespace, root: rootName ?? null },
    );
  }
  const reader = new Reader(prefix ? `${prefix}:` : '');
  return { reader, body: reader.required(root, bodyName, 'Document') };
}

// ---------------------------------------------------------------------------------------------
// Field checks
// ---------------------------------------------------------------------------------------------

const CURRENCY = /^[A-Z]{3}$/;
/** ISO 20022 amounts: at most 18 digits, at most 5 after the point, no sign (CdtDbtInd carries it). */
const AMOUNT = /^\d{1,18}(\.\d{1,5})?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkDate(value: string, path: string): string {
  if (!isCalendarDate(value)) {
    throw invalid(
      'DATE_INVALID',
      `${path} "${value}" is not an ISO date (YYYY-MM-DD); ask the bank to resend.`,
      {
        element: path,
      },
    );
  }
  return value;
}

function checkDateTime(value: string, path: string): string {
  const match = ISO_DATE_TIME.exec(value);
  if (!match || !isCalendarDate(match[1] ?? '')) {
    throw invalid(
      'DATE_INVALID',
      `${path} "${value}" is not an ISO date-time (YYYY-MM-DDThh:mm:ss); ask the bank to resend.`,
      { element: path },
    );
  }
  return value;
}

/** DateAndDateTime2Choice: Dt or DtTm; the calendar date either way. */
function choiceDate(reader: Reader, node: XmlNode, path: string): string {
  const date = reader.optionalText(node, 'Dt', path);
  if (date !== null) return checkDate(date, `${path}/Dt`);
  const dateTime = reader.optionalText(node, 'DtTm', path);
  if (dateTime !== null) return checkDateTime(dateTime, `${path}/DtTm`).slice(0, 10);
  throw invalid('DATE_INVALID', `${path} has neither Dt nor DtTm; ask the bank for a complete file.`, {
    element: path,
  });
}

function readAmount(reader: Reader, node: XmlNode, path: string): Money {
  const amountNode = reader.required(node, 'Amt', path);
  const text = reader.text(amountNode);
  const currency = attribute(amountNode, 'Ccy');
  if (currency === null || !CURRENCY.test(currency)) {
    throw invalid(
      'AMOUNT_INVALID',
      `${path}/Amt has no ISO 4217 currency (Ccy="${currency ?? ''}"); ask the bank to resend.`,
      { element: `${path}/Amt` },
    );
  }
  if (!AMOUNT.test(text)) {
    throw invalid(
      'AMOUNT_INVALID',
      `${path}/Amt "${text}" is not an unsigned decimal amount; ask the bank to resend.`,
      {
        element: `${path}/Amt`,
      },
    );
  }
  const decimals = text.split('.')[1]?.length ?? 0;
  const exponent = currencyExponent(currency);
  if (decimals > exponent) {
    throw invalid(
      'AMOUNT_INVALID',
      `${path}/Amt ${text} ${currency} has ${decimals} decimals; ${currency} allows ${exponent}. Ask the bank to resend.`,
      { element: `${path}/Amt` },
    );
  }
  return money(text, currency);
}

function positive(amount: Money, path: string): Money {
  if (amount.minor <= 0n) {
    throw invalid(
      'AMOUNT_INVALID',
      `${path}/Amt is zero; an entry moves a positive amount. Ask the bank to resend.`,
      {
        element: `${path}/Amt`,
      },
    );
  }
  return amount;
}

function sameCurrency(amount: Money, currency: string, path: string): Money {
  if (amount.currency !== currency) {
    throw invalid(
      'CURRENCY_MISMATCH',
      `${path}/Amt is in ${amount.currency} but the account is in ${currency}; a statement reports one currency. Ask the bank to resend.`,
      { element: `${path}/Amt`, found: amount.currency, expected: currency },
    );
  }
  return amount;
}

function direction(reader: Reader, node: XmlNode, path: string): EntryDirection {
  const indicator = reader.optionalText(node, 'CdtDbtInd', path);
  if (indicator === 'CRDT') return 'CREDIT';
  if (indicator === 'DBIT') return 'DEBIT';
  throw invalid(
    'CREDIT_DEBIT_INDICATOR',
    indicator === null
      ? `${path}/CdtDbtInd is missing, so the amount has no sign; ask the bank for a complete file.`
      : `${path}/CdtDbtInd "${indicator}" is neither CRDT nor DBIT; ask the bank to resend.`,
    { element: `${path}/CdtDbtInd` },
  );
}

/** EntryStatus1Choice. FUTR (booked on a future date) is not yet on the account, so it counts as pending. */
function entryStatus(reader: Reader, node: XmlNode, path: string): EntryStatus {
  const code = reader.pathText(node, ['Sts', 'Cd'], path);
  switch (code) {
    case 'BOOK':
      return 'BOOKED';
    case 'PDNG':
    case 'FUTR':
      return 'PENDING';
    case 'INFO':
      return 'INFO';
    default:
      throw invalid(
        'ENTRY_STATUS',
        code === null
          ? `${path}/Sts/Cd is missing; an entry must say whether it is booked. Ask the bank for a complete file.`
          : `${path}/Sts/Cd "${code}" is not BOOK, PDNG, FUTR or INFO; ask the bank to resend.`,
        { element: `${path}/Sts/Cd` },
      );
  }
}

/** xs:boolean: true, false, 1 or 0; absent means not a reversal. */
function reversalIndicator(reader: Reader, node: XmlNode, path: string): boolean {
  const value = reader.optionalText(node, 'RvslInd', path);
  if (value === null || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw invalid(
    'REVERSAL_INDICATOR',
    `${path}/RvslInd "${value}" is not true or false; ask the bank to resend.`,
    {
      element: `${path}/RvslInd`,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------------

interface EntryContext {
  reader: Reader;
  statementId: string;
  currency: string;
}

/** The part of a StatementEntry that comes from one TxDtls (or from nothing, when there is none). */
function transactionFields(
  reader: Reader,
  tx: XmlNode | undefined,
  side: EntryDirection,
  path: string,
): Pick<StatementEntry, 'endToEndId' | 'counterparty' | 'remittance'> & { bankReference: string | null } {
  if (tx === undefined) {
    return {
      endToEndId: null,
      counterparty: { name: null, iban: null },
      remittance: { unstructured: [], creditorReference: null },
      bankReference: null,
    };
  }
  const endToEnd = reader.pathText(tx, ['Refs', 'EndToEndId'], path);
  // On a debit we paid the creditor; on a credit the debtor paid us.
  const party = side === 'DEBIT' ? 'Cdtr' : 'Dbtr';
  const parties = reader.optional(tx, 'RltdPties', path);
  const name = parties ? reader.pathText(parties, [party, 'Pty', 'Nm'], `${path}/RltdPties`) : null;
  const iban = parties ? reader.pathText(parties, [`${party}Acct`, 'Id', 'IBAN'], `${path}/RltdPties`) : null;
  const remittanceNode = reader.optional(tx, 'RmtInf', path);
  const lines = remittanceNode ? reader.all(remittanceNode, 'Ustrd') : [];
  const structured = remittanceNode ? reader.all(remittanceNode, 'Strd') : [];
  if (lines.length > MAX_REMITTANCE_LINES || structured.length > MAX_REMITTANCE_LINES) {
    // Cutting the text short could hide the invoice it names, so the file is refused instead.
    throw invalid(
      'REMITTANCE_TOO_LONG',
      `${path}/RmtInf has more than ${MAX_REMITTANCE_LINES} remittance blocks; ask the bank to resend.`,
      { element: `${path}/RmtInf`, limit: MAX_REMITTANCE_LINES },
    );
  }
  const unstructured = lines.map((line) => reader.text(line)).filter((line) => line !== '');
  let creditorReference: string | null = null;
  for (const block of structured) {
    const ref = reader.pathText(block, ['CdtrRefInf', 'Ref'], `${path}/RmtInf/Strd`);
    if (ref !== null) {
      creditorReference = ref;
      break;
    }
  }
  return {
    endToEndId: endToEnd === null || endToEnd === NOT_PROVIDED ? null : endToEnd,
    counterparty: { name, iban },
    remittance: { unstructured, creditorReference },
    bankReference: reader.pathText(tx, ['Refs', 'AcctSvcrRef'], path),
  };
}

/** One Ntry as one or more StatementEntry: a batch is split per TxDtls only when the parts add up. */
function readEntry(
  context: EntryContext,
  node: XmlNode,
  index: number,
): { entries: StatementEntry[]; total: Money } {
  const { reader, statementId, currency } = context;
  const path = `Ntry[${index + 1}]`;
  const amount = sameCurrency(positive(readAmount(reader, node, path), path), currency, path);
  const side = direction(reader, node, path);
  const status = entryStatus(reader, node, path);
  const reversal = reversalIndicator(reader, node, path);
  const bookingNode = reader.optional(node, 'BookgDt', path);
  const valueNode = reader.optional(node, 'ValDt', path);
  const valueDate = valueNode ? choiceDate(reader, valueNode, `${path}/ValDt`) : null;
  let bookingDate: string;
  if (bookingNode) {
    bookingDate = choiceDate(reader, bookingNode, `${path}/BookgDt`);
  } else if (status !== 'BOOKED' && valueDate !== null) {
    // A pending entry has no booking date yet; its expected value date stands in.
    bookingDate = valueDate;
  } else {
    throw invalid(
      'DATE_INVALID',
      `${path}/BookgDt is missing on a booked entry; ask the bank for a complete file.`,
      {
        element: `${path}/BookgDt`,
      },
    );
  }
  const entryBankRef = reader.optionalText(node, 'AcctSvcrRef', path);
  const baseRef = reader.optionalText(node, 'NtryRef', path) ?? entryBankRef ?? `${statementId}#${index + 1}`;

  const transactions = reader.all(node, 'NtryDtls').flatMap((details) => reader.all(details, 'TxDtls'));
  if (transactions.length > MAX_TRANSACTIONS_PER_ENTRY) {
    throw invalid(
      'TOO_MANY_ENTRIES',
      `${path} has ${transactions.length} transactions, over the ${MAX_TRANSACTIONS_PER_ENTRY} limit; ask the bank to split it.`,
      { limit: MAX_TRANSACTIONS_PER_ENTRY },
    );
  }
  const shared = { direction: side, status, bookingDate, valueDate, reversal };

  if (transactions.length <= 1) {
    const txPath = `${path}/NtryDtls/TxDtls`;
    const tx = transactions[0];
    const fields = transactionFields(reader, tx, side, txPath);
    // One transaction is the entry itself: where it states an amount or side, they must agree.
    const txAmount = tx && reader.optional(tx, 'Amt', txPath) ? readAmount(reader, tx, txPath) : amount;
    const txSide = tx && reader.optional(tx, 'CdtDbtInd', txPath) ? direction(reader, tx, txPath) : side;
    if (txAmount.currency !== amount.currency || txAmount.minor !== amount.minor || txSide !== side) {
      throw invalid(
        'TRANSACTION_MISMATCH',
        `${txPath} states a different amount or side than its entry; ask the bank to resend.`,
        { element: txPath },
      );
    }
    const entry: StatementEntry = {
      entryRef: baseRef,
      amount,
      ...shared,
      endToEndId: fields.endToEndId,
      counterparty: fields.counterparty,
      remittance: fields.remittance,
      bankReference: fields.bankReference ?? entryBankRef,
    };
    return { entries: [entry], total: amount };
  }

  // Several TxDtls: each becomes its own entry, but only if every part states its amount and side.
  let parts = zero(currency);
  const entries: StatementEntry[] = [];
  for (const [position, tx] of transactions.entries()) {
    const txPath = `${path}/NtryDtls/TxDtls[${position + 1}]`;
    if (reader.optional(tx, 'Amt', txPath) === undefined) {
      throw invalid(
        'BATCH_NOT_SPLITTABLE',
        `${path} is a batch of ${transactions.length} transactions and ${txPath} has no amount, so it cannot be matched part by part; ask the bank for transaction amounts.`,
        { element: txPath },
      );
    }
    const txAmount = sameCurrency(positive(readAmount(reader, tx, txPath), txPath), currency, txPath);
    const txSide = reader.optional(tx, 'CdtDbtInd', txPath) ? direction(reader, tx, txPath) : side;
    if (txSide !== side) {
      throw invalid(
        'BATCH_NOT_SPLITTABLE',
        `${txPath} is a ${txSide.toLowerCase()} inside a ${side.toLowerCase()} batch; ask the bank to report the parts as separate entries.`,
        { element: txPath },
      );
    }
    parts = add(parts, txAmount);
    const fields = transactionFields(reader, tx, side, txPath);
    entries.push({
      entryRef: `${baseRef}/${position + 1}`,
      amount: txAmount,
      ...shared,
      endToEndId: fields.endToEndId,
      counterparty: fields.counterparty,
      remittance: fields.remittance,
      bankReference: fields.bankReference ?? entryBankRef,
    });
  }
  if (parts.minor !== amount.minor) {
    throw invalid(
      'BATCH_NOT_SPLITTABLE',
      `${path} is a batch whose transactions add up to a different amount than the entry; ask the bank to resend.`,
      { element: path },
    );
  }
  return { entries, total: amount };
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

interface Balances {
  opening: Money | null;
  closing: Money | null;
}

/** OPBD (or PRCD, the previous closing, when a bank sends that instead) and CLBD, signed. */
function readBalances(reader: Reader, statement: XmlNode, currency: string, path: string): Balances {
  const found = new Map<string, Money>();
  for (const [index, balance] of reader.all(statement, 'Bal').entries()) {
    const balancePath = `${path}/Bal[${index + 1}]`;
    const code = reader.pathText(balance, ['Tp', 'CdOrPrtry', 'Cd'], balancePath);
    const amount = sameCurrency(readAmount(reader, balance, balancePath), currency, balancePath);
    const signed =
      direction(reader, balance, balancePath) === 'DEBIT' ? subtract(zero(currency), amount) : amount;
    const dateNode = reader.required(balance, 'Dt', balancePath);
    choiceDate(reader, dateNode, `${balancePath}/Dt`);
    if (code === null) continue;
    if (found.has(code)) {
      // Two opening or closing balances would let the check pass on either; the file is ambiguous.
      throw invalid(
        'REPEATED_ELEMENT',
        `The statement has two ${code} balances; ask the bank for a corrected file.`,
        { element: `${path}/Bal`, code },
      );
    }
    found.set(code, signed);
  }
  return { opening: found.get('OPBD') ?? found.get('PRCD') ?? null, closing: found.get('CLBD') ?? null };
}

function readAccount(
  reader: Reader,
  statement: XmlNode,
  path: string,
): { iban: string | null; other: string | null; currency: string | null } {
  const account = reader.required(statement, 'Acct', path);
  const id = reader.required(account, 'Id', `${path}/Acct`);
  const iban = reader.optionalText(id, 'IBAN', `${path}/Acct/Id`);
  const other = reader.pathText(id, ['Othr', 'Id'], `${path}/Acct/Id`);
  if (iban === null && other === null) {
    throw invalid(
      'MISSING_ELEMENT',
      `${path}/Acct/Id has neither IBAN nor Othr/Id; ask the bank for a complete file.`,
      {
        element: `${path}/Acct/Id`,
      },
    );
  }
  const currency = reader.optionalText(account, 'Ccy', `${path}/Acct`);
  if (currency !== null && !CURRENCY.test(currency)) {
    throw invalid(
      'ACCOUNT_CURRENCY',
      `${path}/Acct/Ccy "${currency}" is not an ISO 4217 code; ask the bank to resend.`,
    );
  }
  return { iban, other, currency };
}

/** Acct/Ccy when given; else the one currency the first balance or entry is in (the rest must agree). */
function accountCurrency(reader: Reader, statement: XmlNode, declared: string | null, path: string): string {
  if (declared !== null) return declared;
  const first = reader.all(statement, 'Bal')[0] ?? reader.all(statement, 'Ntry')[0];
  const amount = first ? reader.optional(first, 'Amt', path) : undefined;
  const currency = amount ? attribute(amount, 'Ccy') : null;
  if (currency === null || !CURRENCY.test(currency)) {
    throw invalid(
      'ACCOUNT_CURRENCY',
      `${path}/Acct/Ccy is missing and no amount shows the account currency; ask the bank for a complete file.`,
    );
  }
  return currency;
}

function readReport(
  messageType: MessageType,
  bodyName: string,
  reportName: string,
  xml: string,
): { statement: BankStatement; booked: Money } {
  const { reader, body } = openMessage(xml, messageType, bodyName);
  const header = reader.required(body, 'GrpHdr', bodyName);
  const messageId = reader.requiredText(header, 'MsgId', `${bodyName}/GrpHdr`);
  const createdAt = checkDateTime(
    reader.requiredText(header, 'CreDtTm', `${bodyName}/GrpHdr`),
    'GrpHdr/CreDtTm',
  );
  const reports = reader.all(body, reportName);
  if (reports.length !== 1) {
    throw invalid(
      'SINGLE_STATEMENT',
      `The file holds ${reports.length} ${reportName} blocks; Tollgate reads exactly one account report per file. Ask the bank for one file per account and day.`,
      { found: reports.length },
    );
  }
  const report = reports[0] as XmlNode;
  const statementId = reader.requiredText(report, 'Id', reportName);
  const account = readAccount(reader, report, reportName);
  const currency = accountCurrency(reader, report, account.currency, reportName);
  const balances =
    messageType === 'camt.053.001.08'
      ? readBalances(reader, report, currency, reportName)
      : { opening: null, closing: null };

  const entryNodes = reader.all(report, 'Ntry');
  if (entryNodes.length > MAX_ENTRIES) {
    throw invalid(
      'TOO_MANY_ENTRIES',
      `The statement has ${entryNodes.length} entries, over the ${MAX_ENTRIES} limit; ask the bank to split it.`,
      { limit: MAX_ENTRIES },
    );
  }
  const context: EntryContext = { reader, statementId, currency };
  const entries: StatementEntry[] = [];
  let booked = zero(currency);
  for (const [index, node] of entryNodes.entries()) {
    const { entries: read, total } = readEntry(context, node, index);
    const first = read[0];
    if (first?.status === 'BOOKED') {
      booked = first.direction === 'CREDIT' ? add(booked, total) : subtract(booked, total);
    }
    entries.push(...read);
    if (entries.length > MAX_ENTRIES) {
      throw invalid(
        'TOO_MANY_ENTRIES',
        `The statement's batches split into more than ${MAX_ENTRIES} entries; ask the bank to split the statement.`,
        { limit: MAX_ENTRIES },
      );
    }
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.entryRef)) {
      throw invalid(
        'DUPLICATE_ENTRY_REF',
        `Entry reference "${entry.entryRef}" appears twice; each entry must be identifiable to be reconciled once. Ask the bank to resend.`,
        { entryRef: entry.entryRef },
      );
    }
    seen.add(entry.entryRef);
  }
  return {
    statement: {
      messageType,
      messageId,
      statementId,
      account: { iban: account.iban, other: account.other, currency },
      createdAt,
      opening: balances.opening,
      closing: balances.closing,
      entries,
    },
    booked,
  };
}

/** camt.053.001.08: one Stmt, opening and closing balances that the booked entries explain exactly. */
export function parseCamt053(xml: string): BankStatement {
  const { statement, booked } = readReport('camt.053.001.08', 'BkToCstmrStmt', 'Stmt', xml);
  const { opening, closing } = statement;
  if (opening === null || closing === null) {
    throw invalid(
      'BALANCE_MISSING',
      `The statement has no ${opening === null ? 'opening (OPBD or PRCD)' : 'closing (CLBD)'} balance, so it cannot be proven complete; ask the bank for an end-of-day statement.`,
    );
  }
  const expected = add(opening, booked);
  if (expected.minor !== closing.minor) {
    throw invalid(
      'BALANCE_MISMATCH',
      'Opening balance plus booked credits minus booked debits does not equal the closing balance: entries are missing or wrong. Ask the bank to resend the statement.',
      {
        opening: opening.minor.toString(),
        booked: booked.minor.toString(),
        closing: closing.minor.toString(),
      },
    );
  }
  return statement;
}

/** camt.054.001.08: one Ntfctn; a notification has no balances, so none are checked. */
export function parseCamt054(xml: string): BankStatement {
  return readReport('camt.054.001.08', 'BkToCstmrDbtCdtNtfctn', 'Ntfctn', xml).statement;
}

// ---------------------------------------------------------------------------------------------
// ISO 11649 creditor references
// ---------------------------------------------------------------------------------------------

const CREDITOR_REFERENCE = /^RF(\d{2})([A-Z0-9]{1,21})$/;
const REFERENCE_BASE = /^[A-Z0-9]{1,21}$/;

/** Print format ("RF18 5390 0754 7034") to the electronic form. */
export function normaliseCreditorReference(ref: string): string {
  return ref.replace(/\s+/g, '').toUpperCase();
}

/** Letters as 10–35, then the whole number mod 97; at most 25 characters, so the loop is bounded. */
function mod97(value: string): number {
  let remainder = 0;
  for (const char of value) {
    const digits = char >= '0' && char <= '9' ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

/** ISO 11649: RF, two check digits (02–98), up to 21 letters or digits; rearranged mod 97 = 1. */
export function isValidCreditorReference(ref: string): boolean {
  if (typeof ref !== 'string') return false;
  const value = normaliseCreditorReference(ref);
  const match = CREDITOR_REFERENCE.exec(value);
  if (!match) return false;
  const check = Number(match[1]);
  if (check < 2 || check > 98) return false;
  return mod97(`${match[2]}${value.slice(0, 4)}`) === 1;
}

/** The RF reference for a base of up to 21 letters or digits, e.g. an invoice number without dashes. */
export function creditorReferenceFor(base: string): string {
  const value = normaliseCreditorReference(base);
  if (!REFERENCE_BASE.test(value)) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `"${base}" cannot be a creditor reference base; use 1 to 21 letters or digits.`,
    );
  }
  const check = 98 - mod97(`${value}RF00`);
  return `RF${String(check).padStart(2, '0')}${value}`;
}
