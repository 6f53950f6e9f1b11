import { hashOf } from '#platform/core/hashing.ts';

/** The record the deployment check writes and reads back. */
export interface DeploymentProbe {
  readonly probeKey: string;
  readonly executionId: string;
  readonly runbookVersion: string;
  readonly requestedBy: string;
  readonly writtenAt: string;
}

export function buildProbe(
  executionId: string,
  runbookVersion: string,
  requestedBy: string,
  now: Date,
): DeploymentProbe {
  return {
    probeKey: `PROBE#${executionId}`,
    executionId,
    runbookVersion,
    requestedBy,
    writtenAt: now.toISOString(),
  };
}

export function probeChecksum(probe: DeploymentProbe): string {
  return hashOf(probe);
}
