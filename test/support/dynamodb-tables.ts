import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { TABLE_ENV, TABLE_IDS } from '#platform/aws/resource-env.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/ports.ts';
import { localTableName, provisionTables } from '../../local/provision.ts';

export interface LocalTables {
  readonly endpoint: string;
  /** A fresh low-level client on DynamoDB Local; extra settings (maxAttempts…) on top. */
  client(config?: DynamoDBClientConfig): DynamoDBClient;
  stop(): Promise<void>;
}

/** DynamoDB Local in memory with every table provisioned, and the process env pointing at it. */
export async function startLocalTables(): Promise<LocalTables> {
  const local: DynamoDbLocal = await startDynamoDbLocal({ port: await freePort() });
  const client = (config: DynamoDBClientConfig = {}) =>
    new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...config,
    });
  const admin = client();
  await provisionTables(admin);
  admin.destroy();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = local.endpoint;
  for (const id of TABLE_IDS) process.env[TABLE_ENV[id]] = localTableName(id);
  return { endpoint: local.endpoint, client, stop: () => local.stop() };
}
