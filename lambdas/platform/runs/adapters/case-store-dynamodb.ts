import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';

const caseKey = (executionId: string) => ({ pk: `CASE#${executionId}`, sk: 'CASE' });

/** Sets fields on the run's case (what GET /executions/{id} shows); each step adds its part. */
export async function updateCase(executionId: string, fields: Record<string, unknown>): Promise<void> {
  const entries = Object.entries({ ...fields, executionId, updatedAt: new Date().toISOString() });
  try {
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName('work'),
        Key: caseKey(executionId),
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
      }),
    );
  } catch (error) {
    rethrowTransient(error);
  }
}

export async function getCase(executionId: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: tableName('work'), Key: caseKey(executionId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...fields } = Item;
    return fields;
  } catch (error) {
    rethrowTransient(error);
  }
}
