import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDb } from '#adapters/dynamodb-client.ts';
import { logger } from '#adapters/logger.ts';
import { tableName } from '#adapters/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#adapters/store-errors.ts';
import { buildProbe, type DeploymentProbe, probeChecksum } from '#core/deployment-probe.ts';
import { parseTaskEvent } from '../shared/task-event.ts';

const PROBE_TTL_SECONDS = 30 * 24 * 3600;

/** Task WriteProbe: writes the probe once per execution; a retry returns the probe already written. */
export async function handler(event: unknown, context: Context) {
  const input = parseTaskEvent({ requestedBy: z.object({ username: z.string() }) }, event, context);
  const probe = buildProbe(input.executionId, input.runbookVersion, input.requestedBy.username, new Date());
  const checksum = probeChecksum(probe);
  const key = { pk: probe.probeKey, sk: 'PROBE' };
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: { ...key, probe, checksum, expiresAtEpoch: Math.floor(Date.now() / 1000) + PROBE_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    logger.info('probe written', { probeKey: probe.probeKey });
    return { probeKey: probe.probeKey, checksum, writtenAt: probe.writtenAt };
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
  const { Item } = await dynamoDb.send(
    new GetCommand({ TableName: tableName('work'), Key: key, ConsistentRead: true }),
  );
  const existing = Item?.probe as DeploymentProbe;
  logger.info('probe already written by an earlier attempt', { probeKey: existing.probeKey });
  return { probeKey: existing.probeKey, checksum: Item?.checksum as string, writtenAt: existing.writtenAt };
}
