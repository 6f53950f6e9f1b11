import * as z from 'zod';
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
  /** Why approving it could not be paid (e.g. no funding account in its currency); then it can only be rejected. */
  readonly unpayable?: string | null;
}

export type DecisionRefusal =
  | 'APPROVAL_AMOUNT_MISSING'
  | 'CURRENCY_NOT_PAYABLE'
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
  if (approval.unpayable) {
    return {
      allowed: false,
      code: 'CURRENCY_NOT_PAYABLE',
      message: `${approval.unpayable} Approving it would hold money that cannot be paid: reject it instead.`,
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

/** What the money path re-reads of a decided approval before it moves anything. */
export interface DecidedApprovalFacts extends ApprovalAuthorityFacts {
  readonly status: string;
  readonly decision?: string | null;
  readonly decidedBy?: { readonly userId: string; readonly role: string } | null;
}

/**
 * The pair assertion where money moves: the approval in the table (not what the run was
 * handed) is DECIDED and APPROVE, by someone other than the requester, in a role the runbook
 * lets decide it, within that role's limit, for exactly the amount about to be held.
 * Returns null when it holds, else why not.
 */
export function approvalProblem(
  approval: DecidedApprovalFacts | undefined,
  expected: Money,
  deciderRoles: readonly Role[],
  limits: ApprovalLimits,
): string | null {
  if (!approval) return 'the approval is not in the work room';
  if (approval.status !== 'DECIDED' || approval.decision !== 'APPROVE')
    return 'the approval is not an approval';
  const decider = approval.decidedBy;
  if (!decider) return 'the approval names no decider';
  if (decider.userId === approval.requestedBy) return 'the requester decided their own request';
  if (!deciderRoles.includes(decider.role as Role)) return `${decider.role} may not decide this approval`;
  if (approval.unpayable) return approval.unpayable;
  const amount = amountOf(approval);
  if (!amount || amount.currency !== expected.currency || amount.minor !== expected.minor)
    return `the approval was for ${approval.amount ?? 'no amount'} ${approval.currency ?? ''}, not ${formatMoney(expected)}`;
  if (!roleMayApprove(limits, decider.role as Role, amount))
    return `${formatMoney(amount)} is above what ${decider.role} may approve`;
  return null;
}
