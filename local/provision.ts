import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_IDS, type TableId } from '#platform/aws/resource-env.ts';
import { type KeyAttribute, TABLE_DEFINITIONS, type TableDefinition } from '../lib/table-definitions.ts';

/** Local physical names; in AWS, CloudFormation names the tables. */
export function localTableName(table: TableId): string {
  return `tollgate-local-${table}`;
}

/** Creates every missing table from TABLE_DEFINITIONS — the same definitions the CDK stack uses. */
export async function provisionTables(client: DynamoDBClient): Promise<{ created: string[] }> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  const created: string[] = [];
  for (const id of TABLE_IDS) {
    const definition = TABLE_DEFINITIONS[id];
    const name = localTableName(id);
    if (!existing.has(name)) {
      await client.send(new CreateTableCommand(createTableInput(name, definition)));
      created.push(name);
    }
    if (definition.timeToLiveAttribute) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
      if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { Enabled: true, AttributeName: definition.timeToLiveAttribute },
          }),
        );
      }
    }
  }
  return { created };
}

export function createTableInput(name: string, definition: TableDefinition) {
  const attributes = new Map<string, AttributeDefinition>();
  const add = (key: KeyAttribute | undefined) => {
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  };
  const keySchema = (partition: KeyAttribute, sort?: KeyAttribute) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  add(definition.partitionKey);
  add(definition.sortKey);
  for (const index of definition.indexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes.values()],
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
