import type { Role } from './roles.ts';

/**
 * Which role may start which runbook. Everything not listed is denied: a runbook missing
 * here cannot be started by anyone through the API.
 */
export const RUNBOOK_START_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'deployment-check': ['platform_admin'],
  'invoice-reconciliation': ['ap_clerk', 'controller', 'platform_admin'],
};

export function knownRunbooks(): readonly string[] {
  return Object.keys(RUNBOOK_START_ROLES);
}

export function mayStartRunbook(runbook: string, roles: readonly Role[]): boolean {
  const allowed = RUNBOOK_START_ROLES[runbook];
  return allowed !== undefined && roles.some((role) => allowed.includes(role));
}
