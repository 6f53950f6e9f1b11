import { DynamoDbExecutionIndex } from '#adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#adapters/runbook-engine-sfn.ts';
import { readExecution } from '#core/executions.ts';
import { apiHandler, json } from './http.ts';

const deps = { index: new DynamoDbExecutionIndex(), engine: new StepFunctionsRunbookEngine() };

/** GET /executions/{executionId} */
export const handler = apiHandler(async (request) => {
  const { record, state } = await readExecution(
    deps,
    request.principal,
    request.pathParameter('executionId'),
  );
  return json(200, {
    executionId: record.executionId,
    runbook: record.runbook,
    status: state.status,
    requestedBy: { username: record.requestedBy.username, roles: record.requestedBy.roles },
    createdAt: record.createdAt,
    startedAt: state.startedAt ?? null,
    stoppedAt: state.stoppedAt ?? null,
    output: state.output ?? null,
    error: state.error ? { code: state.error, cause: state.cause ?? null } : null,
  });
});
