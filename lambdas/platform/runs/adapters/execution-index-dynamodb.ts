import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import type { ExecutionListing, ExecutionPage } from '#platform/runs/core/execution-list.ts';
import type { ExecutionIndex, ExecutionRecord } from '#platform/runs/core/executions.ts';

const key = (executionId: string) => ({ pk: `EXECUTION#${executionId}`, sk: 'EXECUTION' });

/**
 * The execution index in the work table; the conditional put is what makes a start idempotent.
 * gsi1 lists each runbook's executions by creation time (`RUNBOOK#<name>`, `<createdAt>#<id>`).
 */
export class DynamoDbExecutionIndex implements ExecutionIndex, ExecutionListing {
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

  async pageByRunbook(query: Parameters<ExecutionListing['pageByRunbook']>[0]): Promise<ExecutionPage> {
    if (query.low > query.high) return { records: [] };
    try {
      const out = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName('work'),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :low AND :high',
          ...(query.requestedByUserId
            ? {
                FilterExpression: '#record.#requestedBy.#userId = :me',
                ExpressionAttributeNames: {
                  '#record': 'record',
                  '#requestedBy': 'requestedBy',
                  '#userId': 'userId',
                },
              }
            : {}),
          ExpressionAttributeValues: {
            ':p': `RUNBOOK#${query.runbook}`,
            ':low': query.low,
            ':high': query.high,
            ...(query.requestedByUserId ? { ':me': query.requestedByUserId } : {}),
          },
          ScanIndexForward: false,
          Limit: query.pageSize,
          ...(query.startKey ? { ExclusiveStartKey: query.startKey } : {}),
        }),
      );
      return {
        records: (out.Items ?? []).map((item) => item.record as ExecutionRecord),
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}),
      };
    } catch (error) {
      rethrowTransient(error);
    }
  }
}
