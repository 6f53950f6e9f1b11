import { apiHandler, json } from '#platform/api/http.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#platform/runs/adapters/runbook-engine-sfn.ts';
import { listExecutions, parseListQuery } from '#platform/runs/core/execution-list.ts';
import { runbookModules } from '#runbooks/registry.ts';

const runbookNames = () => runbookModules().map((module) => module.name);
const deps = {
  listing: new DynamoDbExecutionIndex(),
  engine: new StepFunctionsRunbookEngine(),
  runbooks: runbookNames,
};

/** GET /executions?runbook=&status=&requestedBy=&from=&to=&limit=&nextToken= — newest first, what the caller may see. */
export const handler = apiHandler(async (request) => {
  const query = parseListQuery(request.event.queryStringParameters, runbookNames());
  const { executions, nextToken } = await listExecutions(deps, request.principal, query);
  return json(200, {
    executions: executions.map(({ record, state }) => ({
      executionId: record.executionId,
      runbook: record.runbook,
      status: state.status,
      requestedBy: { username: record.requestedBy.username },
      createdAt: record.createdAt,
      stoppedAt: state.stoppedAt ?? null,
      links: { self: `/executions/${record.executionId}` },
    })),
    nextToken: nextToken ?? null,
  });
});
