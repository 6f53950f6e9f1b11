import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '#platform/core/roles.ts';
import { mayStartRunbook } from '#platform/runs/core/executions.ts';
import { runbookModules } from '#runbooks/registry.ts';

/** The allowlist as reviewed: every (role, runbook) pair that may start. Anything else is denied. */
const MAY_START: readonly (readonly [Role, string])[] = [
  ['platform_admin', 'deployment-check'],
  ['ap_clerk', 'invoice-reconciliation'],
  ['controller', 'invoice-reconciliation'],
  ['platform_admin', 'invoice-reconciliation'],
  ['controller', 'payment-run'],
  ['platform_admin', 'payment-run'],
  ['controller', 'bank-reconciliation'],
  ['platform_admin', 'bank-reconciliation'],
  ['ap_clerk', 'vendor-bank-change'],
  ['controller', 'vendor-bank-change'],
  ['platform_admin', 'vendor-bank-change'],
  ['ap_clerk', 'refund-payout'],
  ['controller', 'refund-payout'],
  ['platform_admin', 'refund-payout'],
  ['ap_clerk', 'vendor-inquiry'],
  ['controller', 'vendor-inquiry'],
  ['platform_admin', 'vendor-inquiry'],
];

const startPairs = ROLES.flatMap((role) => runbookModules().map((module) => [role, module] as const));

describe('runbook start allowlist', () => {
  it.each(startPairs)(
    '%s starting $name is allowed only if the reviewed list names the pair',
    (role, module) => {
      // Prepare
      const expected = MAY_START.some(([r, b]) => r === role && b === module.name);

      // Act
      const allowed = mayStartRunbook(module, [role]);

      // Assess
      expect(allowed).toBe(expected);
    },
  );

  it('denies a principal with no role every runbook', () => {
    // Act
    const allowed = runbookModules().filter((module) => mayStartRunbook(module, []));

    // Assess
    expect(allowed).toEqual([]);
  });
});
