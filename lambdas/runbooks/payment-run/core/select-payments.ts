import {
  isValidAbaRouting,
  isValidBic,
  isValidIban,
  normaliseAccountIdentifier,
} from '#platform/core/bank-accounts.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { add, formatMoney, type Money, zero } from '#platform/core/money.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';
import type { Vendor } from '#platform/system-of-record/core/reference-data.ts';
import type { CreditorAccount } from './bank-files/payment-file.ts';
import type { Originator } from './payment-policy.ts';

/**
 * Which due holds a run pays, and to whom. One payment per hold — each invoice its own credit
 * with its own end-to-end id, so the bank's answer and the statement line tie back to exactly one
 * invoice — grouped by vendor for the proposal's totals. The creditor account always comes from
 * the vendor master at payment time, never from the invoice.
 */

export const EXCLUSION_CODES = [
  'VENDOR_NOT_FOUND',
  'VENDOR_NOT_ACTIVE',
  'BANK_DETAILS_COOLING_OFF',
  'BANK_DETAILS_UNUSABLE',
  'CURRENCY_NOT_FOR_ACCOUNT',
] as const;
export type ExclusionCode = (typeof EXCLUSION_CODES)[number];

export interface ProposedPayment {
  /** The end-to-end id: 15 characters, fits every format (ACH carries at most 15). */
  readonly paymentId: string;
  readonly holdId: string;
  readonly vendorId: string;
  readonly vendorName: string;
  readonly creditor: CreditorAccount;
  readonly amount: Money;
  /** The document the hold pays for (the invoice number), as the creditor reconciles it. */
  readonly document: string;
  /** The run and document that justified the hold. */
  readonly source: HoldView['source'];
}

export interface ExcludedHold {
  readonly holdId: string;
  readonly vendorId: string;
  readonly code: ExclusionCode;
  readonly detail: string;
}

export interface VendorTotal {
  readonly vendorId: string;
  readonly vendorName: string;
  readonly payments: number;
  readonly amount: Money;
  /** Never paid by Tollgate or the system of record before: a person approves the run. */
  readonly firstTime: boolean;
}

export interface RunProposal {
  readonly accountId: string;
  readonly currency: string;
  readonly format: Originator['format'];
  readonly payments: readonly ProposedPayment[];
  readonly excluded: readonly ExcludedHold[];
  readonly vendors: readonly VendorTotal[];
  readonly total: Money;
}

export interface PayeeFacts {
  readonly vendor: Vendor | undefined;
  /** Paid before (a posted payment, or a paid invoice in the system of record). */
  readonly paidBefore: boolean;
}

const DAY_MS = 86_400_000;

/** The payment's end-to-end id: derived from the run and the hold, so a retried step proposes the same ids. */
export function paymentIdFor(runId: string, holdId: string): string {
  return `P${sha256Hex(`${runId}|${holdId}`).slice(0, 14).toUpperCase()}`;
}

export function proposeRun(input: {
  readonly runId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly originator: Originator;
  readonly asOf: Date;
  readonly holds: readonly HoldView[];
  readonly payees: ReadonlyMap<string, PayeeFacts>;
  readonly coolingOffDays: number;
}): RunProposal {
  const { originator, currency } = input;
  const payments: ProposedPayment[] = [];
  const excluded: ExcludedHold[] = [];
  for (const hold of input.holds) {
    const facts = input.payees.get(hold.payee);
    const problem = exclusion(hold, facts?.vendor, input);
    if (problem) {
      excluded.push({ holdId: hold.holdId, vendorId: hold.payee, ...problem });
      continue;
    }
    const vendor = facts?.vendor as Vendor;
    payments.push({
      paymentId: paymentIdFor(input.runId, hold.holdId),
      holdId: hold.holdId,
      vendorId: vendor.vendorId,
      vendorName: vendor.name,
      creditor: creditorAccount(vendor, originator) as CreditorAccount,
      amount: hold.amount,
      document: hold.source?.document ?? hold.holdId,
      source: hold.source,
    });
  }
  const byVendor = new Map<string, VendorTotal>();
  for (const payment of payments) {
    const seen = byVendor.get(payment.vendorId);
    byVendor.set(payment.vendorId, {
      vendorId: payment.vendorId,
      vendorName: payment.vendorName,
      payments: (seen?.payments ?? 0) + 1,
      amount: seen ? add(seen.amount, payment.amount) : payment.amount,
      firstTime: !input.payees.get(payment.vendorId)?.paidBefore,
    });
  }
  return {
    accountId: input.accountId,
    currency,
    format: originator.format,
    payments,
    excluded,
    vendors: [...byVendor.values()].sort((a, b) => a.vendorId.localeCompare(b.vendorId)),
    total: payments.reduce((total, p) => add(total, p.amount), zero(currency)),
  };
}

function exclusion(
  hold: HoldView,
  vendor: Vendor | undefined,
  input: { currency: string; originator: Originator; asOf: Date; coolingOffDays: number },
): { code: ExclusionCode; detail: string } | undefined {
  if (hold.amount.currency !== input.currency)
    return {
      code: 'CURRENCY_NOT_FOR_ACCOUNT',
      detail: `Hold in ${hold.amount.currency} on an account paid in ${input.currency}.`,
    };
  if (!vendor)
    return { code: 'VENDOR_NOT_FOUND', detail: `Vendor ${hold.payee} is not in the vendor master.` };
  if (vendor.status !== 'ACTIVE')
    return { code: 'VENDOR_NOT_ACTIVE', detail: `Vendor ${vendor.vendorId} is ${vendor.status}.` };
  if (vendor.bankDetailsChangedAt) {
    const until = Date.parse(`${vendor.bankDetailsChangedAt}T00:00:00Z`) + input.coolingOffDays * DAY_MS;
    if (input.asOf.getTime() < until)
      return {
        code: 'BANK_DETAILS_COOLING_OFF',
        detail: `Vendor ${vendor.vendorId}'s bank details changed on ${vendor.bankDetailsChangedAt}; nothing is paid to them before ${new Date(until).toISOString().slice(0, 10)}.`,
      };
  }
  if (!creditorAccount(vendor, input.originator))
    return {
      code: 'BANK_DETAILS_UNUSABLE',
      detail:
        input.originator.format === 'nacha'
          ? `Vendor ${vendor.vendorId} has no valid ABA routing number and account for an ACH credit.`
          : `Vendor ${vendor.vendorId} has no valid IBAN for a credit transfer.`,
    };
  return undefined;
}

/** The vendor master's account in the form the funding account's bank pays to; undefined when unusable. */
export function creditorAccount(vendor: Vendor, originator: Originator): CreditorAccount | undefined {
  const account = normaliseAccountIdentifier(vendor.bankAccount);
  const routing = normaliseAccountIdentifier(vendor.routingNumber);
  if (originator.format === 'nacha') {
    if (!isValidAbaRouting(routing) || !/^\d{4,17}$/.test(account)) return undefined;
    return { kind: 'ach', routingNumber: routing, accountNumber: account, accountType: 'checking' };
  }
  if (!isValidIban(account)) return undefined;
  return isValidBic(routing)
    ? { kind: 'iban', iban: account, bic: routing }
    : { kind: 'iban', iban: account };
}

/** The proposal as evidence and the case show it: money as decimal strings. */
export function proposalView(proposal: RunProposal) {
  return {
    accountId: proposal.accountId,
    currency: proposal.currency,
    format: proposal.format,
    payments: proposal.payments.length,
    total: formatMoney(proposal.total),
    vendors: proposal.vendors.map((v) => ({ ...v, amount: formatMoney(v.amount) })),
    excluded: proposal.excluded,
  };
}
