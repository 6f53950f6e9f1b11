import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceActor, EvidenceBusiness, RecordType } from '#platform/evidence/core/records.ts';

/** The evidence chain of one runbook's releases: every change request and its decision. */
export const releaseStream = (runbook: string) => `release-${runbook}`;

/** `Release/<stage>/<changeId>/<event>`: the stage is the second part (the auditor export reads it there). */
export const releaseEventKey = (
  stage: string,
  changeId: string,
  event: 'proposed' | 'approved' | 'refused',
) => `Release/${stage}/${changeId}/${event}`;

/** One release event, under the runbook and the version it is about, in the runbook's release chain. */
export function appendReleaseEvent(
  runbook: string,
  version: string,
  record: {
    recordType: RecordType;
    eventKey: string;
    actor: EvidenceActor;
    details: Record<string, unknown>;
    business: EvidenceBusiness;
  },
) {
  return evidenceWriter().append({
    ...record,
    runbook,
    runbookVersion: version,
    executionId: releaseStream(runbook),
  });
}
