import * as z from 'zod';
import {
  isValidAbaRouting,
  isValidBic,
  isValidIban,
  normaliseAccountIdentifier,
} from '#platform/core/bank-accounts.ts';
import { hashOf } from '#platform/core/hashing.ts';
import type { Vendor, VendorBankDetails } from '#platform/system-of-record/core/reference-data.ts';

/** What the vendor-bank-change policy sets; it is part of the runbook version. */
export const bankChangePolicySchema = z.strictObject({
  /** A change within this many days of the last one is a risk flag. */
  recentChangeDays: z.number().int().min(1).max(3650),
  /** Hours a verifier, and then a controller, each have before the change closes undecided. */
  decisionTimeoutHours: z.number().int().min(1).max(720),
  /** Origins whose sender cannot be authenticated by the channel itself: always a risk flag. */
  unauthenticatedChannels: z.array(z.enum(['email', 'letter', 'portal', 'phone', 'invoice'])).max(5),
});
export type BankChangePolicy = z.infer<typeof bankChangePolicySchema>;

/** New details as a request gives them: a US account with its ABA routing number, or an IBAN (and BIC). */
export const newBankDetailsSchema = z.union([
  z.strictObject({
    bankAccount: z
      .string()
      .max(40)
      .refine((v) => /^\d{4,17}$/.test(normaliseAccountIdentifier(v)), 'an account number of 4–17 digits'),
    routingNumber: z
      .string()
      .max(20)
      .refine(
        (v) => isValidAbaRouting(normaliseAccountIdentifier(v)),
        'an ABA routing number whose check digit holds',
      ),
  }),
  z.strictObject({
    iban: z.string().max(50).refine(isValidIban, 'an IBAN whose check digits hold'),
    bic: z.string().max(11).refine(isValidBic, 'a BIC of 8 or 11 characters').optional(),
  }),
]);
export type NewBankDetails = z.infer<typeof newBankDetailsSchema>;

/** The request's details in the vendor master's form (an IBAN without BIC leaves the routing number empty). */
export function masterForm(details: NewBankDetails): VendorBankDetails {
  if ('iban' in details)
    return { bankAccount: normaliseAccountIdentifier(details.iban), routingNumber: details.bic ?? '' };
  return {
    bankAccount: normaliseAccountIdentifier(details.bankAccount),
    routingNumber: normaliseAccountIdentifier(details.routingNumber),
  };
}

export function currentDetails(vendor: Vendor): VendorBankDetails {
  return { bankAccount: vendor.bankAccount, routingNumber: vendor.routingNumber };
}

export function sameDetails(a: VendorBankDetails, b: VendorBankDetails): boolean {
  return (
    normaliseAccountIdentifier(a.bankAccount) === normaliseAccountIdentifier(b.bankAccount) &&
    normaliseAccountIdentifier(a.routingNumber) === normaliseAccountIdentifier(b.routingNumber)
  );
}

/** An account shown to people and in evidence: its last four characters only. */
export function masked(value: string): string {
  const plain = normaliseAccountIdentifier(value);
  return plain.length <= 4 ? '****' : `****${plain.slice(-4)}`;
}

/** Details as evidence carries them: masked, with a hash that proves which exact details were meant. */
export function detailsView(details: VendorBankDetails) {
  return {
    bankAccount: masked(details.bankAccount),
    routingNumber: details.routingNumber,
    hash: hashOf({ bankAccount: details.bankAccount, routingNumber: details.routingNumber }),
  };
}

export interface ChangeOrigin {
  /** `invoice`: the new remit-to an invoice run read, taken as the request. */
  readonly channel: 'email' | 'letter' | 'portal' | 'phone' | 'invoice';
  readonly sender?: string | undefined;
  readonly receivedAt: string;
}

export type RiskFlag =
  | 'ORIGIN_DOMAIN_NOT_ON_FILE'
  | 'ORIGIN_NOT_AUTHENTICATED'
  | 'RECENT_BANK_CHANGE'
  | 'ACCOUNT_KIND_CHANGED'
  | 'BANK_CHANGED'
  | 'VENDOR_NOT_ACTIVE';

export interface Comparison {
  readonly differences: readonly { field: 'bankAccount' | 'routingNumber'; from: string; to: string }[];
  readonly riskFlags: readonly { code: RiskFlag; detail: string }[];
}

const DAY_MS = 86_400_000;

function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  return at < 0
    ? undefined
    : address
        .slice(at + 1)
        .trim()
        .toLowerCase() || undefined;
}

function kindOf(details: VendorBankDetails): 'iban' | 'ach' {
  return isValidIban(details.bankAccount) ? 'iban' : 'ach';
}

/**
 * Deterministic: what changes against the vendor master (masked), and why the change deserves
 * suspicion. Flags never decide anything alone; they go to the verifier and the controller.
 */
export function compareWithMaster(
  vendor: Vendor,
  next: VendorBankDetails,
  origin: ChangeOrigin,
  policy: BankChangePolicy,
  today: string,
): Comparison {
  const current = currentDetails(vendor);
  const differences: Comparison['differences'][number][] = [];
  if (normaliseAccountIdentifier(current.bankAccount) !== normaliseAccountIdentifier(next.bankAccount))
    differences.push({
      field: 'bankAccount',
      from: masked(current.bankAccount),
      to: masked(next.bankAccount),
    });
  if (normaliseAccountIdentifier(current.routingNumber) !== normaliseAccountIdentifier(next.routingNumber))
    differences.push({ field: 'routingNumber', from: current.routingNumber, to: next.routingNumber });
  const riskFlags: Comparison['riskFlags'][number][] = [];
  if (policy.unauthenticatedChannels.includes(origin.channel))
    riskFlags.push({
      code: 'ORIGIN_NOT_AUTHENTICATED',
      detail: `A request by ${origin.channel} proves nothing about who sent it.`,
    });
  if (origin.channel === 'email') {
    const domain = origin.sender ? domainOf(origin.sender) : undefined;
    const onFile = new Set((vendor.contactEmails ?? []).map(domainOf).filter(Boolean));
    if (!domain || !onFile.has(domain))
      riskFlags.push({
        code: 'ORIGIN_DOMAIN_NOT_ON_FILE',
        detail: `Sent from ${domain ?? 'no address'}; the vendor master knows ${[...onFile].join(', ') || 'no e-mail domain'}.`,
      });
  }
  if (vendor.bankDetailsChangedAt) {
    const since =
      (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${vendor.bankDetailsChangedAt}T00:00:00Z`)) / DAY_MS;
    if (since < policy.recentChangeDays)
      riskFlags.push({
        code: 'RECENT_BANK_CHANGE',
        detail: `The bank details already changed on ${vendor.bankDetailsChangedAt}, ${Math.max(0, Math.floor(since))} days ago.`,
      });
  }
  if (kindOf(current) !== kindOf(next))
    riskFlags.push({
      code: 'ACCOUNT_KIND_CHANGED',
      detail: `From ${kindOf(current) === 'iban' ? 'an IBAN' : 'a US account'} to ${kindOf(next) === 'iban' ? 'an IBAN' : 'a US account'}.`,
    });
  else if (differences.some((d) => d.field === 'routingNumber'))
    riskFlags.push({
      code: 'BANK_CHANGED',
      detail: 'The money would go to another bank, not only another account.',
    });
  if (vendor.status !== 'ACTIVE')
    riskFlags.push({ code: 'VENDOR_NOT_ACTIVE', detail: `The vendor is ${vendor.status}.` });
  return { differences, riskFlags };
}

/** "14025550100" and "4025550100" are one number; seven digits alone name no number. */
function sameWithoutCountryCode(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 10 && long.endsWith(short);
}

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * The vendor-master number the verifier's comment says they called, or undefined. Numbers are
 * compared by their digits; a number the comment names that is not on file never counts.
 */
export function calledBackNumber(comment: string, phonesOnFile: readonly string[]): string | undefined {
  // Bounded: a comment is at most 2,000 characters, so at most that many candidates.
  const cited = (comment.match(/\+?\d[\d\s().-]{5,}\d/g) ?? []).map(digits).filter((d) => d.length >= 7);
  return phonesOnFile.find((phone) => {
    const onFile = digits(phone);
    return onFile.length >= 7 && cited.some((c) => c === onFile || sameWithoutCountryCode(c, onFile));
  });
}

/** Who decided what, as the work room holds it. */
export interface Decider {
  readonly userId: string;
  readonly username: string;
  readonly role: string;
}

/**
 * Separation of duties for one change: the verifier is not the requester; the approving
 * controller is a controller and neither the requester nor the verifier. Returns why not, or null.
 */
export function separationProblem(
  requester: { userId: string },
  verifier: Decider,
  approver?: Decider,
): string | null {
  if (verifier.userId === requester.userId) return 'the verifier is the requester';
  if (!approver) return null;
  if (approver.role !== 'controller') return `the approval was decided as ${approver.role}, not controller`;
  if (approver.userId === requester.userId) return 'the approving controller is the requester';
  if (approver.userId === verifier.userId) return 'the approving controller is the verifier';
  return null;
}
