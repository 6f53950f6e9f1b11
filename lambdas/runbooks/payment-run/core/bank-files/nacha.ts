import { isValidAbaRouting } from '#platform/core/bank-accounts.ts';
import { formatMoney, fromMinor } from '#platform/core/money.ts';
import { ADDENDA, BATCH_HEADER, type Columns, ENTRY, FILE_HEADER } from './nacha-layout.ts';
import {
  type BankFileSummary,
  bankFileInvalid,
  checkPaymentList,
  isIsoDate,
  MAX_FILE_CHARACTERS,
  type NachaRequest,
} from './payment-file.ts';

/**
 * NACHA ACH file of credits: file header (1), one batch header (5, service class 220, credits
 * only), an entry detail (6) per payment with an optional addenda (7, type 05), batch control
 * (8), file control (9), each record 94 characters, the file filled with all-9 records to a
 * multiple of 10 records (blocking factor 10).
 *
 * Decisions:
 * - The end-to-end id travels in the 15-character identification number of the entry, so ACH
 *   end-to-end ids are at most 15 characters; a longer one is refused, never cut, because the
 *   bank's return must match it exactly.
 * - Names (file, company, receiver) are upper-cased and truncated to their field: the bank
 *   pays on routing and account, and NACHA lets names be cut. Identifiers, the entry
 *   description and the remittance are refused when too long: cutting them changes meaning.
 * - Any character outside printable ASCII (line breaks, tabs, accents) is refused: a newline
 *   inside a field would split a record and shift every field after it.
 * - The remittance goes in a type 05 addenda: for CCD as the NACHA-endorsed RMR segment
 *   (`RMR*IV*<invoice>**<amount>\`), which receivers' systems reconcile automatically; for
 *   PPD as plain text.
 */

const RECORD_LENGTH = 94;
const BLOCKING_FACTOR = 10;
const BLOCK_FILL = '9'.repeat(RECORD_LENGTH);
const SERVICE_CLASS_CREDITS = '220';
const TRANSACTION_CODES = { checking: '22', savings: '32' } as const;
const CREDIT_CODES: ReadonlySet<string> = new Set(Object.values(TRANSACTION_CODES));
const SEC_CODES: ReadonlySet<string> = new Set(['PPD', 'CCD']);
const MAX_ACH_END_TO_END_ID = 15;
const MAX_ENTRY_CENTS = 9_999_999_999n;
const MAX_TOTAL_CENTS = 999_999_999_999n;
const ENTRY_HASH_MODULUS = 10_000_000_000n;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ACCOUNT_NUMBER = /^[0-9A-Za-z-]{1,17}$/;
/** X12 delimiters: inside an RMR segment they would end it early. */
const X12_DELIMITERS = /[*\\~]/;

function alpha(value: string, width: number): string {
  return value.padEnd(width, ' ');
}

function numeric(value: bigint | number, width: number): string {
  return String(value).padStart(width, '0');
}

interface TextField {
  name: string;
  width: number;
  /** Names may be cut to their field; other text is refused when too long. */
  truncate?: boolean;
  upperCase?: boolean;
}

function nachaText(value: string, field: TextField): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const written = field.upperCase ? trimmed.toUpperCase() : trimmed;
  if (!PRINTABLE_ASCII.test(written)) {
    throw bankFileInvalid(
      'NACHA_CHARSET',
      `${field.name} has characters outside printable ASCII (line breaks, tabs, accents); NACHA files carry plain ASCII only, so replace them.`,
      { field: field.name },
    );
  }
  if (written.length === 0) {
    throw bankFileInvalid('FIELD_LENGTH', `${field.name} is empty; fill it in.`, { field: field.name });
  }
  if (written.length > field.width) {
    if (field.truncate) return written.slice(0, field.width).trimEnd();
    throw bankFileInvalid(
      'FIELD_LENGTH',
      `${field.name} has ${written.length} characters; the NACHA field holds ${field.width}. Shorten it.`,
      { field: field.name, max: field.width },
    );
  }
  return written;
}

function yymmdd(isoDate: string, name: string): string {
  if (!isIsoDate(isoDate)) {
    throw bankFileInvalid('DATE_FORMAT', `${name} "${isoDate}" is not a calendar date written YYYY-MM-DD.`);
  }
  if (!isoDate.startsWith('20')) {
    throw bankFileInvalid(
      'DATE_FORMAT',
      `${name} ${isoDate} is outside 2000–2099, which NACHA's 2-digit year can carry.`,
    );
  }
  return isoDate.slice(2).replaceAll('-', '');
}

function record(fields: readonly string[]): string {
  const line = fields.join('');
  // Every field is padded or checked to width above; a wrong length here is a bug, never sent.
  if (line.length !== RECORD_LENGTH) {
    throw bankFileInvalid(
      'RECORD_LENGTH',
      `A record came out ${line.length} characters long, not 94; the file was not written.`,
    );
  }
  return line;
}

function remittanceInformation(
  remittance: string,
  secCode: 'PPD' | 'CCD',
  cents: bigint,
  endToEndId: string,
): string {
  const name = `Remittance of "${endToEndId}"`;
  if (secCode === 'PPD') return nachaText(remittance, { name, width: 80 });
  const invoice = nachaText(remittance, { name, width: 80 });
  if (X12_DELIMITERS.test(invoice)) {
    throw bankFileInvalid(
      'NACHA_CHARSET',
      `${name} contains *, \\ or ~, which end an RMR segment; remove them.`,
    );
  }
  const segment = `RMR*IV*${invoice}**${formatMoney(fromMinor(cents, 'USD'))}\\`;
  if (segment.length > 80) {
    throw bankFileInvalid(
      'FIELD_LENGTH',
      `${name} is too long for the 80-character addenda with its amount; shorten it to ${80 - (segment.length - invoice.length)} characters.`,
    );
  }
  return segment;
}

export function buildNacha(req: NachaRequest): { content: string; summary: BankFileSummary } {
  checkPaymentList(req.payments, MAX_ACH_END_TO_END_ID);
  if (!isValidAbaRouting(req.immediateDestination)) {
    throw bankFileInvalid(
      'ROUTING_CHECK_DIGIT',
      `The immediate destination "${req.immediateDestination}" is not a 9-digit ABA routing number with a valid check digit.`,
    );
  }
  const origin = typeof req.immediateOrigin === 'string' ? req.immediateOrigin : '';
  if (origin.length !== 10 || !PRINTABLE_ASCII.test(origin)) {
    throw bankFileInvalid(
      'FIELD_FORMAT',
      'The immediate origin is 10 characters exactly, as the bank assigned it.',
    );
  }
  if (!/^[A-Z0-9]$/.test(req.fileIdModifier)) {
    throw bankFileInvalid('FIELD_FORMAT', `File id modifier "${req.fileIdModifier}" is one of A–Z or 0–9.`);
  }
  const companyId = typeof req.company.id === 'string' ? req.company.id : '';
  if (companyId.length !== 10 || !PRINTABLE_ASCII.test(companyId)) {
    throw bankFileInvalid(
      'FIELD_FORMAT',
      'The company identification is 10 characters exactly, as the bank assigned it.',
    );
  }
  const odfi = req.company.originatingDfi;
  if (!/^\d{8}$/.test(odfi)) {
    throw bankFileInvalid(
      'FIELD_FORMAT',
      `The originating DFI "${odfi}" is the first 8 digits of the bank's routing number.`,
    );
  }
  if (!SEC_CODES.has(req.secCode)) {
    throw bankFileInvalid('SEC_CODE', `SEC code "${req.secCode}" is not supported; use PPD or CCD.`);
  }
  const batchNumber = req.batchNumber ?? 1;
  if (!Number.isInteger(batchNumber) || batchNumber < 1 || batchNumber > 9_999_999) {
    throw bankFileInvalid(
      'FIELD_FORMAT',
      `Batch number ${batchNumber} is not a whole number from 1 to 9999999.`,
    );
  }
  const createdAt = req.createdAt;
  if (!(createdAt instanceof Date) || Number.isNaN(createdAt.getTime())) {
    throw bankFileInvalid('DATE_FORMAT', 'The creation time is not a valid date; pass a Date.');
  }
  const created = createdAt.toISOString();
  const effective = yymmdd(req.effectiveEntryDate, 'The effective entry date');

  let entryHash = 0n;
  let totalCredit = 0n;
  let entryAndAddendaCount = 0;
  const batchRecords: string[] = [];
  for (const [index, payment] of req.payments.entries()) {
    const path = `Payment ${index + 1} ("${payment.endToEndId}")`;
    const account = payment.creditor.account;
    if (account.kind !== 'ach') {
      throw bankFileInvalid('ACCOUNT_KIND', `${path} pays an IBAN account; send it in a pain.001 file.`, {
        index,
      });
    }
    if (payment.amount.currency !== 'USD') {
      throw bankFileInvalid(
        'NACHA_CURRENCY',
        `${path} is in ${payment.amount.currency}; ACH pays USD only.`,
        { index },
      );
    }
    if (payment.amount.minor > MAX_ENTRY_CENTS) {
      throw bankFileInvalid(
        'AMOUNT_TOO_LARGE',
        `${path} is over 99,999,999.99 USD, the most one ACH entry carries; use a wire.`,
        {
          index,
        },
      );
    }
    if (!isValidAbaRouting(account.routingNumber)) {
      throw bankFileInvalid(
        'ROUTING_CHECK_DIGIT',
        `${path} routing number "${account.routingNumber}" is not a 9-digit ABA number with a valid check digit.`,
        { index },
      );
    }
    const accountNumber = typeof account.accountNumber === 'string' ? account.accountNumber.trim() : '';
    if (!ACCOUNT_NUMBER.test(accountNumber)) {
      throw bankFileInvalid(
        'ACCOUNT_NUMBER_FORMAT',
        `${path} account number is 1–17 letters, digits or hyphens.`,
        { index },
      );
    }
    const transactionCode = TRANSACTION_CODES[account.accountType];
    if (transactionCode === undefined) {
      throw bankFileInvalid('TRANSACTION_CODE', `${path} account type is checking or savings.`, { index });
    }
    const remittance = (payment.remittance ?? '').trim();
    const addenda =
      remittance === ''
        ? undefined
        : remittanceInformation(remittance, req.secCode, payment.amount.minor, payment.endToEndId);
    const sequence = numeric(index + 1, 7);
    const rdfi = account.routingNumber.slice(0, 8);
    entryHash += BigInt(rdfi);
    totalCredit += payment.amount.minor;
    batchRecords.push(
      record([
        '6',
        transactionCode,
        rdfi,
        account.routingNumber.slice(8),
        alpha(accountNumber, 17),
        numeric(payment.amount.minor, 10),
        alpha(payment.endToEndId, 15),
        alpha(
          nachaText(payment.creditor.name, {
            name: `${path} name`,
            width: 22,
            truncate: true,
            upperCase: true,
          }),
          22,
        ),
        '  ',
        addenda === undefined ? '0' : '1',
        `${odfi}${sequence}`,
      ]),
    );
    entryAndAddendaCount += 1;
    if (addenda !== undefined) {
      batchRecords.push(record(['7', '05', alpha(addenda, 80), '0001', sequence]));
      entryAndAddendaCount += 1;
    }
  }
  if (totalCredit > MAX_TOTAL_CENTS) {
    throw bankFileInvalid(
      'AMOUNT_TOO_LARGE',
      'The batch total is over 9,999,999,999.99 USD; split the run into several files.',
    );
  }
  const hash = entryHash % ENTRY_HASH_MODULUS;
  const companyName = nachaText(req.company.name, {
    name: 'Company name',
    width: 16,
    truncate: true,
    upperCase: true,
  });
  const description = nachaText(req.company.entryDescription, {
    name: 'Company entry description',
    width: 10,
    upperCase: true,
  });
  const records = [
    record([
      '1',
      '01',
      ` ${req.immediateDestination}`,
      origin,
      created.slice(2, 4) + created.slice(5, 7) + created.slice(8, 10),
      created.slice(11, 13) + created.slice(14, 16),
      req.fileIdModifier,
      '094',
      String(BLOCKING_FACTOR),
      '1',
      alpha(
        nachaText(req.immediateDestinationName, {
          name: 'Immediate destination name',
          width: 23,
          truncate: true,
          upperCase: true,
        }),
        23,
      ),
      alpha(
        nachaText(req.immediateOriginName, {
          name: 'Immediate origin name',
          width: 23,
          truncate: true,
          upperCase: true,
        }),
        23,
      ),
      alpha('', 8),
    ]),
    record([
      '5',
      SERVICE_CLASS_CREDITS,
      alpha(companyName, 16),
      alpha('', 20),
      companyId,
      req.secCode,
      alpha(description, 10),
      alpha('', 6),
      effective,
      alpha('', 3),
      '1',
      odfi,
      numeric(batchNumber, 7),
    ]),
    ...batchRecords,
    record([
      '8',
      SERVICE_CLASS_CREDITS,
      numeric(entryAndAddendaCount, 6),
      numeric(hash, 10),
      numeric(0n, 12),
      numeric(totalCredit, 12),
      companyId,
      alpha('', 19),
      alpha('', 6),
      odfi,
      numeric(batchNumber, 7),
    ]),
  ];
  const blockCount = Math.ceil((records.length + 1) / BLOCKING_FACTOR);
  records.push(
    record([
      '9',
      numeric(1, 6),
      numeric(blockCount, 6),
      numeric(entryAndAddendaCount, 8),
      numeric(hash, 10),
      numeric(0n, 12),
      numeric(totalCredit, 12),
      alpha('', 39),
    ]),
  );
  while (records.length % BLOCKING_FACTOR !== 0) records.push(BLOCK_FILL);
  const content = `${records.join('\n')}\n`;
  // Pair assertion: the file is read back by the rules a bank applies before it leaves here.
  const summary = validateNacha(content);
  if (summary.controlSum.minor !== totalCredit || summary.numberOfTransactions !== req.payments.length) {
    throw bankFileInvalid(
      'ROUND_TRIP',
      'The written file does not read back as the payments given; do not send it.',
    );
  }
  return { content, summary };
}

const BATCH_CONTROL = {
  serviceClass: [2, 4],
  count: [5, 10],
  hash: [11, 20],
  debit: [21, 32],
  credit: [33, 44],
  companyId: [45, 54],
  odfi: [80, 87],
  batchNumber: [88, 94],
} as const satisfies Record<string, Columns>;
const FILE_CONTROL = {
  batchCount: [2, 7],
  blockCount: [8, 13],
  count: [14, 21],
  hash: [22, 31],
  debit: [32, 43],
  credit: [44, 55],
} as const satisfies Record<string, Columns>;

interface Reader {
  line: string;
  number: number;
}

function field(at: Reader, [from, to]: Columns): string {
  return at.line.slice(from - 1, to);
}

function digits(at: Reader, columns: Columns, name: string): bigint {
  const value = field(at, columns);
  if (!/^\d+$/.test(value)) {
    throw bankFileInvalid(
      'NUMERIC_FIELD',
      `Line ${at.number}: ${name} (columns ${columns[0]}–${columns[1]}) is "${value}", not digits.`,
      { line: at.number, field: name },
    );
  }
  return BigInt(value);
}

function expect(condition: boolean, rule: string, at: Reader, message: string): void {
  if (!condition) throw bankFileInvalid(rule, `Line ${at.number}: ${message}`, { line: at.number });
}

/** Control fields recomputed from the records they count; each mismatch has its own rule. */
function checkControls(
  at: Reader,
  controls: readonly { rule: string; columns: Columns; name: string; value: bigint }[],
): void {
  for (const control of controls) {
    const found = digits(at, control.columns, control.name);
    expect(
      found === control.value,
      control.rule,
      at,
      `${control.name} is ${found}, but the records give ${control.value}; the bank would reject the file.`,
    );
  }
}

function isYymmdd(value: string): boolean {
  return (
    /^\d{6}$/.test(value) && isIsoDate(`20${value.slice(0, 2)}-${value.slice(2, 4)}-${value.slice(4, 6)}`)
  );
}

/** Reads records in order; every read is bounded by the file's record count. */
class RecordCursor {
  private position = 0;
  private readonly records: readonly Reader[];
  constructor(records: readonly Reader[]) {
    this.records = records;
  }
  peek(): Reader | undefined {
    return this.records[this.position];
  }
  take(): Reader | undefined {
    const record = this.records[this.position];
    if (record !== undefined) this.position += 1;
    return record;
  }
  lineNumber(): number {
    return this.peek()?.number ?? this.records.length;
  }
}

function readFileHeader(header: Reader | undefined): { messageId: string } {
  if (header === undefined || header.line[0] !== '1') {
    throw bankFileInvalid('RECORD_ORDER', 'Line 1 is not a file header (record type 1).', { line: 1 });
  }
  expect(field(header, FILE_HEADER.priority) === '01', 'FILE_HEADER', header, 'priority code is not 01.');
  const destination = field(header, FILE_HEADER.destination);
  expect(
    /^ \d{9}$/.test(destination),
    'FIELD_FORMAT',
    header,
    'immediate destination is not a space and 9 digits.',
  );
  expect(
    isValidAbaRouting(destination.slice(1)),
    'ROUTING_CHECK_DIGIT',
    header,
    'immediate destination fails the ABA check digit.',
  );
  const creationDate = field(header, FILE_HEADER.creationDate);
  const creationTime = field(header, FILE_HEADER.creationTime);
  expect(isYymmdd(creationDate), 'DATE_FORMAT', header, 'file creation date is not YYMMDD.');
  // Creation time is optional in the standard: blank, or HHMM.
  const time =
    /^\d{4}$/.test(creationTime) &&
    Number(creationTime.slice(0, 2)) < 24 &&
    Number(creationTime.slice(2)) < 60;
  expect(creationTime === '    ' || time, 'DATE_FORMAT', header, 'file creation time is not HHMM.');
  const modifier = field(header, FILE_HEADER.modifier);
  expect(/^[A-Z0-9]$/.test(modifier), 'FIELD_FORMAT', header, 'file id modifier is not A–Z or 0–9.');
  expect(field(header, FILE_HEADER.recordSize) === '094', 'FILE_HEADER', header, 'record size is not 094.');
  expect(
    field(header, FILE_HEADER.blockingFactor) === '10',
    'FILE_HEADER',
    header,
    'blocking factor is not 10.',
  );
  expect(field(header, FILE_HEADER.formatCode) === '1', 'FILE_HEADER', header, 'format code is not 1.');
  const origin = field(header, FILE_HEADER.origin).trim();
  return { messageId: `${origin}:${creationDate}${creationTime.trim()}${modifier}` };
}

interface BatchTotals {
  entryAndAddendaCount: bigint;
  entryHash: bigint;
  totalCredit: bigint;
}

/** One entry and its addenda, if the entry says one follows. */
function readEntry(
  cursor: RecordCursor,
  entry: Reader,
  batch: { odfi: string; lastTrace: bigint },
  endToEndIds: { list: string[]; seen: Set<string> },
): { records: bigint; routing: bigint; amount: bigint; trace: bigint } {
  expect(
    CREDIT_CODES.has(field(entry, ENTRY.transactionCode)),
    'TRANSACTION_CODE',
    entry,
    'transaction code is not 22 or 32 (credit).',
  );
  digits(entry, ENTRY.routing, 'receiving DFI routing number');
  const routing = field(entry, ENTRY.routing);
  expect(
    isValidAbaRouting(routing),
    'ROUTING_CHECK_DIGIT',
    entry,
    `routing number ${routing} fails the ABA check digit.`,
  );
  expect(field(entry, ENTRY.account).trim() !== '', 'FIELD_FORMAT', entry, 'account number is blank.');
  const amount = digits(entry, ENTRY.amount, 'amount');
  expect(amount > 0n, 'AMOUNT_NOT_POSITIVE', entry, 'amount is zero; a credit pays more than zero.');
  const endToEndId = field(entry, ENTRY.endToEndId).trim();
  expect(endToEndId !== '', 'FIELD_FORMAT', entry, 'identification number (the end-to-end id) is blank.');
  expect(
    !endToEndIds.seen.has(endToEndId),
    'DUPLICATE_END_TO_END_ID',
    entry,
    `end-to-end id "${endToEndId}" appears twice.`,
  );
  endToEndIds.seen.add(endToEndId);
  endToEndIds.list.push(endToEndId);
  expect(field(entry, ENTRY.name).trim() !== '', 'FIELD_FORMAT', entry, 'receiver name is blank.');
  const indicator = field(entry, ENTRY.addendaIndicator);
  expect(
    indicator === '0' || indicator === '1',
    'FIELD_FORMAT',
    entry,
    'addenda record indicator is not 0 or 1.',
  );
  const trace = digits(entry, ENTRY.trace, 'trace number');
  expect(
    field(entry, ENTRY.traceOdfi) === batch.odfi,
    'TRACE_NUMBER',
    entry,
    'trace number does not start with the batch ODFI.',
  );
  expect(trace > batch.lastTrace, 'TRACE_NUMBER', entry, 'trace numbers do not ascend within the batch.');

  const following = cursor.peek();
  if (indicator === '0') {
    expect(
      following?.line[0] !== '7',
      'RECORD_ORDER',
      following ?? entry,
      'an addenda follows an entry whose indicator is 0.',
    );
    return { records: 1n, routing: BigInt(routing.slice(0, 8)), amount, trace };
  }
  if (following === undefined || following.line[0] !== '7') {
    throw bankFileInvalid(
      'ADDENDA_MISSING',
      `Line ${entry.number}: the entry says an addenda follows, but none does.`,
      {
        line: entry.number,
      },
    );
  }
  cursor.take();
  expect(field(following, ADDENDA.type) === '05', 'ADDENDA_TYPE', following, 'addenda type is not 05.');
  expect(
    field(following, ADDENDA.sequence) === '0001',
    'ADDENDA_SEQUENCE',
    following,
    'addenda sequence number is not 0001.',
  );
  expect(
    field(following, ADDENDA.entrySequence) === field(entry, ENTRY.traceSequence),
    'ADDENDA_SEQUENCE',
    following,
    'entry detail sequence number does not match its entry’s trace number.',
  );
  return { records: 2n, routing: BigInt(routing.slice(0, 8)), amount, trace };
}

function readBatch(
  cursor: RecordCursor,
  header: Reader,
  endToEndIds: { list: string[]; seen: Set<string> },
): BatchTotals {
  expect(
    field(header, BATCH_HEADER.serviceClass) === SERVICE_CLASS_CREDITS,
    'SERVICE_CLASS',
    header,
    'service class is not 220 (credits only).',
  );
  expect(
    SEC_CODES.has(field(header, BATCH_HEADER.secCode)),
    'SEC_CODE',
    header,
    'SEC code is not PPD or CCD.',
  );
  expect(
    isYymmdd(field(header, BATCH_HEADER.effectiveDate)),
    'DATE_FORMAT',
    header,
    'effective entry date is not YYMMDD.',
  );
  digits(header, BATCH_HEADER.odfi, 'originating DFI');
  digits(header, BATCH_HEADER.batchNumber, 'batch number');
  const batch = { odfi: field(header, BATCH_HEADER.odfi), lastTrace: -1n };
  const totals: BatchTotals = { entryAndAddendaCount: 0n, entryHash: 0n, totalCredit: 0n };
  for (let entry = cursor.peek(); entry?.line[0] === '6'; entry = cursor.peek()) {
    cursor.take();
    const read = readEntry(cursor, entry, batch, endToEndIds);
    batch.lastTrace = read.trace;
    totals.entryAndAddendaCount += read.records;
    totals.entryHash += read.routing;
    totals.totalCredit += read.amount;
  }
  const control = cursor.take();
  if (control === undefined || control.line[0] !== '8') {
    const line = control?.number ?? cursor.lineNumber();
    throw bankFileInvalid(
      'RECORD_ORDER',
      `Line ${line}: expected an entry (6), addenda (7) or batch control (8) record.`,
      { line },
    );
  }
  expect(totals.entryAndAddendaCount > 0n, 'RECORD_ORDER', control, 'the batch has no entries.');
  checkControls(control, [
    {
      rule: 'BATCH_ENTRY_COUNT',
      columns: BATCH_CONTROL.count,
      name: 'entry/addenda count',
      value: totals.entryAndAddendaCount,
    },
    {
      rule: 'BATCH_ENTRY_HASH',
      columns: BATCH_CONTROL.hash,
      name: 'entry hash',
      value: totals.entryHash % ENTRY_HASH_MODULUS,
    },
    { rule: 'BATCH_TOTAL_DEBIT', columns: BATCH_CONTROL.debit, name: 'total debit', value: 0n },
    {
      rule: 'BATCH_TOTAL_CREDIT',
      columns: BATCH_CONTROL.credit,
      name: 'total credit',
      value: totals.totalCredit,
    },
  ]);
  const sameAsHeader: [string, Columns, Columns, string][] = [
    ['BATCH_SERVICE_CLASS', BATCH_CONTROL.serviceClass, BATCH_HEADER.serviceClass, 'service class'],
    ['BATCH_COMPANY_ID', BATCH_CONTROL.companyId, BATCH_HEADER.companyId, 'company identification'],
    ['BATCH_ODFI', BATCH_CONTROL.odfi, BATCH_HEADER.odfi, 'originating DFI'],
    ['BATCH_NUMBER', BATCH_CONTROL.batchNumber, BATCH_HEADER.batchNumber, 'batch number'],
  ];
  for (const [rule, inControl, inHeader, name] of sameAsHeader) {
    expect(
      field(control, inControl) === field(header, inHeader),
      rule,
      control,
      `${name} differs from the batch header.`,
    );
  }
  return totals;
}

/**
 * Reads a NACHA credit file back and checks what a bank's ACH processing would reject on:
 * record lengths, character set, record order, blocking and fill, header constants, numeric
 * fields, ABA check digits, trace numbers, addenda linkage, and every batch and file control
 * total recomputed. Some banks accept a file without all-9 fill; we always write it and require
 * it. The summary's message id is immediate origin, creation date and time and file id
 * modifier: what tells one file from another at the receiving bank.
 */
export function validateNacha(text: string): BankFileSummary {
  if (typeof text !== 'string' || text.length === 0) {
    throw bankFileInvalid('EMPTY_FILE', 'The NACHA file is empty; pass the whole file.');
  }
  if (text.length > MAX_FILE_CHARACTERS) {
    throw bankFileInvalid(
      'FILE_TOO_LARGE',
      'The NACHA file is too large to check; split the payments into smaller files.',
    );
  }
  const body = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  const records: Reader[] = body.split(/\r?\n/).map((line, index) => ({ line, number: index + 1 }));
  for (const at of records) {
    expect(
      at.line.length === RECORD_LENGTH,
      'RECORD_LENGTH',
      at,
      `record is ${at.line.length} characters; every record is 94.`,
    );
    expect(
      PRINTABLE_ASCII.test(at.line),
      'NACHA_CHARSET',
      at,
      'record has characters outside printable ASCII.',
    );
  }
  if (records.length % BLOCKING_FACTOR !== 0) {
    throw bankFileInvalid(
      'BLOCKING',
      `The file has ${records.length} records, not a multiple of 10; fill the last block with all-9 records.`,
      { records: records.length },
    );
  }
  const cursor = new RecordCursor(records);
  const { messageId } = readFileHeader(cursor.take());

  const endToEndIds = { list: [] as string[], seen: new Set<string>() };
  const file: BatchTotals = { entryAndAddendaCount: 0n, entryHash: 0n, totalCredit: 0n };
  let batchCount = 0n;
  let lastBatchNumber = 0n;
  for (let header = cursor.peek(); header?.line[0] === '5'; header = cursor.peek()) {
    cursor.take();
    const batchNumber = digits(header, BATCH_HEADER.batchNumber, 'batch number');
    expect(batchNumber > lastBatchNumber, 'BATCH_NUMBER', header, 'batch numbers do not ascend.');
    lastBatchNumber = batchNumber;
    const totals = readBatch(cursor, header, endToEndIds);
    batchCount += 1n;
    file.entryAndAddendaCount += totals.entryAndAddendaCount;
    file.entryHash += totals.entryHash;
    file.totalCredit += totals.totalCredit;
  }
  if (batchCount === 0n) {
    throw bankFileInvalid('RECORD_ORDER', 'Line 2: expected a batch header (5); the file has no batches.', {
      line: 2,
    });
  }
  const trailer = cursor.take();
  if (trailer === undefined || trailer.line[0] !== '9' || trailer.line === BLOCK_FILL) {
    const line = trailer?.number ?? records.length;
    throw bankFileInvalid(
      'RECORD_ORDER',
      `Line ${line}: expected a file control record (9) after the last batch.`,
      {
        line,
      },
    );
  }
  checkControls(trailer, [
    { rule: 'FILE_BATCH_COUNT', columns: FILE_CONTROL.batchCount, name: 'batch count', value: batchCount },
    {
      rule: 'FILE_BLOCK_COUNT',
      columns: FILE_CONTROL.blockCount,
      name: 'block count',
      value: BigInt(records.length / BLOCKING_FACTOR),
    },
    {
      rule: 'FILE_ENTRY_COUNT',
      columns: FILE_CONTROL.count,
      name: 'entry/addenda count',
      value: file.entryAndAddendaCount,
    },
    {
      rule: 'FILE_ENTRY_HASH',
      columns: FILE_CONTROL.hash,
      name: 'entry hash',
      value: file.entryHash % ENTRY_HASH_MODULUS,
    },
    { rule: 'FILE_TOTAL_DEBIT', columns: FILE_CONTROL.debit, name: 'total debit', value: 0n },
    {
      rule: 'FILE_TOTAL_CREDIT',
      columns: FILE_CONTROL.credit,
      name: 'total credit',
      value: file.totalCredit,
    },
  ]);
  for (let fill = cursor.take(); fill !== undefined; fill = cursor.take()) {
    expect(fill.line === BLOCK_FILL, 'BLOCK_FILL', fill, 'records after the file control must be all 9s.');
  }
  return {
    format: 'nacha',
    messageId,
    numberOfTransactions: endToEndIds.list.length,
    controlSum: fromMinor(file.totalCredit, 'USD'),
    endToEndIds: endToEndIds.list,
  };
}
