import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOf, approverIsNotRequesterCondition } from '#platform/approvals/adapters/approval-conditions.ts';
import { isConditionFailure } from '#platform/aws/store-errors.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../../local/dynamodb-local.ts';
import { freePort } from '../../../../local/ports.ts';
import { localTableName, provisionTables } from '../../../../local/provision.ts';

const TABLE = localTableName('work');

describe('approver ≠ requester, enforced by the write condition (DynamoDB Local)', () => {
  let store: DynamoDbLocal;
  let client: DynamoDBDocumentClient;

  beforeAll(async () => {
    store = await startDynamoDbLocal({ port: await freePort() });
    const raw = new DynamoDBClient({
      endpoint: store.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await provisionTables(raw);
    client = DynamoDBDocumentClient.from(raw);
  });

  afterAll(async () => {
    await store?.stop();
  });

  async function pendingApproval(approvalId: string, requestedBy: string): Promise<Record<string, unknown>> {
    const key = { pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' };
    await client.send(new PutCommand({ TableName: TABLE, Item: { ...key, requestedBy, status: 'PENDING' } }));
    return key;
  }

  /** The decision write alone, with no code before it checking who decides. */
  function decide(key: Record<string, unknown>, approverId: string) {
    const condition = allOf(approverIsNotRequesterCondition(approverId), {
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'PENDING' },
    });
    return client.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #status = :approved, decidedBy = :approver',
        ...condition,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames },
        ExpressionAttributeValues: {
          ...condition.ExpressionAttributeValues,
          ':approved': 'APPROVED',
          ':approver': approverId,
        },
      }),
    );
  }

  it('refuses the write when the approver is the requester, and changes nothing', async () => {
    // Prepare
    const key = await pendingApproval('a-self', 'user-avery');

    // Act
    const outcome = await decide(key, 'user-avery').catch((error: unknown) => error);

    // Assess
    expect(isConditionFailure(outcome)).toBe(true);
    const stored = await client.send(new GetCommand({ TableName: TABLE, Key: key }));
    expect(stored.Item).toMatchObject({ status: 'PENDING' });
    expect(stored.Item?.decidedBy).toBeUndefined();
  });

  it('accepts the write from a different person', async () => {
    // Prepare
    const key = await pendingApproval('a-other', 'user-avery');

    // Act
    await decide(key, 'user-casey');

    // Assess
    const stored = await client.send(new GetCommand({ TableName: TABLE, Key: key }));
    expect(stored.Item).toMatchObject({ status: 'APPROVED', decidedBy: 'user-casey' });
  });

  it('refuses a decision on an item that names no requester', async () => {
    // Prepare
    const key = { pk: 'APPROVAL#a-orphan', sk: 'APPROVAL' };
    await client.send(new PutCommand({ TableName: TABLE, Item: { ...key, status: 'PENDING' } }));

    // Act
    const outcome = await decide(key, 'user-casey').catch((error: unknown) => error);

    // Assess
    expect(isConditionFailure(outcome)).toBe(true);
  });
});
