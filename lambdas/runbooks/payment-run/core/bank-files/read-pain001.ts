import { formatMoney, money } from '#platform/core/money.ts';
import {
  attribute,
  element,
  elements,
  optionalElement,
  optionalText,
  readIso20022,
  text,
  type XmlObject,
} from './iso20022-xml.ts';
import { PAIN001_MESSAGE, PAIN001_NAMESPACE, validatePain001 } from './pain001.ts';
import { type CreditorAccount, MAX_PAYMENTS_PER_FILE } from './payment-file.ts';

/**
 * The read side of a payment file: what each payment asks the bank to do, as a bank reads it
 * back from the file alone. The local bank simulator answers from this; nothing here decides
 * whether a file is acceptable: the file is first checked whole by the format's validator, so a
 * file the bank would reject yields no payments at all.
 */

/** One payment as read back from a file. */
export interface SentPayment {
  endToEndId: string;
  /** Decimal string in the currency's minor units, e.g. "1234.50". */
  amount: string;
  currency: string;
  creditor: { name: string; account: CreditorAccount };
  /** Remittance lines as written (pain.001 Ustrd; NACHA addenda). */
  remittance: string[];
  /**
   * The account the bank debits: the debtor IBAN (pain.001) or the company identification the
   * ODFI assigned to the originator (NACHA, whose files carry no account number).
   */
  originatorAccount: string;
  /** The pain.001 payment-information block it travels in; the NACHA batch number. */
  paymentInfoId: string;
}

export interface SentPaymentFile {
  format: typeof PAIN001_MESSAGE | 'nacha';
  /** What a status report names as the original message: pain.001 MsgId; NACHA origin, date, time, modifier. */
  messageId: string;
  originatorName: string;
  /** YYYY-MM-DD the payer asked the bank to execute (pain.001) or settle (NACHA effective date). */
  executionDate: string;
  payments: SentPayment[];
}

const ARRAY_TAGS: ReadonlySet<string> = new Set(['PmtInf', 'CdtTrfTxInf', 'Ustrd']);

function readCreditorAccount(transaction: XmlObject, path: string): CreditorAccount {
  const id = element(element(transaction, 'CdtrAcct', `${path}/CdtrAcct`), 'Id', `${path}/CdtrAcct/Id`);
  const iban = text(id, 'IBAN', `${path}/CdtrAcct/Id/IBAN`);
  const agent = optionalElement(transaction, 'CdtrAgt', `${path}/CdtrAgt`);
  const institution = agent && optionalElement(agent, 'FinInstnId', `${path}/CdtrAgt/FinInstnId`);
  const bic = institution && optionalText(institution, 'BICFI', `${path}/CdtrAgt/FinInstnId/BICFI`);
  return bic === undefined ? { kind: 'iban', iban } : { kind: 'iban', iban, bic };
}

function readRemittance(transaction: XmlObject, path: string): string[] {
  const remittance = optionalElement(transaction, 'RmtInf', `${path}/RmtInf`);
  const lines = remittance?.Ustrd ?? [];
  // validatePain001 has checked every line is text and bounded the count.
  return Array.isArray(lines) ? lines.filter((line): line is string => typeof line === 'string') : [];
}

/**
 * Reads the payments of a pain.001.001.09 file, after `validatePain001` has accepted it whole.
 * Amounts come back as the decimal strings of the currency (`100.5` in the file reads `100.50`).
 */
export function readPain001(xml: string): SentPaymentFile {
  const summary = validatePain001(xml);
  const message = readIso20022(xml, {
    namespace: PAIN001_NAMESPACE,
    messageElement: 'CstmrCdtTrfInitn',
    arrayTags: ARRAY_TAGS,
  });
  const header = element(message, 'GrpHdr', 'GrpHdr');
  const initiatingParty = element(header, 'InitgPty', 'GrpHdr/InitgPty');
  const payments: SentPayment[] = [];
  let originatorName = optionalText(initiatingParty, 'Nm', 'GrpHdr/InitgPty/Nm');
  let executionDate = '';
  for (const [blockIndex, block] of elements(message, 'PmtInf', 'PmtInf', MAX_PAYMENTS_PER_FILE).entries()) {
    const path = `PmtInf[${blockIndex + 1}]`;
    const paymentInfoId = text(block, 'PmtInfId', `${path}/PmtInfId`);
    const debtorName = text(element(block, 'Dbtr', `${path}/Dbtr`), 'Nm', `${path}/Dbtr/Nm`);
    originatorName ??= debtorName;
    const debtorAccount = text(
      element(element(block, 'DbtrAcct', `${path}/DbtrAcct`), 'Id', `${path}/DbtrAcct/Id`),
      'IBAN',
      `${path}/DbtrAcct/Id/IBAN`,
    );
    const requested = element(block, 'ReqdExctnDt', `${path}/ReqdExctnDt`);
    // A date-time execution request is read as its date: statements book by day.
    const date =
      optionalText(requested, 'Dt', `${path}/ReqdExctnDt/Dt`) ??
      text(requested, 'DtTm', `${path}/ReqdExctnDt/DtTm`).slice(0, 10);
    if (executionDate === '') executionDate = date;
    const transactions = elements(block, 'CdtTrfTxInf', `${path}/CdtTrfTxInf`, MAX_PAYMENTS_PER_FILE);
    for (const [index, transaction] of transactions.entries()) {
      const txPath = `${path}/CdtTrfTxInf[${index + 1}]`;
      const amount = element(transaction, 'Amt', `${txPath}/Amt`);
      const currency = attribute(amount, 'InstdAmt', 'Ccy', `${txPath}/Amt/InstdAmt`);
      const creditor = element(transaction, 'Cdtr', `${txPath}/Cdtr`);
      payments.push({
        endToEndId: text(
          element(transaction, 'PmtId', `${txPath}/PmtId`),
          'EndToEndId',
          `${txPath}/PmtId/EndToEndId`,
        ),
        amount: formatMoney(money(text(amount, 'InstdAmt', `${txPath}/Amt/InstdAmt`), currency)),
        currency,
        creditor: {
          name: text(creditor, 'Nm', `${txPath}/Cdtr/Nm`),
          account: readCreditorAccount(transaction, txPath),
        },
        remittance: readRemittance(transaction, txPath),
        originatorAccount: debtorAccount,
        paymentInfoId,
      });
    }
  }
  // Pair assertion: what was read is what the validator counted.
  if (payments.length !== summary.numberOfTransactions) {
    throw new Error(`Read ${payments.length} payments where the file holds ${summary.numberOfTransactions}.`);
  }
  return {
    format: PAIN001_MESSAGE,
    messageId: summary.messageId,
    originatorName: originatorName ?? '',
    executionDate,
    payments,
  };
}
