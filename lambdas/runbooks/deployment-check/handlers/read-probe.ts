import * as z from 'zod';
import { logger } from '#platform/aws/logger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { readProbe } from '#runbooks/deployment-check/adapters/probe-store-dynamodb.ts';
import { probeChecksum } from '#runbooks/deployment-check/core/deployment-probe.ts';

interface ProbeReadBack {
  readonly matches: boolean;
  readonly reason?: 'PROBE_MISSING' | 'CHECKSUM_MISMATCH';
  readonly readAt: string;
}

/** Task ReadProbe: reads the probe back and recomputes its checksum. */
export const handler = runbookStep<{ probeKey: z.ZodString; checksum: z.ZodString }, ProbeReadBack>({
  input: { probeKey: z.string().startsWith('PROBE#'), checksum: z.string().regex(/^[a-f0-9]{64}$/) },
  run: async (task) => {
    const stored = await readProbe(task.probeKey);
    const readAt = new Date().toISOString();
    if (!stored) {
      logger.warn('probe missing', { probeKey: task.probeKey });
      return { result: { matches: false, reason: 'PROBE_MISSING', readAt } };
    }
    const matches = probeChecksum(stored.probe) === task.checksum && stored.checksum === task.checksum;
    logger.info('probe read back', { probeKey: task.probeKey, matches });
    return { result: matches ? { matches, readAt } : { matches, reason: 'CHECKSUM_MISMATCH', readAt } };
  },
});
