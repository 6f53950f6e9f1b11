import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import { ROLES, type Role } from '#platform/core/roles.ts';
import {
  anyRoleMayApprove,
  mayApprove,
  mayStartRunbook,
  RUNBOOK_START_ROLES,
} from '#platform/runs/core/runbook-access.ts';

/** The allowlist as reviewed: every (role, runbook) pair that may start. Anything else is denied. */
const MAY_START: readonly (readonly [Role, string])[] = [
  ['platform_admin', 'deployment-check'],
  ['ap_clerk', 'invoice-reconciliation'],
  ['controller', 'invoice-reconciliation'],
  ['platform_admin', 'invoice-reconciliation'],
];

const RUNBOOKS = [...Object.keys(RUNBOOK_START_ROLES), 'payout-release', 'unknown-runbook'];
const startPairs = ROLES.flatMap((role) => RUNBOOKS.map((runbook) => [role, runbook] as const));

describe('runbook start allowlist', () => {
  it.each(startPairs)(
    '%s starting %s is allowed only if the reviewed list names the pair',
    (role, runbook) => {
      // Prepare
      const expected = MAY_START.some(([r, b]) => r === role && b === runbook);

      // Act
      const allowed = mayStartRunbook(runbook, [role]);

      // Assess
      expect(allowed).toBe(expected);
    },
  );

  it('denies a principal with no role every runbook', () => {
    // Act
    const allowed = RUNBOOKS.filter((runbook) => mayStartRunbook(runbook, []));

    // Assess
    expect(allowed).toEqual([]);
  });
});

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

describe('approval limits', () => {
  it.each(approvalPairs)('%s approving USD %s follows the reviewed limits', (role, amount) => {
    // Prepare
    const expected = MAY_APPROVE[role].includes(amount);

    // Act
    const allowed = mayApprove(role, money(amount, 'USD'));

    // Assess
    expect(allowed).toBe(expected);
  });

  it('applies the limit in the currency of the amount, exactly', () => {
    // Act
    const yenAtLimit = mayApprove('ap_clerk', money('50000', 'JPY'));
    const yenAbove = mayApprove('ap_clerk', money('50001', 'JPY'));
    const dinarAbove = mayApprove('ap_clerk', money('50000.001', 'KWD'));

    // Assess
    expect(yenAtLimit).toBe(true);
    expect(yenAbove).toBe(false);
    expect(dinarAbove).toBe(false);
  });

  it('never approves a negative amount, whatever the role', () => {
    // Act
    const allowed = ROLES.filter((role) => mayApprove(role, money('-1.00', 'USD')));

    // Assess
    expect(allowed).toEqual([]);
  });

  it('lets a principal approve when any one of its roles may', () => {
    // Act
    const clerkAndController = anyRoleMayApprove(['ap_clerk', 'controller'], money('75000.00', 'EUR'));
    const clerkAndAuditor = anyRoleMayApprove(['auditor', 'ap_clerk'], money('75000.00', 'EUR'));

    // Assess
    expect(clerkAndController).toBe(true);
    expect(clerkAndAuditor).toBe(false);
  });
});
