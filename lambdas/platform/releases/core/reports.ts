import { hashOf } from '#platform/core/hashing.ts';
import type { AttachedReport } from './change-requests.ts';

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

/** An eval or replay report as a change request or an agent promotion keeps it: its kind, its hash and the figures a reviewer reads. */
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
