import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import { type DeploymentProbe, probeChecksum } from '#runbooks/deployment-check/core/deployment-probe.ts';

const PROBE_TTL_SECONDS = 30 * 24 * 3600;
const probeKey = (key: string) => ({ pk: key, sk: 'PROBE' });

export interface StoredProbe {
  readonly probe: DeploymentProbe;
  readonly checksum: string;
}

/** The probe as stored in the work table (a consistent read), or undefined. */
export async function readProbe(key: string): Promise<StoredProbe | undefined> {
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: tableName('work'), Key: probeKey(key), ConsistentRead: true }),
    );
    return Item ? { probe: Item.probe as DeploymentProbe, checksum: String(Item.checksum) } : undefined;
  } catch (error) {
    rethrowTransient(error);
  }
}

/** Writes the probe once per execution; a retried step gets the probe the first attempt wrote. */
export async function writeProbeOnce(probe: DeploymentProbe): Promise<DeploymentProbe> {
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: {
          ...probeKey(probe.probeKey),
          probe,
          checksum: probeChecksum(probe),
          expiresAtEpoch: Math.floor(Date.now() / 1000) + PROBE_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return probe;
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
  const existing = await readProbe(probe.probeKey);
  if (!existing) throw new Error(`Probe ${probe.probeKey} was written and is gone.`);
  return existing.probe;
}
