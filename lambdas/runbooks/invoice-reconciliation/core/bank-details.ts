import { isValidIban } from '#platform/core/bank-accounts.ts';
import type { Vendor } from '#platform/system-of-record/core/reference-data.ts';
import { type Invoice, MIN_FIELD_CONFIDENCE, normaliseBankAccount } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';

/** Moved to the platform, where payment files use it too; re-exported for existing callers. */
export { isValidIban };

/**
 * Remit-to bank details against the vendor master. Account numbers arrive in print format
 * ("de89 3704-0044 0532 0130 00"); they are compared only in one canonical form, and a
 * remit-to that cannot be read or validated counts as changed: a controller looks at it.
 */

const ACCOUNT = /^[A-Z0-9]{4,34}$/;
const ROUTING = /^[A-Z0-9]{6,11}$/;
/** Country letters and two digits first: the account claims to be an IBAN, so its check digits must hold. */
const IBAN_CLAIM = /^[A-Z]{2}\d{2}/;

/** Why an account number as printed cannot be used, or undefined when it can. */
function accountProblem(account: string): string | undefined {
  if (!ACCOUNT.test(account)) return 'is not an account number (4–34 letters and digits)';
  if (IBAN_CLAIM.test(account) && !isValidIban(account)) return 'is not a valid IBAN (check digits fail)';
  return undefined;
}

function last4(value: string | null): string {
  return value ? value.slice(-4) : '????';
}

/** BANK_DETAILS_MISMATCH: the remit-to differs from the vendor master, or was read but cannot be validated. */
export function bankDetailsCheck(invoice: Invoice, vendor: Vendor): RuleResult {
  const remit = invoice.remitTo;
  if (remit === null) {
    return rule(
      'BANK_DETAILS_MISMATCH',
      true,
      'No remit-to details on the invoice: payment goes to the vendor master account.',
    );
  }
  if (remit.bankAccount === null && remit.routingNumber === null) {
    // Empty and read with confidence: none on the invoice. Empty and unsure (or screened out): something was there.
    return (invoice.confidence?.remitTo ?? 1) >= MIN_FIELD_CONFIDENCE
      ? rule(
          'BANK_DETAILS_MISMATCH',
          true,
          'No remit-to details on the invoice: payment goes to the vendor master account.',
        )
      : rule(
          'BANK_DETAILS_MISMATCH',
          false,
          'The invoice carries remit-to details that could not be read or screened: treated as changed.',
        );
  }
  const account = remit.bankAccount === null ? null : normaliseBankAccount(remit.bankAccount);
  const routing = remit.routingNumber === null ? null : normaliseBankAccount(remit.routingNumber);
  const problem = account === null ? undefined : accountProblem(account);
  if (problem) {
    return rule(
      'BANK_DETAILS_MISMATCH',
      false,
      `Remit-to account ending ${last4(account)} ${problem}: treated as changed.`,
    );
  }
  if (routing !== null && !ROUTING.test(routing)) {
    return rule(
      'BANK_DETAILS_MISMATCH',
      false,
      `Remit-to routing number ending ${last4(routing)} is not a routing or bank code: treated as changed.`,
    );
  }
  const accountDiffers = account !== null && account !== normaliseBankAccount(vendor.bankAccount);
  const routingDiffers = routing !== null && routing !== normaliseBankAccount(vendor.routingNumber);
  if (accountDiffers || routingDiffers) {
    return rule(
      'BANK_DETAILS_MISMATCH',
      false,
      accountDiffers
        ? `Remit-to account ending ${last4(account)} differs from the vendor master account ending ${last4(vendor.bankAccount)}.`
        : `Remit-to routing number ending ${last4(routing)} differs from the vendor master's ending ${last4(vendor.routingNumber)}.`,
    );
  }
  return rule('BANK_DETAILS_MISMATCH', true, 'Remit-to details match the vendor master.');
}

/**
 * While a change of the vendor's bank details is pending (the vendor-bank-change runbook), no
 * invoice of that vendor is approved alone, whatever its remit-to says: the bank-details rule
 * fails and a controller decides.
 */
export function withPendingBankChange(
  results: readonly RuleResult[],
  pending: { readonly since: string; readonly executionId: string } | undefined,
): RuleResult[] {
  if (!pending) return [...results];
  const failed = rule(
    'BANK_DETAILS_MISMATCH',
    false,
    `A change of this vendor's bank details is pending since ${pending.since} (run ${pending.executionId}): a controller confirms every invoice until it is decided.`,
  );
  const others = results.filter((r) => r.code !== 'BANK_DETAILS_MISMATCH' || !r.passed);
  return [...others, failed];
}
