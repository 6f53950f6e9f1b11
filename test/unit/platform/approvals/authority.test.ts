import { describe, expect, it } from 'vitest';
import {
  type ApprovalLimits,
  approvalLimitsSchema,
  DEFAULT_APPROVAL_LIMITS,
  decisionAuthority,
  roleMayApprove,
} from '#platform/approvals/core/authority.ts';
import { money } from '#platform/core/money.ts';
import type { Principal } from '#platform/core/principal.ts';
import { ROLES, type Role } from '#platform/core/roles.ts';

/** Amounts at and around the limits, and what each role may approve of them. */
const AMOUNTS = ['0.00', '0.01', '49999.99', '50000.00', '50000.01', '1000000.00'] as const;
const MAY_APPROVE: Readonly<Record<Role, readonly string[]>> = {
  ap_clerk: ['0.00', '0.01', '49999.99', '50000.00'],
  controller: [...AMOUNTS],
  fpa: [],
  auditor: [],
  platform_admin: [],
};
const approvalPairs = ROLES.flatMap((role) => AMOUNTS.map((amount) => [role, amount] as const));
const limits = DEFAULT_APPROVAL_LIMITS;

const person = (userId: string, roles: Role[]): Principal => ({ userId, username: userId, roles });
const approval = (amount: string | null, currency: string | null = 'USD') => ({
  requestedBy: 'requester',
  requiredRole: 'ap_clerk',
  amount,
  currency,
});
const CLERK_OR_CONTROLLER: Role[] = ['ap_clerk', 'controller'];

describe('approval limits per role and currency', () => {
  it.each(approvalPairs)('%s approving USD %s follows the reviewed limits', (role, amount) => {
    // Prepare
    const expected = MAY_APPROVE[role].includes(amount);

    // Act
    const allowed = roleMayApprove(limits, role, money(amount, 'USD'));

    // Assess
    expect(allowed).toBe(expected);
  });

  it('applies the limit in the currency of the amount, exactly', () => {
    // Prepare
    const custom: ApprovalLimits = { ap_clerk: { JPY: '50000', KWD: '50000.000' } };

    // Act
    const yenAtLimit = roleMayApprove(custom, 'ap_clerk', money('50000', 'JPY'));
    const yenAbove = roleMayApprove(custom, 'ap_clerk', money('50001', 'JPY'));
    const dinarAbove = roleMayApprove(custom, 'ap_clerk', money('50000.001', 'KWD'));

    // Assess
    expect(yenAtLimit).toBe(true);
    expect(yenAbove).toBe(false);
    expect(dinarAbove).toBe(false);
  });

  it('refuses a currency the role has no limit in, unless * covers it', () => {
    // Act
    const clerkInBrl = roleMayApprove(limits, 'ap_clerk', money('1.00', 'BRL'));
    const controllerInBrl = roleMayApprove(limits, 'controller', money('1.00', 'BRL'));

    // Assess
    expect(clerkInBrl).toBe(false);
    expect(controllerInBrl).toBe(true);
  });

  it('never approves a negative amount, whatever the role', () => {
    // Act
    const allowed = ROLES.filter((role) => roleMayApprove(limits, role, money('-1.00', 'USD')));

    // Assess
    expect(allowed).toEqual([]);
  });

  it('refuses malformed limits in configuration', () => {
    // Act
    const badCurrency = approvalLimitsSchema.safeParse({ ap_clerk: { usd: '1.00' } });
    const badAmount = approvalLimitsSchema.safeParse({ ap_clerk: { USD: '1,000' } });
    const badRole = approvalLimitsSchema.safeParse({ cfo: { USD: '1.00' } });

    // Assess
    expect([badCurrency.success, badAmount.success, badRole.success]).toEqual([false, false, false]);
  });
});

describe('who may decide an approval', () => {
  it('credits the role whose limit covers the amount, not merely the first one held', () => {
    // Act
    const authority = decisionAuthority(
      person('casey', ['ap_clerk', 'controller']),
      approval('75000.00'),
      CLERK_OR_CONTROLLER,
      limits,
      'APPROVE',
    );

    // Assess
    expect(authority).toMatchObject({ allowed: true, role: 'controller' });
  });

  it('refuses approving above the decider limit in the approval currency', () => {
    // Act
    const authority = decisionAuthority(
      person('blake', ['ap_clerk']),
      approval('50000.01'),
      CLERK_OR_CONTROLLER,
      limits,
      'APPROVE',
    );

    // Assess
    expect(authority).toMatchObject({ allowed: false, code: 'OVER_APPROVAL_LIMIT' });
  });

  it.each([
    [null, 'USD'],
    ['12.00', null],
    ['12.345', 'USD'],
    ['twelve', 'USD'],
  ])('refuses approving an approval whose amount is %s %s, but lets it be rejected', (amount, currency) => {
    // Act
    const approve = decisionAuthority(
      person('dana', ['controller']),
      approval(amount, currency),
      CLERK_OR_CONTROLLER,
      limits,
      'APPROVE',
    );
    const reject = decisionAuthority(
      person('dana', ['controller']),
      approval(amount, currency),
      CLERK_OR_CONTROLLER,
      limits,
      'REJECT',
    );

    // Assess
    expect(approve).toMatchObject({ allowed: false, code: 'APPROVAL_AMOUNT_MISSING' });
    expect(reject).toMatchObject({ allowed: true, role: 'controller' });
  });

  it('never lets the requester decide, whatever their roles and limits', () => {
    // Act
    const decisions = (['APPROVE', 'REJECT'] as const).map((decision) =>
      decisionAuthority(
        person('requester', ['ap_clerk', 'controller']),
        approval('1.00'),
        CLERK_OR_CONTROLLER,
        limits,
        decision,
      ),
    );

    // Assess
    for (const authority of decisions)
      expect(authority).toMatchObject({ allowed: false, code: 'REQUESTER_MAY_NOT_DECIDE' });
  });

  it('refuses a role the runbook does not name for the required role, even with an unlimited limit', () => {
    // Act
    const authority = decisionAuthority(
      person('casey', ['controller']),
      approval('1.00'),
      ['ap_clerk'],
      limits,
      'REJECT',
    );

    // Assess
    expect(authority).toMatchObject({ allowed: false, code: 'ROLE_MAY_NOT_DECIDE' });
  });
});
