import { TollgateError } from '#platform/core/errors.ts';
import { hashOf } from '#platform/core/hashing.ts';
import type { Principal } from '#platform/core/principal.ts';
import { runbookModule } from '#runbooks/registry.ts';
import type { AttachedReport, ChangeRequest, Person } from '../core/change-requests.ts';

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

const REPORT_FIELDS: Readonly<Record<AttachedReport['kind'], readonly string[]>> = {
  'policy-replay': ['period', 'thresholdChanges', 'runs', 'replayed', 'unchanged', 'amounts'],
  eval: [
    'cases',
    'fieldAccuracy',
    'decisionAccuracy',
    'falseAutoApprovals',
    'automationRate',
    'costPerInvoice',
    'runbookVersion',
  ],
};

/** An attached report as the change keeps it: its kind, its hash and the figures a reviewer reads. */
export function attachReport(
  report: Record<string, unknown> & { kind: AttachedReport['kind'] },
): AttachedReport {
  const summary: Record<string, unknown> = {};
  for (const field of REPORT_FIELDS[report.kind]) if (field in report) summary[field] = report[field];
  if (report.kind === 'policy-replay') {
    summary.changes = Array.isArray(report.changes) ? report.changes.length : 0;
    summary.notReproducible = Array.isArray(report.notReproducible) ? report.notReproducible.length : 0;
  }
  return { kind: report.kind, sha256: hashOf(report), summary };
}

/** What a change's evidence says of it: everything but the files. */
export function changeDetails(change: ChangeRequest): Record<string, unknown> {
  return { ...change };
}
