import { apiHandler, json } from '#platform/api/http.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#platform/runs/adapters/runbook-engine-sfn.ts';
import { readExecution } from '#platform/runs/core/executions.ts';
import { runbookModule } from '#runbooks/registry.ts';

const deps = { index: new DynamoDbExecutionIndex(), engine: new StepFunctionsRunbookEngine() };

/** GET /executions/{executionId}: the run's status, and for a case runbook what each step found so far. */
export const handler = apiHandler(async (request) => {
  const { record, state } = await readExecution(
    deps,
    request.principal,
    request.pathParameter('executionId'),
  );
  const caseView = runbookModule(record.runbook)?.caseView;
  const found = caseView ? await getCase(record.executionId) : undefined;
  return json(200, {
    executionId: record.executionId,
    runbook: record.runbook,
    status: state.status,
    requestedBy: { username: record.requestedBy.username, roles: record.requestedBy.roles },
    createdAt: record.createdAt,
    startedAt: state.startedAt ?? null,
    stoppedAt: state.stoppedAt ?? null,
    ...(found && caseView ? caseView(found) : {}),
    evidence: {
      executionId: record.executionId,
      recordsPrefix: 'records/',
      verify: 'tollgate evidence verify',
    },
    output: state.output ?? null,
    error: state.error ? { code: state.error, cause: state.cause ?? null } : null,
  });
});
