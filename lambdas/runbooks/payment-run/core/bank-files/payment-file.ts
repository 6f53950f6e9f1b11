import { TollgateError } from '#platform/core/errors.ts';
import type { Money } from '#platform/core/money.ts';

/**
 * What a payment run asks a bank to pay, before it is written in any bank's format, and
 * what a written file says about itself. Builders refuse bad input whole; validators read a
 * file back and name the first rule it breaks. A bad file never yields a partial result.
 */

export type CreditorAccount =
  | { kind: 'iban'; iban: string; bic?: string }
  | { kind: 'ach'; routingNumber: string; accountNumber: string; accountType: 'checking' | 'savings' };

export interface PaymentInstruction {
  /** 1–35 of [A-Za-z0-9-]; at most 15 for ACH, where it travels in the 15-character identification number. */
  endToEndId: string;
  /** Greater than zero. */
  amount: Money;
  creditor: { name: string; account: CreditorAccount; id?: string };
  /** What the creditor reconciles against, e.g. the invoice number. */
  remittance: string;
}

export interface Pain001Request {
  messageId: string;
  createdAt: Date;
  /** YYYY-MM-DD */
  requestedExecutionDate: string;
  paymentInfoId: string;
  debtor: { name: string; iban: string; bic?: string };
  /** All one currency, all accounts of kind iban. */
  payments: PaymentInstruction[];
  serviceLevel?: 'SEPA' | 'NURG';
}

export interface NachaRequest {
  createdAt: Date;
  /** One of A–Z or 0–9; tells apart files sent to one destination on one day. */
  fileIdModifier: string;
  /** 9-digit ABA routing number of the bank receiving the file. */
  immediateDestination: string;
  immediateDestinationName: string;
  /** 10 characters, as the bank assigned them (often a space and a routing number, or "1" and a tax id). */
  immediateOrigin: string;
  immediateOriginName: string;
  company: {
    name: string;
    /** 10 characters. */
    id: string;
    /** At most 10 characters, e.g. 'VENDOR PAY'; shown on the receiver's statement. */
    entryDescription: string;
    /** First 8 digits of the originating bank's routing number. */
    originatingDfi: string;
  };
  secCode: 'PPD' | 'CCD';
  /** YYYY-MM-DD */
  effectiveEntryDate: string;
  /** @default 1 */
  batchNumber?: number;
  /** USD, accounts of kind ach. */
  payments: PaymentInstruction[];
}

export interface BankFileSummary {
  format: 'pain.001.001.09' | 'nacha';
  messageId: string;
  numberOfTransactions: number;
  controlSum: Money;
  endToEndIds: string[];
}

/** Upper bound on payments in one file: a run larger than this is split into several files. */
export const MAX_PAYMENTS_PER_FILE = 10_000;

/** Upper bound on a file read back, in characters: 10,000 payments fit comfortably. */
export const MAX_FILE_CHARACTERS = 20_000_000;

export const END_TO_END_ID = /^[A-Za-z0-9-]{1,35}$/;

/** BANK_FILE_INVALID with the named rule the input or file breaks. */
export function bankFileInvalid(
  rule: string,
  message: string,
  details: Record<string, unknown> = {},
): TollgateError {
  return new TollgateError('BANK_FILE_INVALID', message, { rule, ...details });
}

/** A calendar date written YYYY-MM-DD that exists (no 30 February). */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Payment-level checks every format shares: a count in bounds, positive amounts, unique end-to-end ids. */
export function checkPaymentList(payments: readonly PaymentInstruction[], maxEndToEndIdLength: number): void {
  if (payments.length === 0) {
    throw bankFileInvalid(
      'NO_PAYMENTS',
      'A bank file needs at least one payment; add payments or do not send a file.',
    );
  }
  if (payments.length > MAX_PAYMENTS_PER_FILE) {
    throw bankFileInvalid(
      'TOO_MANY_PAYMENTS',
      `A bank file holds at most ${MAX_PAYMENTS_PER_FILE} payments; split the run into several files.`,
      { count: payments.length },
    );
  }
  const seen = new Set<string>();
  for (const [index, payment] of payments.entries()) {
    if (!END_TO_END_ID.test(payment.endToEndId) || payment.endToEndId.length > maxEndToEndIdLength) {
      throw bankFileInvalid(
        'END_TO_END_ID_FORMAT',
        `Payment ${index + 1} has end-to-end id "${payment.endToEndId}"; use 1–${maxEndToEndIdLength} letters, digits or hyphens.`,
        { index },
      );
    }
    if (seen.has(payment.endToEndId)) {
      throw bankFileInvalid(
        'DUPLICATE_END_TO_END_ID',
        `End-to-end id "${payment.endToEndId}" appears twice; each payment needs its own id so the bank's status can be matched to it.`,
        { endToEndId: payment.endToEndId },
      );
    }
    seen.add(payment.endToEndId);
    if (payment.amount.minor <= 0n) {
      throw bankFileInvalid(
        'AMOUNT_NOT_POSITIVE',
        `Payment "${payment.endToEndId}" is not for a positive amount; a credit transfer pays more than zero.`,
        { endToEndId: payment.endToEndId },
      );
    }
  }
}
