import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { logger } from '#platform/aws/logger.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { parseTaskEvent } from '#platform/runs/handlers/task-event.ts';
import { type DeploymentProbe, probeChecksum } from '#runbooks/deployment-check/core/deployment-probe.ts';

/** Task ReadProbe: reads the probe back and recomputes its checksum. */
export async function handler(event: unknown, context: Context) {
  const input = parseTaskEvent(
    { probeKey: z.string().startsWith('PROBE#'), checksum: z.string().regex(/^[a-f0-9]{64}$/) },
    event,
    context,
  );
  let item: Record<string, unknown> | undefined;
  try {
    ({ Item: item } = await dynamoDb.send(
      new GetCommand({
        TableName: tableName('work'),
        Key: { pk: input.probeKey, sk: 'PROBE' },
        ConsistentRead: true,
      }),
    ));
  } catch (error) {
    rethrowTransient(error);
  }
  const readAt = new Date().toISOString();
  if (!item) {
    logger.warn('probe missing', { probeKey: input.probeKey });
    return { matches: false, reason: 'PROBE_MISSING', readAt };
  }
  const recomputed = probeChecksum(item.probe as DeploymentProbe);
  const matches = recomputed === input.checksum && item.checksum === input.checksum;
  logger.info('probe read back', { probeKey: input.probeKey, matches });
  return matches ? { matches, readAt } : { matches, reason: 'CHECKSUM_MISMATCH', readAt };
}
