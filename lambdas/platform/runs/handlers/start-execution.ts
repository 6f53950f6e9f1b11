import { apiHandler, json } from '#platform/api/http.ts';
import { logger } from '#platform/aws/logger.ts';
import { requireEnv, runbookArnEnv } from '#platform/aws/resource-env.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#platform/runs/adapters/runbook-engine-sfn.ts';
import { startRunbook } from '#platform/runs/core/executions.ts';
import { runbookModules } from '#runbooks/registry.ts';

const deps = {
  index: new DynamoDbExecutionIndex(),
  engine: new StepFunctionsRunbookEngine(),
  stateMachineArn: (runbook: string) => requireEnv(runbookArnEnv(runbook)),
  now: () => new Date(),
  runbooks: runbookModules,
};

/** POST /runbooks/{runbook}/executions */
export const handler = apiHandler(async (request) => {
  const { record, replayed } = await startRunbook(deps, {
    runbook: request.pathParameter('runbook'),
    idempotencyKey: request.header('Idempotency-Key'),
    body: request.jsonBody(),
    principal: request.principal,
  });
  logger.info('runbook execution started', {
    executionId: record.executionId,
    runbook: record.runbook,
    replayed,
  });
  return json(202, {
    executionId: record.executionId,
    runbook: record.runbook,
    createdAt: record.createdAt,
    replayed,
    links: { self: `/executions/${record.executionId}` },
  });
});
