import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { catalogRunbooks } from '../../../lib/catalog.ts';
import { PROJECT_ROOT } from '../../../lib/project-root.ts';
import { loadRunbook } from '../../../lib/runbook-definition.ts';
import { localTableName } from '../../../local/provision.ts';
import { localStateMachineArn } from '../../../local/step-functions-local.ts';
import { type Harness, startHarness } from '../../support/local-stack-harness.ts';

// statemachines/deployment-check.asl.json on the local engine, its Tasks dispatched to the
// handler modules the Lambdas run, reading and writing DynamoDB Local (kept on disk here).
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-engine-'));
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ dataDir, inMemory: false });
});
afterAll(async () => {
  await harness?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const arn = localStateMachineArn('deployment-check');
const requestedBy = { userId: 'u-1', username: 'gray.admin', roles: ['platform_admin'] };

describe('local runbook engine', () => {
  it('runs the ASL file, stamping every Task with the runbook version', async () => {
    // Prepare
    const expectedVersion = loadRunbook(
      PROJECT_ROOT,
      catalogRunbooks().find((r) => r.name === 'deployment-check')!,
    ).version;

    // Act
    const started = harness.stack.stepFunctions.startExecution(
      arn,
      'engine-run-1',
      JSON.stringify({ requestedBy }),
    );
    const finished = await harness.stack.stepFunctions.waitFor(started.executionArn);

    // Assess
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.runbookVersion).toBe(expectedVersion);
    const output = JSON.parse(finished.output ?? '{}');
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: localTableName('work'), Key: { pk: output.probeKey, sk: 'PROBE' } }),
    );
    expect(Item?.probe).toMatchObject({
      runbookVersion: expectedVersion,
      executionId: started.executionArn.split(':').at(-1),
    });
    expect(finished.history.map((e) => e.state).filter(Boolean)).toEqual(
      expect.arrayContaining(['WriteProbe', 'ReadProbe', 'Verdict', 'Passed']),
    );
  });

  it('ends in the Fail state, with its error name, when a Task fails', async () => {
    // Act: a requester without a username, so the WriteProbe handler rejects its input
    const started = harness.stack.stepFunctions.startExecution(
      arn,
      'engine-run-2',
      JSON.stringify({ requestedBy: { username: 42 } }),
    );
    const finished = await harness.stack.stepFunctions.waitFor(started.executionArn);

    // Assess
    expect(finished.status).toBe('FAILED');
    expect(finished.error).toBe('DeploymentCheckFailed');
    expect(finished.history.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual([
      'WriteProbe',
      'CheckFailed',
    ]);
  });

  it('treats a second start with the same name and input as the same execution, and a different input as a conflict', async () => {
    const input = JSON.stringify({ requestedBy });
    const first = harness.stack.stepFunctions.startExecution(arn, 'engine-run-3', input);
    const again = harness.stack.stepFunctions.startExecution(arn, 'engine-run-3', input);
    expect(again.executionArn).toBe(first.executionArn);
    await harness.stack.stepFunctions.waitFor(first.executionArn);
    expect(() => harness.stack.stepFunctions.startExecution(arn, 'engine-run-3', '{"other":1}')).toThrow(
      /Already Exists/,
    );
  });

  it('keeps executions and table data across a restart on the same data folder', async () => {
    // Prepare
    const started = harness.stack.stepFunctions.startExecution(
      arn,
      'engine-run-4',
      JSON.stringify({ requestedBy }),
    );
    const before = await harness.stack.stepFunctions.waitFor(started.executionArn);
    const probeKey = JSON.parse(before.output ?? '{}').probeKey;

    // Act
    const { ports } = harness.stack;
    await harness.stop({ keepData: true });
    harness = await startHarness({ dataDir, inMemory: false, ports });

    // Assess
    expect(harness.stack.stepFunctions.describeExecution(started.executionArn).status).toBe('SUCCEEDED');
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: localTableName('work'), Key: { pk: probeKey, sk: 'PROBE' } }),
    );
    expect(Item).toBeDefined();
  });
});
