import { TollgateError } from '#platform/core/errors.ts';
import type { Principal } from '#platform/core/principal.ts';
import { runbookModule } from '#runbooks/registry.ts';
import type { Person } from '../core/change-requests.ts';

export { attachReport } from '../core/reports.ts';

/** The runbook named in the path, known to this stage; otherwise 404 UNKNOWN_RUNBOOK. */
export function knownRunbook(name: string): string {
  if (!runbookModule(name)) throw new TollgateError('UNKNOWN_RUNBOOK', `There is no runbook ${name}.`);
  return name;
}

/** The caller as a person, under the first of `roles` they hold. */
export function personAs(principal: Principal, roles: readonly string[]): Person {
  const role = roles.find((r) => principal.roles.includes(r as Principal['roles'][number]));
  if (!role)
    throw new TollgateError(
      'FORBIDDEN',
      `Only ${roles.join(' or ')} may do this; you are signed in as ${principal.roles.join(', ') || 'no role'}.`,
    );
  return { userId: principal.userId, username: principal.username, role };
}
