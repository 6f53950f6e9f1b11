import type { Principal } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';
import type { StoredException } from './exceptions.ts';

/** Who may resolve an exception that needs `required`: that role, or a controller for an AP clerk's. */
const RESOLVERS: Readonly<Partial<Record<Role, readonly Role[]>>> = {
  ap_clerk: ['ap_clerk', 'controller'],
  controller: ['controller'],
  platform_admin: ['platform_admin'],
};

/** The role under which `principal` may resolve `exception`, if any. */
export function resolvingRole(principal: Principal, exception: StoredException): Role | undefined {
  const allowed = RESOLVERS[exception.requiredRole] ?? [exception.requiredRole];
  return principal.roles.find((role) => allowed.includes(role));
}

/** Auditors and administrators read every exception; the others, what they may resolve. */
export function mayReadException(principal: Principal, exception: StoredException): boolean {
  if (principal.roles.some((role) => role === 'auditor' || role === 'platform_admin')) return true;
  return resolvingRole(principal, exception) !== undefined;
}
