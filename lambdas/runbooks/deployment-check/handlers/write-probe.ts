import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { logger } from '#platform/aws/logger.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import { parseTaskEvent } from '#platform/runs/handlers/task-event.ts';
import {
  buildProbe,
  type DeploymentProbe,
  probeChecksum,
} from '#runbooks/deployment-check/core/deployment-probe.ts';

const PROBE_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Task WriteProbe: writes the probe once per execution and leaves an `action` evidence record
 * of it; a retry returns the probe already written and finds the same evidence record.
 */
export async function handler(event: unknown, context: Context) {
  const input = parseTaskEvent({ requestedBy: z.object({ username: z.string() }) }, event, context);
  const probe = await writeProbeOnce(
    buildProbe(input.executionId, input.runbookVersion, input.requestedBy.username, new Date()),
  );
  const checksum = probeChecksum(probe);
  // A failed evidence write fails the step: the runbook retries it rather than continue without evidence.
  const receipt = await evidenceWriter().append({
    recordType: 'action',
    runbook: input.runbook,
    runbookVersion: input.runbookVersion,
    executionId: input.executionId,
    eventKey: 'WriteProbe/action',
    actor: { kind: 'system', id: 'deployment-check', role: 'runbook' },
    details: {
      action: 'write_deployment_probe',
      probeKey: probe.probeKey,
      checksum,
      writtenAt: probe.writtenAt,
      requestedBy: probe.requestedBy,
    },
  });
  logger.info('probe evidence recorded', { recordId: receipt.recordId });
  return { probeKey: probe.probeKey, checksum, writtenAt: probe.writtenAt, evidenceKey: receipt.key };
}

async function writeProbeOnce(probe: DeploymentProbe): Promise<DeploymentProbe> {
  const key = { pk: probe.probeKey, sk: 'PROBE' };
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: {
          ...key,
          probe,
          checksum: probeChecksum(probe),
          expiresAtEpoch: Math.floor(Date.now() / 1000) + PROBE_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    logger.info('probe written', { probeKey: probe.probeKey });
    return probe;
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
  const { Item } = await dynamoDb.send(
    new GetCommand({ TableName: tableName('work'), Key: key, ConsistentRead: true }),
  );
  const existing = Item?.probe as DeploymentProbe;
  logger.info('probe already written by an earlier attempt', { probeKey: existing.probeKey });
  return existing;
}
