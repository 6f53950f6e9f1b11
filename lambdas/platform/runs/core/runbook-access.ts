import { compare, currencyExponent, type Money } from '#platform/core/money.ts';
import type { Role } from '#platform/core/roles.ts';

/**
 * Which role may start which runbook. Everything not listed is denied: a runbook missing
 * here cannot be started by anyone through the API.
 */
export const RUNBOOK_START_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'deployment-check': ['platform_admin'],
  'invoice-reconciliation': ['ap_clerk', 'controller', 'platform_admin'],
};

/**
 * The largest amount each role may approve, as a decimal string in any currency's major
 * unit; `'unlimited'` has no ceiling. A role missing here may not approve at all.
 */
export const APPROVAL_LIMITS: Readonly<Partial<Record<Role, string>>> = {
  ap_clerk: '50000.00',
  controller: 'unlimited',
};

export function knownRunbooks(): readonly string[] {
  return Object.keys(RUNBOOK_START_ROLES);
}

export function mayStartRunbook(runbook: string, roles: readonly Role[]): boolean {
  const allowed = RUNBOOK_START_ROLES[runbook];
  return allowed !== undefined && roles.some((role) => allowed.includes(role));
}

/** Whether one role may approve `amount`; a refund or negative amount is never approvable here. */
export function mayApprove(role: Role, amount: Money): boolean {
  const limit = APPROVAL_LIMITS[role];
  if (limit === undefined || amount.minor < 0n) return false;
  if (limit === 'unlimited') return true;
  return compare(amount, limitIn(limit, amount.currency)) <= 0;
}

/** Whether any of a principal's roles may approve `amount`. */
export function anyRoleMayApprove(roles: readonly Role[], amount: Money): boolean {
  return roles.some((role) => mayApprove(role, amount));
}

/** A limit written with two decimals, in the minor units of `currency` (exact, no float). */
function limitIn(limit: string, currency: string): Money {
  const [whole = '0', fraction = ''] = limit.split('.');
  const exponent = currencyExponent(currency);
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + scaleFraction(fraction, exponent);
  return { minor, currency };
}

function scaleFraction(fraction: string, exponent: number): bigint {
  if (exponent === 0) return 0n;
  return BigInt(fraction.slice(0, exponent).padEnd(exponent, '0'));
}
