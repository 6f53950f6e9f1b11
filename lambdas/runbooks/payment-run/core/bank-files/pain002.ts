import {
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
import type { PAIN001_MESSAGE } from './pain001.ts';
import { bankFileInvalid, END_TO_END_ID, MAX_PAYMENTS_PER_FILE } from './payment-file.ts';

/**
 * ISO 20022 pain.002.001.10, Customer Payment Status Report: the bank's answer to a pain.001.
 *
 * Status codes (ExternalPaymentTransactionStatus1Code) map to what a payment run acts on:
 * - ACCEPTED: ACSC and ACCC are final (settled: the debtor's account debited, the creditor's
 *   credited). ACSP, ACTC, ACCP, ACWC, ACWP and ACFC are accepted but not final: the payment
 *   can still fail, so `final` is false and the run keeps waiting for a later report.
 * - REJECTED: RJCT, final.
 * - PENDING: PDNG and RCVD (received, not yet checked), not final.
 * Any other code is refused: acting on a status we do not understand could pay twice or never.
 *
 * A group status of RJCT with no transaction detail rejects every transaction of the original
 * message: the report says `groupRejected: true` and lists no transactions; the caller applies
 * it to every payment it sent in that message. The same holds for a payment-information block
 * rejected without detail (`rejectedPaymentInfoIds`).
 */

export const PAIN002_MESSAGE = 'pain.002.001.10';
export const PAIN002_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10';

export type PaymentStatus = 'ACCEPTED' | 'REJECTED' | 'PENDING';

const TRANSACTION_STATUSES: Readonly<Record<string, { status: PaymentStatus; final: boolean }>> = {
  ACSC: { status: 'ACCEPTED', final: true },
  ACCC: { status: 'ACCEPTED', final: true },
  ACSP: { status: 'ACCEPTED', final: false },
  ACTC: { status: 'ACCEPTED', final: false },
  ACCP: { status: 'ACCEPTED', final: false },
  ACWC: { status: 'ACCEPTED', final: false },
  ACWP: { status: 'ACCEPTED', final: false },
  ACFC: { status: 'ACCEPTED', final: false },
  RJCT: { status: 'REJECTED', final: true },
  PDNG: { status: 'PENDING', final: false },
  RCVD: { status: 'PENDING', final: false },
};

/** PART (some accepted, some rejected) describes a group or block, never one transaction. */
const GROUP_ONLY_STATUSES: ReadonlySet<string> = new Set(['PART']);

export interface PaymentStatusTransaction {
  endToEndId: string;
  status: PaymentStatus;
  /** True when no later report can change the status. */
  final: boolean;
  isoStatus: string;
  reasonCode: string | null;
  reasonText: string | null;
}

export interface PaymentStatusReport {
  messageId: string;
  originalMessageId: string;
  originalMessageType: string;
  groupStatus: string | null;
  /** RJCT for the whole original message with no transaction detail: every payment in it is rejected. */
  groupRejected: boolean;
  groupReasonCode: string | null;
  groupReasonText: string | null;
  /** Payment-information blocks rejected whole, without transaction detail. */
  rejectedPaymentInfoIds: string[];
  transactions: PaymentStatusTransaction[];
}

const ARRAY_TAGS: ReadonlySet<string> = new Set([
  'OrgnlPmtInfAndSts',
  'TxInfAndSts',
  'StsRsnInf',
  'AddtlInf',
]);
const MAX_REASONS = 10;

function checkStatusCode(code: string, path: string, groupLevel: boolean): void {
  if (TRANSACTION_STATUSES[code] === undefined && !(groupLevel && GROUP_ONLY_STATUSES.has(code))) {
    throw bankFileInvalid(
      'UNKNOWN_STATUS',
      `${path} is "${code}", a status this reader does not act on; have the report checked by hand.`,
      { path, status: code },
    );
  }
}

/** The first reason (code or proprietary) and all its additional information as one sentence. */
function readReason(parent: XmlObject, path: string): { code: string | null; text: string | null } {
  const reasons = elements(parent, 'StsRsnInf', `${path}/StsRsnInf`, MAX_REASONS);
  const first = reasons[0];
  if (first === undefined) return { code: null, text: null };
  const reason = optionalElement(first, 'Rsn', `${path}/StsRsnInf/Rsn`);
  const code = reason === undefined ? undefined : optionalText(reason, 'Cd', `${path}/StsRsnInf/Rsn/Cd`);
  const proprietary =
    reason === undefined ? undefined : optionalText(reason, 'Prtry', `${path}/StsRsnInf/Rsn/Prtry`);
  if (code !== undefined) checkTextLength(code, 4, `${path}/StsRsnInf/Rsn/Cd`);
  if (proprietary !== undefined) checkTextLength(proprietary, 35, `${path}/StsRsnInf/Rsn/Prtry`);
  const lines = first.AddtlInf;
  const list = Array.isArray(lines) ? lines : [];
  if (list.length > MAX_REASONS) {
    throw bankFileInvalid(
      'TOO_MANY_ELEMENTS',
      `${path}/StsRsnInf/AddtlInf appears more than ${MAX_REASONS} times.`,
      {
        path,
      },
    );
  }
  const texts = list.map((line) => {
    if (typeof line !== 'string') {
      throw bankFileInvalid('UNEXPECTED_CONTENT', `${path}/StsRsnInf/AddtlInf must hold text.`, { path });
    }
    checkPlainText(line, `${path}/StsRsnInf/AddtlInf`);
    checkTextLength(line, 105, `${path}/StsRsnInf/AddtlInf`);
    return line;
  });
  return { code: code ?? proprietary ?? null, text: texts.length === 0 ? null : texts.join(' ') };
}

/**
 * Reads a pain.002.001.10 status report. Refuses malformed XML, another message type, unknown
 * status codes, a transaction without end-to-end id or status, duplicate end-to-end ids, and a
 * transaction reported accepted or pending under a group or block the same report rejects.
 */
export function parsePain002(xml: string): PaymentStatusReport {
  const message = readIso20022(xml, {
    namespace: PAIN002_NAMESPACE,
    messageElement: 'CstmrPmtStsRpt',
    arrayTags: ARRAY_TAGS,
  });
  const header = element(message, 'GrpHdr', 'GrpHdr');
  const messageId = text(header, 'MsgId', 'GrpHdr/MsgId');
  checkTextLength(messageId, 35, 'GrpHdr/MsgId');
  checkDateTime(text(header, 'CreDtTm', 'GrpHdr/CreDtTm'), 'GrpHdr/CreDtTm');

  const original = element(message, 'OrgnlGrpInfAndSts', 'OrgnlGrpInfAndSts');
  const originalMessageId = text(original, 'OrgnlMsgId', 'OrgnlGrpInfAndSts/OrgnlMsgId');
  checkTextLength(originalMessageId, 35, 'OrgnlGrpInfAndSts/OrgnlMsgId');
  const originalMessageType = text(original, 'OrgnlMsgNmId', 'OrgnlGrpInfAndSts/OrgnlMsgNmId');
  if (!originalMessageType.startsWith('pain.001.')) {
    throw bankFileInvalid(
      'ORIGINAL_MESSAGE_TYPE',
      `The report answers a ${originalMessageType}, not a pain.001 credit transfer file; it is not for a payment run.`,
    );
  }
  const groupStatus = optionalText(original, 'GrpSts', 'OrgnlGrpInfAndSts/GrpSts') ?? null;
  if (groupStatus !== null) checkStatusCode(groupStatus, 'OrgnlGrpInfAndSts/GrpSts', true);
  const groupReason = readReason(original, 'OrgnlGrpInfAndSts');

  const blocks = elements(message, 'OrgnlPmtInfAndSts', 'OrgnlPmtInfAndSts', MAX_PAYMENTS_PER_FILE);
  const transactions: PaymentStatusTransaction[] = [];
  const rejectedPaymentInfoIds: string[] = [];
  const seen = new Set<string>();
  for (const [blockIndex, block] of blocks.entries()) {
    const path = `OrgnlPmtInfAndSts[${blockIndex + 1}]`;
    const paymentInfoId = text(block, 'OrgnlPmtInfId', `${path}/OrgnlPmtInfId`);
    checkTextLength(paymentInfoId, 35, `${path}/OrgnlPmtInfId`);
    const blockStatus = optionalText(block, 'PmtInfSts', `${path}/PmtInfSts`) ?? null;
    if (blockStatus !== null) checkStatusCode(blockStatus, `${path}/PmtInfSts`, true);
    const blockReason = readReason(block, path);
    const details = elements(block, 'TxInfAndSts', `${path}/TxInfAndSts`, MAX_PAYMENTS_PER_FILE);
    if (details.length === 0 && blockStatus === 'RJCT') rejectedPaymentInfoIds.push(paymentInfoId);
    for (const [index, detail] of details.entries()) {
      const txPath = `${path}/TxInfAndSts[${index + 1}]`;
      const endToEndId = text(detail, 'OrgnlEndToEndId', `${txPath}/OrgnlEndToEndId`);
      checkPlainText(endToEndId, `${txPath}/OrgnlEndToEndId`);
      checkTextLength(endToEndId, 35, `${txPath}/OrgnlEndToEndId`);
      if (seen.has(endToEndId)) {
        throw bankFileInvalid(
          'DUPLICATE_END_TO_END_ID',
          `End-to-end id "${endToEndId}" has two statuses in one report; ask the bank which one holds.`,
          { endToEndId },
        );
      }
      seen.add(endToEndId);
      // A transaction without its own status takes its block's, then its group's, as the schema intends.
      const isoStatus = optionalText(detail, 'TxSts', `${txPath}/TxSts`) ?? blockStatus ?? groupStatus;
      if (isoStatus === null) {
        throw bankFileInvalid(
          'MISSING_ELEMENT',
          `${txPath}/TxSts is missing and no block or group status applies.`,
          {
            path: txPath,
          },
        );
      }
      checkStatusCode(isoStatus, `${txPath}/TxSts`, false);
      const mapped = TRANSACTION_STATUSES[isoStatus];
      if (mapped === undefined)
        throw bankFileInvalid('UNKNOWN_STATUS', `${txPath}/TxSts "${isoStatus}" is unknown.`);
      if ((groupStatus === 'RJCT' || blockStatus === 'RJCT') && mapped.status !== 'REJECTED') {
        throw bankFileInvalid(
          'STATUS_CONFLICT',
          `${txPath} is ${isoStatus} under a rejected group or block; the report contradicts itself, so ask the bank.`,
          { path: txPath },
        );
      }
      const reason = readReason(detail, txPath);
      const inherited =
        reason.code === null && reason.text === null && isoStatus === 'RJCT' ? blockReason : reason;
      transactions.push({
        endToEndId,
        status: mapped.status,
        final: mapped.final,
        isoStatus,
        reasonCode: inherited.code,
        reasonText: inherited.text,
      });
    }
  }
  return {
    messageId,
    originalMessageId,
    originalMessageType,
    groupStatus,
    groupRejected: groupStatus === 'RJCT' && transactions.length === 0,
    groupReasonCode: groupReason.code,
    groupReasonText: groupReason.text,
    rejectedPaymentInfoIds,
    transactions,
  };
}

/** Readable text for the ISO external status reasons a bank simulator uses. */
const REASON_TEXTS: Readonly<Record<string, string>> = {
  AC01: 'Incorrect account number',
  AC04: 'Closed account number',
  AC06: 'Blocked account',
  AG01: 'Transaction forbidden',
  AM04: 'Insufficient funds',
  AM05: 'Duplication',
  BE06: 'Unknown end customer',
  FF01: 'Invalid file format',
  MS03: 'Not specified reason agent generated',
  RC01: 'Bank identifier incorrect',
};

const REASON_CODE = /^[A-Z0-9]{1,4}$/;

export interface Pain002Input {
  messageId: string;
  createdAt: Date;
  originalMessageId: string;
  originalMessageType: typeof PAIN001_MESSAGE;
  /** The original PmtInfId; @default originalMessageId */
  originalPaymentInfoId?: string;
  /** Empty: the whole message is rejected at group level (GrpSts RJCT, no transaction detail). */
  transactions: { endToEndId: string; status: 'ACCEPTED' | 'REJECTED'; reasonCode?: string }[];
  /** Reason for a whole-message rejection. @default 'FF01' */
  groupReasonCode?: string;
}

function statusReason(code: string | undefined, path: string): XmlObject | undefined {
  if (code === undefined) return undefined;
  if (!REASON_CODE.test(code)) {
    throw bankFileInvalid(
      'FIELD_FORMAT',
      `${path} "${code}" is not an ISO status reason code (1–4 letters or digits).`,
    );
  }
  const text = REASON_TEXTS[code];
  return { StsRsnInf: { Rsn: { Cd: code }, ...(text === undefined ? {} : { AddtlInf: text }) } };
}

/**
 * Writes the status report a bank would send for a pain.001: accepted transactions as ACSC
 * (settled, final), rejected ones as RJCT with their reason. Used by the local bank simulator,
 * for ACH files too; real ACH returns arrive as NACHA return entries, which this does not produce.
 */
export function buildPain002(input: Pain002Input): string {
  checkTextLength(input.messageId, 35, 'MsgId');
  checkPlainText(input.messageId, 'MsgId');
  checkTextLength(input.originalMessageId, 35, 'OrgnlMsgId');
  checkPlainText(input.originalMessageId, 'OrgnlMsgId');
  if (input.transactions.length > MAX_PAYMENTS_PER_FILE) {
    throw bankFileInvalid(
      'TOO_MANY_PAYMENTS',
      `A report holds at most ${MAX_PAYMENTS_PER_FILE} transactions.`,
    );
  }
  const seen = new Set<string>();
  const details = input.transactions.map((transaction, index) => {
    if (!END_TO_END_ID.test(transaction.endToEndId)) {
      throw bankFileInvalid(
        'END_TO_END_ID_FORMAT',
        `Transaction ${index + 1} end-to-end id is 1–35 letters, digits or hyphens.`,
      );
    }
    if (seen.has(transaction.endToEndId)) {
      throw bankFileInvalid(
        'DUPLICATE_END_TO_END_ID',
        `End-to-end id "${transaction.endToEndId}" is reported twice.`,
      );
    }
    seen.add(transaction.endToEndId);
    const rejected = transaction.status === 'REJECTED';
    return {
      OrgnlEndToEndId: transaction.endToEndId,
      TxSts: rejected ? 'RJCT' : 'ACSC',
      ...(rejected ? statusReason(transaction.reasonCode, `Reason of "${transaction.endToEndId}"`) : {}),
    };
  });
  const rejectedCount = details.filter((detail) => detail.TxSts === 'RJCT').length;
  const wholeMessageRejected = details.length === 0;
  const groupStatus =
    wholeMessageRejected || rejectedCount === details.length ? 'RJCT' : rejectedCount === 0 ? 'ACSC' : 'PART';
  const paymentInfoId = input.originalPaymentInfoId ?? input.originalMessageId;
  checkTextLength(paymentInfoId, 35, 'OrgnlPmtInfId');
  checkPlainText(paymentInfoId, 'OrgnlPmtInfId');
  return writeXml({
    Document: {
      '@_xmlns': PAIN002_NAMESPACE,
      CstmrPmtStsRpt: {
        GrpHdr: { MsgId: input.messageId, CreDtTm: isoDateTime(input.createdAt) },
        OrgnlGrpInfAndSts: {
          OrgnlMsgId: input.originalMessageId,
          OrgnlMsgNmId: input.originalMessageType,
          GrpSts: groupStatus,
          ...(wholeMessageRejected ? statusReason(input.groupReasonCode ?? 'FF01', 'Group reason') : {}),
        },
        ...(wholeMessageRejected
          ? {}
          : { OrgnlPmtInfAndSts: { OrgnlPmtInfId: paymentInfoId, TxInfAndSts: details } }),
      },
    },
  });
}
