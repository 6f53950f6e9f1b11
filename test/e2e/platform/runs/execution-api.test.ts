import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { localTableName } from '../../../../local/provision.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The execution API over HTTP on the real local stack: dev tokens at the gateway, the API
// handlers, DynamoDB Local for the execution index, and the local engine running the ASL.
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

const start = (user: string | undefined, key: string | undefined, body: unknown = {}) =>
  harness.api('POST', '/runbooks/deployment-check/executions', {
    ...(user ? { user } : {}),
    body,
    headers: key ? { 'Idempotency-Key': key } : {},
  });

describe('POST /runbooks/deployment-check/executions', () => {
  it('starts the runbook, which writes and reads back its probe in DynamoDB', async () => {
    // Act
    const started = await start('gray.admin', 'deploy-check-0001', { note: 'after deploy' });
    const finished = await harness.waitForExecution(started.body.executionId, 'gray.admin');

    // Assess
    expect(started.status).toBe(202);
    expect(started.body.executionId).toMatch(/^[a-f0-9]{40}$/);
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.output.outcome).toBe('PASSED');
    const { Item } = await dynamoDb.send(
      new GetCommand({
        TableName: localTableName('work'),
        Key: { pk: finished.output.probeKey, sk: 'PROBE' },
      }),
    );
    expect(Item?.probe.requestedBy).toBe('gray.admin');
    expect(Item?.probe.executionId).toContain(started.body.executionId);
  });

  it('returns the same execution for the same Idempotency-Key and body', async () => {
    // Act
    const first = await start('gray.admin', 'deploy-check-0002');
    const second = await start('gray.admin', 'deploy-check-0002');

    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.executionId).toBe(first.body.executionId);
    expect(first.body.replayed).toBe(false);
    expect(second.body.replayed).toBe(true);
  });

  it('refuses the same Idempotency-Key with a different body, and starts nothing', async () => {
    // Prepare
    const first = await start('gray.admin', 'deploy-check-0003', { note: 'one' });
    await harness.waitForExecution(first.body.executionId, 'gray.admin');

    // Act
    const reused = await start('gray.admin', 'deploy-check-0003', { note: 'two' });

    // Assess
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const record = await harness.api('GET', `/executions/${first.body.executionId}`, { user: 'gray.admin' });
    expect(record.body.status).toBe('SUCCEEDED');
  });

  it.each([
    ['no token', undefined, 'deploy-check-0004', {}, 401, 'UNAUTHENTICATED'],
    ['a role that may not start it', 'avery.clerk', 'deploy-check-0005', {}, 403, 'FORBIDDEN'],
    ['no Idempotency-Key', 'gray.admin', undefined, {}, 400, 'VALIDATION_FAILED'],
    ['a malformed Idempotency-Key', 'gray.admin', 'short', {}, 400, 'VALIDATION_FAILED'],
    [
      'an unknown field in the body',
      'gray.admin',
      'deploy-check-0006',
      { approve: true },
      400,
      'VALIDATION_FAILED',
    ],
    ['a body that is not JSON', 'gray.admin', 'deploy-check-0007', '{not json', 400, 'VALIDATION_FAILED'],
    ['a JSON array body', 'gray.admin', 'deploy-check-0008', [1, 2], 400, 'VALIDATION_FAILED'],
  ])('refuses a request with %s', async (_case, user, key, body, status, code) => {
    // Act
    const response = await start(user, key, body);

    // Assess
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toEqual(expect.any(String));
  });

  it('answers 404 UNKNOWN_RUNBOOK for a runbook that does not exist', async () => {
    const response = await harness.api('POST', '/runbooks/wire-everything/executions', {
      user: 'gray.admin',
      body: {},
      headers: { 'Idempotency-Key': 'deploy-check-0009' },
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('UNKNOWN_RUNBOOK');
  });

  it('rejects a token whose signature was tampered with', async () => {
    const response = await fetch(`${harness.stack.endpoints.api}/executions/${'a'.repeat(40)}`, {
      headers: { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' },
    });
    expect(response.status).toBe(401);
  });
});

describe('GET /executions/{id}', () => {
  it('shows the execution to its requester and to an auditor, and hides it from an unrelated clerk', async () => {
    // Prepare
    const started = await start('gray.admin', 'deploy-check-0010');
    await harness.waitForExecution(started.body.executionId, 'gray.admin');

    // Act
    const auditor = await harness.api('GET', `/executions/${started.body.executionId}`, {
      user: 'finley.auditor',
    });
    const clerk = await harness.api('GET', `/executions/${started.body.executionId}`, {
      user: 'avery.clerk',
    });

    // Assess
    expect(auditor.status).toBe(200);
    expect(auditor.body).toMatchObject({
      runbook: 'deployment-check',
      status: 'SUCCEEDED',
      requestedBy: { username: 'gray.admin' },
    });
    expect(clerk.status).toBe(404);
    expect(clerk.body.error.code).toBe('NOT_FOUND');
  });

  it('answers 404 for an id that was never issued', async () => {
    const response = await harness.api('GET', `/executions/${'0'.repeat(40)}`, { user: 'finley.auditor' });
    expect(response.status).toBe(404);
  });
});
