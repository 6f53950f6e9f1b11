import { z } from 'zod';
import { compare, formatMoney, type Money, money } from '#platform/core/money.ts';
import type { Principal } from '#platform/core/principal.ts';
import { ROLES, type Role } from '#platform/core/roles.ts';

const LIMIT = z.union([
  z.literal('unlimited'),
  z.string().regex(/^\d{1,15}(\.\d{1,4})?$/, 'a decimal amount such as "50000.00", or "unlimited"'),
]);
const CURRENCY_KEY = z
  .string()
  .regex(/^([A-Z]{3}|\*)$/, 'an ISO 4217 code such as USD, or * for any other currency');

/**
 * The most each role may approve, per currency, in that currency's major unit. `*` covers
 * every currency not listed; a role or currency with no entry may not approve at all.
 */
export const approvalLimitsSchema = z.partialRecord(z.enum(ROLES), z.record(CURRENCY_KEY, LIMIT));
export type ApprovalLimits = z.infer<typeof approvalLimitsSchema>;

/** The stages' default limits: an AP clerk up to 50,000 in the currencies AP pays; a controller without ceiling. */
export const DEFAULT_APPROVAL_LIMITS: ApprovalLimits = {
  ap_clerk: {
    USD: '50000.00',
    EUR: '50000.00',
    GBP: '50000.00',
    CHF: '50000.00',
    CAD: '50000.00',
    JPY: '7500000',
  },
  controller: { '*': 'unlimited' },
};

/** What the platform needs to know of an approval to decide who may decide it. */
export interface ApprovalAuthorityFacts {
  readonly requestedBy: string;
  readonly requiredRole: string;
  /** Decimal string in the currency's major unit. */
  readonly amount?: string | null;
  readonly currency?: string | null;
}

export type DecisionRefusal =
  | 'APPROVAL_AMOUNT_MISSING'
  | 'REQUESTER_MAY_NOT_DECIDE'
  | 'ROLE_MAY_NOT_DECIDE'
  | 'OVER_APPROVAL_LIMIT';

export type DecisionAuthority =
  | { readonly allowed: true; readonly role: Role; readonly amount: Money | null }
  | { readonly allowed: false; readonly code: DecisionRefusal; readonly message: string };

/** The limit of one role in one currency, or undefined when the role may not approve in it. */
export function roleLimit(
  limits: ApprovalLimits,
  role: Role,
  currency: string,
): Money | 'unlimited' | undefined {
  const byCurrency = limits[role];
  const limit = byCurrency?.[currency] ?? byCurrency?.['*'];
  if (limit === undefined || limit === 'unlimited') return limit;
  return money(limit, currency);
}

/** Whether one role may approve `amount`; a negative amount is never approvable here. */
export function roleMayApprove(limits: ApprovalLimits, role: Role, amount: Money): boolean {
  if (amount.minor < 0n) return false;
  const limit = roleLimit(limits, role, amount.currency);
  if (limit === undefined) return false;
  return limit === 'unlimited' || compare(amount, limit) <= 0;
}

/**
 * Who may decide an approval, for every runbook: never the requester, and only a role the
 * runbook lets decide the required role. Approving also needs a typed amount and currency
 * within that role's limit in that currency; rejecting moves no money, so it needs neither.
 * Returns the role that carries the authority (the first held role whose limit covers it).
 */
export function decisionAuthority(
  principal: Principal,
  approval: ApprovalAuthorityFacts,
  deciderRoles: readonly Role[],
  limits: ApprovalLimits,
  decision: 'APPROVE' | 'REJECT',
): DecisionAuthority {
  if (approval.requestedBy === principal.userId) {
    return {
      allowed: false,
      code: 'REQUESTER_MAY_NOT_DECIDE',
      message: 'You requested this run, so someone else must decide it.',
    };
  }
  const eligible = principal.roles.filter((role) => deciderRoles.includes(role));
  if (eligible.length === 0) {
    return {
      allowed: false,
      code: 'ROLE_MAY_NOT_DECIDE',
      message: `This approval needs ${deciderRoles.join(' or ') || 'a role its runbook does not name'}; you are ${principal.roles.join(', ') || 'no role'}.`,
    };
  }
  const amount = amountOf(approval);
  if (decision === 'REJECT') {
    const role =
      (amount && eligible.find((candidate) => roleMayApprove(limits, candidate, amount))) || eligible[0];
    return { allowed: true, role: role as Role, amount };
  }
  if (!amount) {
    return {
      allowed: false,
      code: 'APPROVAL_AMOUNT_MISSING',
      message:
        'This approval carries no valid amount and currency, so no approval limit can be checked: it can only be rejected.',
    };
  }
  const role = eligible.find((candidate) => roleMayApprove(limits, candidate, amount));
  if (!role) {
    return {
      allowed: false,
      code: 'OVER_APPROVAL_LIMIT',
      message: `${formatMoney(amount)} is above what ${eligible.join(' or ')} may approve in ${amount.currency}; a role with a higher limit must decide.`,
    };
  }
  return { allowed: true, role, amount };
}

function amountOf(approval: ApprovalAuthorityFacts): Money | null {
  if (!approval.amount || !approval.currency) return null;
  try {
    return money(approval.amount, approval.currency);
  } catch {
    return null;
  }
}
