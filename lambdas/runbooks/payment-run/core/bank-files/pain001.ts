import { isValidBic, isValidIban, normaliseAccountIdentifier } from '#platform/core/bank-accounts.ts';
import { type Decimal, decimal, minus } from '#platform/core/decimal.ts';
import { currencyExponent, formatMoney, fromMinor, type Money } from '#platform/core/money.ts';
import {
  attribute,
  checkDate,
  checkDateTime,
  checkPlainText,
  checkTextLength,
  element,
  elements,
  isoDateTime,
  optionalElement,
  optionalText,
  readIso20022,
  text,
  writeXml,
  type XmlObject,
} from './iso20022-xml.ts';
import {
  type BankFileSummary,
  bankFileInvalid,
  checkPaymentList,
  isIsoDate,
  MAX_PAYMENTS_PER_FILE,
  type Pain001Request,
} from './payment-file.ts';

/**
 * ISO 20022 pain.001.001.09, Customer Credit Transfer Initiation: one group header, one payment
 * information block, one credit transfer per payment.
 *
 * No pain.001 XSD is available to this code, so `validatePain001` does not claim schema
 * validation: it checks the schema rules we depend on, encoded, plus the EPC SEPA rules for
 * files whose service level is SEPA. Each failure is BANK_FILE_INVALID with a named rule.
 *
 * SEPA character set: text for a SEPA file is transliterated, not refused, when the only
 * problem is an accented Latin letter ("Müller" → "Muller"), because vendor names carry them and
 * the meaning survives. Anything else outside the EPC Latin set ("&", "<", Cyrillic) is refused:
 * guessing a replacement would change what the bank shows. Non-SEPA files carry text as given,
 * XML-escaped.
 */

export const PAIN001_MESSAGE = 'pain.001.001.09';
export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

const ARRAY_TAGS: ReadonlySet<string> = new Set(['PmtInf', 'CdtTrfTxInf', 'Ustrd']);

/** Schema text limits, and the tighter EPC limit on names in SEPA files. */
const MAX35 = 35;
const MAX140 = 140;
const SEPA_NAME_MAX = 70;
/** ActiveOrHistoricCurrencyAndAmount and DecimalNumber both allow 18 digits in all. */
const MAX_TOTAL_DIGITS = 18;

const SEPA_CHARACTERS = /^[A-Za-z0-9/\-?:().,'+ ]*$/;
const LETTERS_WITHOUT_DECOMPOSITION: Readonly<Record<string, string>> = {
  ß: 'ss',
  Æ: 'AE',
  æ: 'ae',
  Ø: 'O',
  ø: 'o',
  Œ: 'OE',
  œ: 'oe',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Þ: 'TH',
  þ: 'th',
};

/** Accented Latin letters to their base letters; everything else is left for the character check. */
export function toSepaLatin(value: string): string {
  return [...value.normalize('NFD').replace(/\p{M}/gu, '')]
    .map((char) => LETTERS_WITHOUT_DECOMPOSITION[char] ?? char)
    .join('');
}

interface TextRule {
  path: string;
  max: number;
  sepa: boolean;
  /** EPC: identifiers may not start or end with "/" nor contain "//". */
  identifier?: boolean;
}

function checkText(value: string, rule: TextRule): void {
  checkPlainText(value, rule.path);
  checkTextLength(value, rule.max, rule.path);
  if (!rule.sepa) return;
  if (!SEPA_CHARACTERS.test(value)) {
    throw bankFileInvalid(
      'SEPA_CHARSET',
      `${rule.path} has characters outside the SEPA Latin set (letters, digits, space and / - ? : ( ) . , ' +); remove them.`,
      { path: rule.path },
    );
  }
  if (rule.identifier && (value.startsWith('/') || value.endsWith('/') || value.includes('//'))) {
    throw bankFileInvalid(
      'SEPA_IDENTIFIER',
      `${rule.path} may not start or end with "/" or contain "//" in a SEPA file.`,
      { path: rule.path },
    );
  }
}

/** Trims, transliterates for SEPA, then checks: the value written is the value checked. */
function prepareText(value: string, rule: TextRule): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const written = rule.sepa ? toSepaLatin(trimmed) : trimmed;
  checkText(written, rule);
  return written;
}

function prepareIban(value: string, path: string): string {
  const iban = normaliseAccountIdentifier(typeof value === 'string' ? value : '');
  if (!isValidIban(iban)) {
    throw bankFileInvalid(
      'IBAN_CHECK',
      `${path} is not a valid IBAN (format or check digits); correct the account.`,
      {
        path,
      },
    );
  }
  return iban;
}

function prepareBic(value: string, path: string): string {
  if (!isValidBic(value)) {
    throw bankFileInvalid(
      'BIC_FORMAT',
      `${path} "${value}" is not a BIC (8 or 11 characters: bank, country, location, optional branch).`,
      { path },
    );
  }
  return value;
}

function financialInstitution(bic: string | undefined): XmlObject {
  // Without a BIC the agent is said to be unknown, as the schema's NOTPROVIDED convention has it.
  return { FinInstnId: bic === undefined ? { Othr: { Id: 'NOTPROVIDED' } } : { BICFI: bic } };
}

function checkAmountDigits(minor: bigint, path: string): void {
  if (minor.toString().length > MAX_TOTAL_DIGITS) {
    throw bankFileInvalid('AMOUNT_TOO_LARGE', `${path} has more than ${MAX_TOTAL_DIGITS} digits.`, { path });
  }
}

export function buildPain001(req: Pain001Request): { content: string; summary: BankFileSummary } {
  const sepa = req.serviceLevel === 'SEPA';
  checkPaymentList(req.payments, MAX35);
  const first = req.payments[0];
  if (first === undefined) throw bankFileInvalid('NO_PAYMENTS', 'A bank file needs at least one payment.');
  const currency = first.amount.currency;
  let total = 0n;
  for (const payment of req.payments) {
    if (payment.amount.currency !== currency) {
      throw bankFileInvalid(
        'MIXED_CURRENCY',
        `Payment "${payment.endToEndId}" is in ${payment.amount.currency}, the file in ${currency}; one file pays one currency, so split the run.`,
        { endToEndId: payment.endToEndId },
      );
    }
    checkAmountDigits(payment.amount.minor, `Amount of "${payment.endToEndId}"`);
    total += payment.amount.minor;
  }
  checkAmountDigits(total, 'CtrlSum');
  if (sepa && currency !== 'EUR') {
    throw bankFileInvalid(
      'SEPA_CURRENCY',
      `A SEPA credit transfer pays EUR only, not ${currency}; use service level NURG.`,
    );
  }
  if (!isIsoDate(req.requestedExecutionDate)) {
    throw bankFileInvalid(
      'DATE_FORMAT',
      `The requested execution date "${req.requestedExecutionDate}" is not a calendar date written YYYY-MM-DD.`,
    );
  }
  const nameMax = sepa ? SEPA_NAME_MAX : MAX140;
  const debtorName = prepareText(req.debtor.name, { path: 'Debtor name', max: nameMax, sepa });
  const transactions = req.payments.map((payment, index) => {
    const path = `Payment ${index + 1} ("${payment.endToEndId}")`;
    const account = payment.creditor.account;
    if (account.kind !== 'iban') {
      throw bankFileInvalid(
        'ACCOUNT_KIND',
        `${path} pays a US ACH account; pain.001 files here pay IBAN accounts, so send it in a NACHA file.`,
        { index },
      );
    }
    const bic = account.bic === undefined ? undefined : prepareBic(account.bic, `${path} creditor BIC`);
    const creditorId =
      payment.creditor.id === undefined
        ? undefined
        : prepareText(payment.creditor.id, { path: `${path} creditor id`, max: MAX35, sepa });
    const remittance = (payment.remittance ?? '').trim();
    return {
      PmtId: { EndToEndId: payment.endToEndId },
      Amt: { InstdAmt: { '@_Ccy': currency, '#text': formatMoney(payment.amount) } },
      ...(bic === undefined ? {} : { CdtrAgt: financialInstitution(bic) }),
      Cdtr: {
        Nm: prepareText(payment.creditor.name, { path: `${path} creditor name`, max: nameMax, sepa }),
        ...(creditorId === undefined ? {} : { Id: { OrgId: { Othr: { Id: creditorId } } } }),
      },
      CdtrAcct: { Id: { IBAN: prepareIban(account.iban, `${path} creditor IBAN`) } },
      ...(remittance === ''
        ? {}
        : { RmtInf: { Ustrd: prepareText(remittance, { path: `${path} remittance`, max: MAX140, sepa }) } }),
    };
  });
  const controlSum = formatMoney(fromMinor(total, currency));
  const count = String(req.payments.length);
  const content = writeXml({
    Document: {
      '@_xmlns': PAIN001_NAMESPACE,
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: prepareText(req.messageId, { path: 'MsgId', max: MAX35, sepa, identifier: true }),
          CreDtTm: isoDateTime(req.createdAt),
          NbOfTxs: count,
          CtrlSum: controlSum,
          InitgPty: { Nm: debtorName },
        },
        PmtInf: {
          PmtInfId: prepareText(req.paymentInfoId, { path: 'PmtInfId', max: MAX35, sepa, identifier: true }),
          PmtMtd: 'TRF',
          NbOfTxs: count,
          CtrlSum: controlSum,
          ...(req.serviceLevel === undefined ? {} : { PmtTpInf: { SvcLvl: { Cd: req.serviceLevel } } }),
          ReqdExctnDt: { Dt: req.requestedExecutionDate },
          Dbtr: { Nm: debtorName },
          DbtrAcct: { Id: { IBAN: prepareIban(req.debtor.iban, 'Debtor IBAN') } },
          DbtrAgt: financialInstitution(
            req.debtor.bic === undefined ? undefined : prepareBic(req.debtor.bic, 'Debtor BIC'),
          ),
          ...(sepa ? { ChrgBr: 'SLEV' } : {}),
          CdtTrfTxInf: transactions,
        },
      },
    },
  });
  // Pair assertion: the file is read back by the same rules a bank applies before it leaves here.
  const summary = validatePain001(content);
  if (summary.controlSum.minor !== total || summary.numberOfTransactions !== req.payments.length) {
    throw bankFileInvalid(
      'ROUND_TRIP',
      'The written file does not read back as the payments given; do not send it.',
    );
  }
  return { content, summary };
}

const AMOUNT = /^(\d+)(?:\.(\d+))?$/;
const NUMERIC_TEXT = /^\d{1,15}$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;
/** The schema allows any number of unstructured lines; banks read a few, so more is refused. */
const MAX_REMITTANCE_LINES = 10;
const CHARGE_BEARERS = new Set(['DEBT', 'CRED', 'SHAR', 'SLEV']);

/** An instructed amount in minor units: > 0, no more decimals than the currency has, 18 digits at most. */
function readAmount(value: string, currency: string, path: string): bigint {
  if (!CURRENCY_CODE.test(currency)) {
    throw bankFileInvalid('CURRENCY_CODE', `${path} currency "${currency}" is not an ISO 4217 code.`, {
      path,
    });
  }
  const match = AMOUNT.exec(value);
  if (!match) {
    throw bankFileInvalid('AMOUNT_FORMAT', `${path} is "${value}", not a decimal amount like 1234.50.`, {
      path,
    });
  }
  const [, whole = '', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    throw bankFileInvalid(
      'AMOUNT_DECIMALS',
      `${path} is ${value} ${currency}; ${currency} has ${exponent} decimals, so the bank would reject it.`,
      { path, currency, exponent },
    );
  }
  if (`${whole}${fraction}`.replace(/^0+/, '').length > MAX_TOTAL_DIGITS) {
    throw bankFileInvalid('AMOUNT_TOO_LARGE', `${path} has more than ${MAX_TOTAL_DIGITS} digits.`, { path });
  }
  const minor = BigInt(`${whole}${fraction.padEnd(exponent, '0')}`);
  if (minor <= 0n) {
    throw bankFileInvalid(
      'AMOUNT_NOT_POSITIVE',
      `${path} is ${value}; a credit transfer pays more than zero.`,
      {
        path,
      },
    );
  }
  return minor;
}

function readCount(parent: XmlObject, path: string): number {
  const value = text(parent, 'NbOfTxs', `${path}/NbOfTxs`);
  if (!NUMERIC_TEXT.test(value)) {
    throw bankFileInvalid('NUMERIC_FORMAT', `${path}/NbOfTxs is "${value}", not 1 to 15 digits.`, { path });
  }
  return Number(value);
}

function readControlSum(parent: XmlObject, path: string): Decimal {
  const value = text(parent, 'CtrlSum', `${path}/CtrlSum`);
  const match = AMOUNT.exec(value);
  if (
    !match ||
    (match[2] ?? '').length > 17 ||
    `${match[1]}${match[2] ?? ''}`.replace(/^0+/, '').length > 18
  ) {
    throw bankFileInvalid(
      'AMOUNT_FORMAT',
      `${path}/CtrlSum is "${value}", not a decimal number of 18 digits at most.`,
      {
        path,
      },
    );
  }
  return decimal(value);
}

/** CtrlSum is a plain decimal; it must equal the sum exactly, whatever decimals it is written with. */
function checkSum(controlSum: Decimal, total: Money, rule: string, path: string): void {
  const exponent = currencyExponent(total.currency);
  const difference = minus(controlSum, { numerator: total.minor, denominator: 10n ** BigInt(exponent) });
  if (difference.numerator !== 0n) {
    throw bankFileInvalid(
      rule,
      `${path}/CtrlSum does not equal the sum of its transactions; the bank rejects a file whose control sum is wrong.`,
      { path },
    );
  }
}

function readIban(account: XmlObject, path: string): string {
  return text(element(account, 'Id', `${path}/Id`), 'IBAN', `${path}/Id/IBAN`);
}

function checkIban(value: string, path: string): void {
  if (value !== normaliseAccountIdentifier(value) || !isValidIban(value)) {
    throw bankFileInvalid(
      'IBAN_CHECK',
      `${path} "${value}" is not a valid IBAN in electronic form (format or check digits).`,
      {
        path,
      },
    );
  }
}

function checkAgent(parent: XmlObject, name: string, path: string, required: boolean): void {
  const agent = required
    ? element(parent, name, `${path}/${name}`)
    : optionalElement(parent, name, `${path}/${name}`);
  if (agent === undefined) return;
  const institution = element(agent, 'FinInstnId', `${path}/${name}/FinInstnId`);
  const bic = optionalText(institution, 'BICFI', `${path}/${name}/FinInstnId/BICFI`);
  if (bic !== undefined && !isValidBic(bic)) {
    throw bankFileInvalid('BIC_FORMAT', `${path}/${name}/FinInstnId/BICFI "${bic}" is not a BIC.`, { path });
  }
  if (bic === undefined) {
    const other = element(institution, 'Othr', `${path}/${name}/FinInstnId/BICFI or Othr`);
    checkTextLength(
      text(other, 'Id', `${path}/${name}/FinInstnId/Othr/Id`),
      MAX35,
      `${path}/${name}/FinInstnId/Othr/Id`,
    );
  }
}

interface BlockRules {
  sepa: boolean;
  nameMax: number;
  /** End-to-end ids seen so far in the file, in order. */
  endToEndIds: string[];
  seen: Set<string>;
}

/** One CdtTrfTxInf: its id, amount, agent, creditor, account and remittance. */
function readTransaction(transaction: XmlObject, path: string, rules: BlockRules): Money {
  const { sepa } = rules;
  const paymentId = element(transaction, 'PmtId', `${path}/PmtId`);
  const instructionId = optionalText(paymentId, 'InstrId', `${path}/PmtId/InstrId`);
  if (instructionId !== undefined) {
    checkText(instructionId, { path: `${path}/PmtId/InstrId`, max: MAX35, sepa, identifier: true });
  }
  const endToEndId = text(paymentId, 'EndToEndId', `${path}/PmtId/EndToEndId`);
  checkText(endToEndId, { path: `${path}/PmtId/EndToEndId`, max: MAX35, sepa, identifier: true });
  if (rules.seen.has(endToEndId)) {
    throw bankFileInvalid(
      'DUPLICATE_END_TO_END_ID',
      `End-to-end id "${endToEndId}" appears twice; a status report could not be matched to one payment.`,
      { endToEndId },
    );
  }
  rules.seen.add(endToEndId);
  rules.endToEndIds.push(endToEndId);

  const amount = element(transaction, 'Amt', `${path}/Amt`);
  const currency = attribute(amount, 'InstdAmt', 'Ccy', `${path}/Amt/InstdAmt`);
  const minor = readAmount(
    text(amount, 'InstdAmt', `${path}/Amt/InstdAmt`),
    currency,
    `${path}/Amt/InstdAmt`,
  );
  if (sepa && currency !== 'EUR') {
    throw bankFileInvalid('SEPA_CURRENCY', `${path} is in ${currency}; SEPA credit transfers pay EUR only.`, {
      path,
    });
  }
  checkAgent(transaction, 'CdtrAgt', path, false);
  const creditor = element(transaction, 'Cdtr', `${path}/Cdtr`);
  checkText(text(creditor, 'Nm', `${path}/Cdtr/Nm`), { path: `${path}/Cdtr/Nm`, max: rules.nameMax, sepa });
  checkIban(
    readIban(element(transaction, 'CdtrAcct', `${path}/CdtrAcct`), `${path}/CdtrAcct`),
    `${path}/CdtrAcct/Id/IBAN`,
  );
  const remittance = optionalElement(transaction, 'RmtInf', `${path}/RmtInf`);
  const lines = remittance?.Ustrd ?? [];
  if (!Array.isArray(lines) || lines.length > MAX_REMITTANCE_LINES) {
    throw bankFileInvalid(
      'TOO_MANY_ELEMENTS',
      `${path}/RmtInf/Ustrd appears more than ${MAX_REMITTANCE_LINES} times; shorten the remittance.`,
      { path },
    );
  }
  for (const line of lines) {
    if (typeof line !== 'string') {
      throw bankFileInvalid('UNEXPECTED_CONTENT', `${path}/RmtInf/Ustrd must hold text.`, { path });
    }
    checkText(line, { path: `${path}/RmtInf/Ustrd`, max: MAX140, sepa });
  }
  return { minor, currency };
}

/** One PmtInf: its header fields, its transactions, and its own NbOfTxs and CtrlSum. */
function readPaymentInformation(
  block: XmlObject,
  path: string,
  messageId: string,
  file: { endToEndIds: string[]; seen: Set<string> },
): Money & { count: number } {
  const paymentType = optionalElement(block, 'PmtTpInf', `${path}/PmtTpInf`);
  const level = paymentType && optionalElement(paymentType, 'SvcLvl', `${path}/PmtTpInf/SvcLvl`);
  const serviceLevel = level && optionalText(level, 'Cd', `${path}/PmtTpInf/SvcLvl/Cd`);
  if (serviceLevel !== undefined) checkTextLength(serviceLevel, 4, `${path}/PmtTpInf/SvcLvl/Cd`);
  const sepa = serviceLevel === 'SEPA';
  const rules: BlockRules = { sepa, nameMax: sepa ? SEPA_NAME_MAX : MAX140, ...file };
  if (sepa) checkText(messageId, { path: 'GrpHdr/MsgId', max: MAX35, sepa, identifier: true });
  const paymentInfoId = text(block, 'PmtInfId', `${path}/PmtInfId`);
  checkText(paymentInfoId, { path: `${path}/PmtInfId`, max: MAX35, sepa, identifier: true });
  const method = text(block, 'PmtMtd', `${path}/PmtMtd`);
  if (method !== 'TRF') {
    throw bankFileInvalid(
      'PAYMENT_METHOD',
      `${path}/PmtMtd is "${method}"; a credit transfer file uses TRF.`,
      {
        path,
      },
    );
  }
  const declaredCount = readCount(block, path);
  const declaredSum = readControlSum(block, path);
  const executionDate = element(block, 'ReqdExctnDt', `${path}/ReqdExctnDt`);
  const date = optionalText(executionDate, 'Dt', `${path}/ReqdExctnDt/Dt`);
  if (date !== undefined) checkDate(date, `${path}/ReqdExctnDt/Dt`);
  else checkDateTime(text(executionDate, 'DtTm', `${path}/ReqdExctnDt/Dt`), `${path}/ReqdExctnDt/DtTm`);
  const debtor = element(block, 'Dbtr', `${path}/Dbtr`);
  checkText(text(debtor, 'Nm', `${path}/Dbtr/Nm`), { path: `${path}/Dbtr/Nm`, max: rules.nameMax, sepa });
  checkIban(
    readIban(element(block, 'DbtrAcct', `${path}/DbtrAcct`), `${path}/DbtrAcct`),
    `${path}/DbtrAcct/Id/IBAN`,
  );
  checkAgent(block, 'DbtrAgt', path, true);
  const chargeBearer = optionalText(block, 'ChrgBr', `${path}/ChrgBr`);
  if (chargeBearer !== undefined && !CHARGE_BEARERS.has(chargeBearer)) {
    throw bankFileInvalid(
      'CHARGE_BEARER',
      `${path}/ChrgBr "${chargeBearer}" is not DEBT, CRED, SHAR or SLEV.`,
      {
        path,
      },
    );
  }
  if (sepa && chargeBearer !== 'SLEV') {
    throw bankFileInvalid(
      'SEPA_CHARGE_BEARER',
      `${path} is SEPA, so ChrgBr must be SLEV (charges shared by scheme rules).`,
      { path },
    );
  }

  const transactions = elements(block, 'CdtTrfTxInf', `${path}/CdtTrfTxInf`, MAX_PAYMENTS_PER_FILE);
  if (transactions.length === 0) {
    throw bankFileInvalid('MISSING_ELEMENT', `${path}/CdtTrfTxInf is required but missing.`, { path });
  }
  let total: Money | undefined;
  for (const [index, transaction] of transactions.entries()) {
    const txPath = `${path}/CdtTrfTxInf[${index + 1}]`;
    const amount = readTransaction(transaction, txPath, rules);
    if (total !== undefined && amount.currency !== total.currency) {
      throw bankFileInvalid(
        'MIXED_CURRENCY',
        `${txPath} is in ${amount.currency}, others in its PmtInf in ${total.currency}; one payment-information block pays one currency.`,
        { path: txPath },
      );
    }
    total = { minor: (total?.minor ?? 0n) + amount.minor, currency: amount.currency };
  }
  if (declaredCount !== transactions.length) {
    throw bankFileInvalid(
      'PMTINF_NB_OF_TXS',
      `${path}/NbOfTxs says ${declaredCount} but the block has ${transactions.length} transactions.`,
      { path },
    );
  }
  const sum = total ?? { minor: 0n, currency: '' };
  checkSum(declaredSum, sum, 'PMTINF_CTRL_SUM', path);
  return { ...sum, count: transactions.length };
}

/**
 * Reads a pain.001.001.09 file and checks what a bank would reject on: root, namespace and
 * message type; required elements; NbOfTxs and CtrlSum at group and payment-information level;
 * one currency (per block and per file); amounts > 0 within the currency's decimals; IBAN check
 * digits; BIC pattern; text lengths; ISO dates and date-times; unique end-to-end ids; and for
 * SEPA blocks, EUR, charge bearer SLEV, 70-character names and the Latin character set.
 */
export function validatePain001(xml: string): BankFileSummary {
  const message = readIso20022(xml, {
    namespace: PAIN001_NAMESPACE,
    messageElement: 'CstmrCdtTrfInitn',
    arrayTags: ARRAY_TAGS,
  });
  const header = element(message, 'GrpHdr', 'GrpHdr');
  const messageId = text(header, 'MsgId', 'GrpHdr/MsgId');
  checkText(messageId, { path: 'GrpHdr/MsgId', max: MAX35, sepa: false });
  checkDateTime(text(header, 'CreDtTm', 'GrpHdr/CreDtTm'), 'GrpHdr/CreDtTm');
  const declaredCount = readCount(header, 'GrpHdr');
  const declaredSum = readControlSum(header, 'GrpHdr');
  element(header, 'InitgPty', 'GrpHdr/InitgPty');

  const blocks = elements(message, 'PmtInf', 'PmtInf', MAX_PAYMENTS_PER_FILE);
  if (blocks.length === 0) {
    throw bankFileInvalid('MISSING_ELEMENT', 'PmtInf is required but missing.', { path: 'PmtInf' });
  }
  const file = { endToEndIds: [] as string[], seen: new Set<string>() };
  let total: Money | undefined;
  let count = 0;
  for (const [index, block] of blocks.entries()) {
    const path = `PmtInf[${index + 1}]`;
    const sum = readPaymentInformation(block, path, messageId, file);
    if (total !== undefined && sum.currency !== total.currency) {
      throw bankFileInvalid(
        'MIXED_CURRENCY',
        `${path} pays ${sum.currency}, an earlier block ${total.currency}; a file here pays one currency.`,
        { path },
      );
    }
    total = { minor: (total?.minor ?? 0n) + sum.minor, currency: sum.currency };
    count += sum.count;
  }
  const fileTotal = total ?? { minor: 0n, currency: '' };
  if (declaredCount !== count) {
    throw bankFileInvalid(
      'GROUP_NB_OF_TXS',
      `GrpHdr/NbOfTxs says ${declaredCount} but the file has ${count} transactions.`,
    );
  }
  checkSum(declaredSum, fileTotal, 'GROUP_CTRL_SUM', 'GrpHdr');
  return {
    format: PAIN001_MESSAGE,
    messageId,
    numberOfTransactions: count,
    controlSum: fromMinor(fileTotal.minor, fileTotal.currency),
    endToEndIds: file.endToEndIds,
  };
}
