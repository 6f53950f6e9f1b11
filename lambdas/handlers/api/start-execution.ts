import { DynamoDbExecutionIndex } from '#adapters/execution-index-dynamodb.ts';
import { logger } from '#adapters/logger.ts';
import { requireEnv, runbookArnEnv } from '#adapters/resource-env.ts';
import { StepFunctionsRunbookEngine } from '#adapters/runbook-engine-sfn.ts';
import { type PrepareContext, startRunbook } from '#core/executions.ts';
import { receiveInvoice } from '../invoice/receive-invoice.ts';
import { apiHandler, json } from './http.ts';

/** Runbook-specific intake before the run starts; the rest pass their request through. */
const PREPARE: Readonly<Record<string, (context: PrepareContext) => Promise<Record<string, unknown>>>> = {
  'invoice-reconciliation': receiveInvoice,
};

const deps = {
  index: new DynamoDbExecutionIndex(),
  engine: new StepFunctionsRunbookEngine(),
  stateMachineArn: (runbook: string) => requireEnv(runbookArnEnv(runbook)),
  now: () => new Date(),
  prepare: async (context: PrepareContext) =>
    (PREPARE[context.runbook] ?? (async () => ({ request: context.body })))(context),
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
