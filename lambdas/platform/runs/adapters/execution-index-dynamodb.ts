import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import type { ExecutionIndex, ExecutionRecord } from '#platform/runs/core/executions.ts';

const key = (executionId: string) => ({ pk: `EXECUTION#${executionId}`, sk: 'EXECUTION' });

/** The execution index in the work table; the conditional put is what makes a start idempotent. */
export class DynamoDbExecutionIndex implements ExecutionIndex {
  async claim(record: ExecutionRecord): Promise<{ created: boolean; stored: ExecutionRecord }> {
    try {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName('work'),
          Item: {
            ...key(record.executionId),
            gsi1pk: `RUNBOOK#${record.runbook}`,
            gsi1sk: `${record.createdAt}#${record.executionId}`,
            record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, stored: record };
    } catch (error) {
      if (!isConditionFailure(error)) rethrowTransient(error);
    }
    const stored = await this.find(record.executionId);
    if (!stored) throw new Error(`Execution ${record.executionId} was claimed but cannot be read back.`);
    return { created: false, stored };
  }

  async find(executionId: string): Promise<ExecutionRecord | undefined> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({ TableName: tableName('work'), Key: key(executionId), ConsistentRead: true }),
      );
      return Item?.record as ExecutionRecord | undefined;
    } catch (error) {
      rethrowTransient(error);
    }
  }
}
