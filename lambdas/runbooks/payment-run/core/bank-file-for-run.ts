import { sha256Hex } from '#platform/core/hashing.ts';
import type { Money } from '#platform/core/money.ts';
import { buildNacha } from './bank-files/nacha.ts';
import { buildPain001 } from './bank-files/pain001.ts';
import type { BankFileSummary, CreditorAccount, PaymentInstruction } from './bank-files/payment-file.ts';
import type { Originator } from './payment-policy.ts';

/**
 * A released run as the bank file its funding account's bank takes. Every input is fixed when the
 * run is proposed (ids, the proposal time, the execution date), so a retried release builds the
 * same bytes and the outbound write recognises it instead of sending a second file.
 */
export interface RunFileInput {
  readonly runId: string;
  readonly proposedAt: string;
  readonly executionDate: string;
  readonly originator: Originator;
  /** NACHA only: the file id modifier allocated to the run. */
  readonly fileIdModifier?: string;
  readonly payments: readonly {
    readonly paymentId: string;
    readonly amount: Money;
    readonly vendorId: string;
    readonly vendorName: string;
    readonly creditor: CreditorAccount;
    readonly document: string;
  }[];
}

export interface RunFile {
  readonly name: string;
  readonly content: string;
  readonly contentType: string;
  readonly summary: BankFileSummary;
}

/** The message id a pain.002 answers with as OrgnlMsgId: 35 characters at most, derived from the run. */
export function runMessageId(runId: string): string {
  return `TG${sha256Hex(runId).slice(0, 24).toUpperCase()}`;
}

export function bankFileForRun(input: RunFileInput): RunFile {
  const { originator } = input;
  const payments: PaymentInstruction[] = input.payments.map((p) => ({
    endToEndId: p.paymentId,
    amount: p.amount,
    creditor: { name: p.vendorName, account: p.creditor, id: p.vendorId },
    remittance: p.document,
  }));
  const messageId = runMessageId(input.runId);
  const createdAt = new Date(input.proposedAt);
  if (originator.format === 'pain.001') {
    const built = buildPain001({
      messageId,
      createdAt,
      requestedExecutionDate: input.executionDate,
      paymentInfoId: `${messageId}-1`,
      debtor: {
        name: originator.name,
        iban: originator.iban,
        ...(originator.bic ? { bic: originator.bic } : {}),
      },
      payments,
      serviceLevel: payments.every((p) => p.amount.currency === 'EUR') ? 'SEPA' : 'NURG',
    });
    return {
      name: `${messageId}.pain001.xml`,
      content: built.content,
      contentType: 'application/xml',
      summary: built.summary,
    };
  }
  if (!input.fileIdModifier) throw new Error('A NACHA file needs the file id modifier allocated to its run.');
  const built = buildNacha({
    createdAt,
    fileIdModifier: input.fileIdModifier,
    immediateDestination: originator.immediateDestination,
    immediateDestinationName: originator.immediateDestinationName,
    immediateOrigin: originator.immediateOrigin,
    immediateOriginName: originator.name,
    company: {
      name: originator.name,
      id: originator.companyId,
      entryDescription: originator.entryDescription,
      originatingDfi: originator.originatingDfi,
    },
    secCode: originator.secCode,
    effectiveEntryDate: input.executionDate,
    payments,
  });
  return {
    name: `${messageId}.ach`,
    content: built.content,
    contentType: 'text/plain',
    summary: built.summary,
  };
}

/** The next weekday after the run's date: when the bank is asked to execute. */
export function executionDateAfter(asOf: string): string {
  const date = new Date(`${asOf}T00:00:00Z`);
  do date.setUTCDate(date.getUTCDate() + 1);
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6);
  return date.toISOString().slice(0, 10);
}
