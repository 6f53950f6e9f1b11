import { XMLBuilder } from 'fast-xml-parser';
import { TollgateError } from '#platform/core/errors.ts';
import { abs, add, formatMoney, type Money, subtract } from '#platform/core/money.ts';
import {
  type BankStatement,
  isValidCreditorReference,
  parseCamt053,
  type StatementEntry,
} from './statement.ts';

/**
 * Writes a camt.053.001.08 end-of-day statement, as a bank would: one Ntry with one TxDtls per
 * entry, elements in the order the schema's sequences require. The local bank simulator uses it;
 * whatever it writes, `parseCamt053` reads back to the same statement.
 */

export type StatementInput = Omit<BankStatement, 'messageType' | 'opening' | 'closing'> & {
  opening: Money;
  closing: Money;
};

const NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08';
/** ISO 20022 Max140Text: one Ustrd line. */
const MAX_REMITTANCE_LINE = 140;
/** Max35Text for identifiers, Max140Text for names, as the schema has them. */
const MAX_ID = 35;
const MAX_NAME = 140;
/** Characters XML 1.0 cannot carry; the reader would never see them as written. */
function hasCharacterXmlCannotCarry(value: string): boolean {
  // Bounded by the field's length, checked before this is called.
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
    if (control || code === 0xfffe || code === 0xffff) return true;
  }
  return false;
}

/** A text field the reader gives back exactly: non-empty, no edge spaces, within the schema's length. */
function field<T extends string | null>(value: T, name: string, maxLength: number): T {
  if (value === null) return value;
  if (
    value === '' ||
    value.trim() !== value ||
    value.length > maxLength ||
    hasCharacterXmlCannotCarry(value)
  ) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `${name} "${value.slice(0, 40)}" must be 1–${maxLength} characters with no leading or trailing spaces or control characters.`,
    );
  }
  return value;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
});

/** Closing balance the entries imply: opening plus booked credits minus booked debits. */
export function closingBalanceFor(opening: Money, entries: readonly StatementEntry[]): Money {
  let closing = opening;
  for (const entry of entries) {
    if (entry.status !== 'BOOKED') continue;
    closing = entry.direction === 'CREDIT' ? add(closing, entry.amount) : subtract(closing, entry.amount);
  }
  return closing;
}

function amount(value: Money): Record<string, string> {
  return { '@_Ccy': value.currency, '#text': formatMoney(abs(value)) };
}

function balance(code: 'OPBD' | 'CLBD', value: Money, date: string): Record<string, unknown> {
  return {
    Tp: { CdOrPrtry: { Cd: code } },
    Amt: amount(value),
    CdtDbtInd: value.minor < 0n ? 'DBIT' : 'CRDT',
    Dt: { Dt: date },
  };
}

const STATUS_CODE: Record<StatementEntry['status'], string> = {
  BOOKED: 'BOOK',
  PENDING: 'PDNG',
  INFO: 'INFO',
};

function remittance(entry: StatementEntry): Record<string, unknown> | undefined {
  const { unstructured, creditorReference } = entry.remittance;
  for (const line of unstructured)
    field(line, `Entry ${entry.entryRef} remittance line`, MAX_REMITTANCE_LINE);
  field(creditorReference, `Entry ${entry.entryRef} creditor reference`, MAX_ID);
  if (unstructured.length === 0 && creditorReference === null) return undefined;
  const structured =
    creditorReference === null
      ? undefined
      : {
          CdtrRefInf: {
            // SCOR by ISO is what an RF reference is; anything else is sent as a bare reference.
            ...(isValidCreditorReference(creditorReference)
              ? { Tp: { CdOrPrtry: { Cd: 'SCOR' }, Issr: 'ISO' } }
              : {}),
            Ref: creditorReference,
          },
        };
  return {
    ...(unstructured.length > 0 ? { Ustrd: unstructured } : {}),
    ...(structured ? { Strd: structured } : {}),
  };
}

function relatedParties(entry: StatementEntry): Record<string, unknown> | undefined {
  const { name, iban } = entry.counterparty;
  field(name, `Entry ${entry.entryRef} counterparty name`, MAX_NAME);
  field(iban, `Entry ${entry.entryRef} counterparty IBAN`, MAX_ID);
  if (name === null && iban === null) return undefined;
  const party = entry.direction === 'DEBIT' ? 'Cdtr' : 'Dbtr';
  return {
    ...(name !== null ? { [party]: { Pty: { Nm: name } } } : {}),
    ...(iban !== null ? { [`${party}Acct`]: { Id: { IBAN: iban } } } : {}),
  };
}

function entryNode(entry: StatementEntry): Record<string, unknown> {
  const side = entry.direction === 'CREDIT' ? 'CRDT' : 'DBIT';
  field(entry.entryRef, 'Entry reference', MAX_ID);
  field(entry.endToEndId, `Entry ${entry.entryRef} end-to-end id`, MAX_ID);
  field(entry.bankReference, `Entry ${entry.entryRef} bank reference`, MAX_ID);
  const parties = relatedParties(entry);
  const remittanceInfo = remittance(entry);
  return {
    NtryRef: entry.entryRef,
    Amt: amount(entry.amount),
    CdtDbtInd: side,
    ...(entry.reversal ? { RvslInd: 'true' } : {}),
    Sts: { Cd: STATUS_CODE[entry.status] },
    BookgDt: { Dt: entry.bookingDate },
    ...(entry.valueDate !== null ? { ValDt: { Dt: entry.valueDate } } : {}),
    ...(entry.bankReference !== null ? { AcctSvcrRef: entry.bankReference } : {}),
    // Required by the schema: payments domain, issued or received credit transfer, SEPA.
    BkTxCd: {
      Domn: { Cd: 'PMNT', Fmly: { Cd: entry.direction === 'CREDIT' ? 'RCDT' : 'ICDT', SubFmlyCd: 'ESCT' } },
    },
    NtryDtls: {
      TxDtls: {
        Refs: { EndToEndId: entry.endToEndId ?? 'NOTPROVIDED' },
        Amt: amount(entry.amount),
        CdtDbtInd: side,
        ...(parties ? { RltdPties: parties } : {}),
        ...(remittanceInfo ? { RmtInf: remittanceInfo } : {}),
      },
    },
  };
}

/** The statement as camt.053.001.08 XML; refuses (by reading its own output) anything a bank could not send. */
export function buildCamt053(statement: StatementInput): string {
  const date = statement.createdAt.slice(0, 10);
  const { iban, other, currency } = statement.account;
  field(statement.messageId, 'Message id', MAX_ID);
  field(statement.statementId, 'Statement id', MAX_ID);
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Document: {
      '@_xmlns': NAMESPACE,
      BkToCstmrStmt: {
        GrpHdr: { MsgId: statement.messageId, CreDtTm: statement.createdAt },
        Stmt: {
          Id: statement.statementId,
          CreDtTm: statement.createdAt,
          Acct: {
            Id: iban !== null ? { IBAN: iban } : { Othr: { Id: other ?? '' } },
            Ccy: currency,
          },
          Bal: [balance('OPBD', statement.opening, date), balance('CLBD', statement.closing, date)],
          Ntry: statement.entries.map(entryNode),
        },
      },
    },
  };
  const xml = builder.build(document) as string;
  // Pair assertion: the writer only hands out what the reader accepts (balances, dates, references).
  parseCamt053(xml);
  return xml;
}
