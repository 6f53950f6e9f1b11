import * as z from 'zod';
import { logger } from '#platform/aws/logger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { writeProbeOnce } from '#runbooks/deployment-check/adapters/probe-store-dynamodb.ts';
import { buildProbe, probeChecksum } from '#runbooks/deployment-check/core/deployment-probe.ts';

/**
 * Task WriteProbe: writes the probe once per execution and leaves an `action` evidence record
 * of it; a retry returns the probe already written and finds the same evidence record.
 */
export const handler = runbookStep({
  input: { requestedBy: z.object({ username: z.string() }) },
  run: async (task) => {
    const probe = await writeProbeOnce(
      buildProbe(task.executionId, task.runbookVersion, task.requestedBy.username, new Date()),
    );
    const checksum = probeChecksum(probe);
    logger.info('probe written', { probeKey: probe.probeKey });
    return {
      result: { probeKey: probe.probeKey, checksum, writtenAt: probe.writtenAt },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'WriteProbe/action',
          actor: { kind: 'system', id: 'deployment-check', role: 'runbook' },
          details: {
            action: 'write_deployment_probe',
            probeKey: probe.probeKey,
            checksum,
            writtenAt: probe.writtenAt,
            requestedBy: probe.requestedBy,
          },
        },
      ],
    };
  },
});
