import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '#platform/aws/logger.ts';
import { requireEnv, runbookArnEnv } from '#platform/aws/resource-env.ts';
import type { Principal } from '#platform/core/principal.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#platform/runs/adapters/runbook-engine-sfn.ts';
import { startRunbook } from '#platform/runs/core/executions.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import { runbookModules } from '#runbooks/registry.ts';

/**
 * The stage's scheduler, as the requester of the runs it starts. It holds no person's role
 * beyond starting runs: releasing one still needs the agent's pact or a controller, and since
 * the scheduler is nobody, every controller may approve what it started.
 */
export const SCHEDULER: Principal = {
  userId: 'tollgate-payment-scheduler',
  username: 'tollgate-payment-scheduler',
  roles: ['platform_admin'],
};

const deps = {
  index: new DynamoDbExecutionIndex(),
  engine: new StepFunctionsRunbookEngine(),
  stateMachineArn: (runbook: string) => requireEnv(runbookArnEnv(runbook)),
  now: () => new Date(),
  runbooks: runbookModules,
};

/** One started (or replayed) run per funding account. */
export interface ScheduledRun {
  readonly accountId: string;
  readonly executionId: string;
  readonly replayed: boolean;
}

/**
 * The business-day schedule: a payment run for every funding account the policy can pay from,
 * dated by the schedule's day. The Idempotency-Key names the account and the day, so a
 * redelivered or retried event starts nothing twice.
 */
export async function startScheduledRuns(at: Date): Promise<ScheduledRun[]> {
  const asOf = ledgerDay(at);
  const runs: ScheduledRun[] = [];
  for (const accountId of Object.keys(PAYMENT_RUN_POLICY.originators).sort()) {
    const { record, replayed } = await startRunbook(deps, {
      runbook: 'payment-run',
      idempotencyKey: `schedule:${accountId}:${asOf}`,
      body: { accountId, asOf },
      principal: SCHEDULER,
    });
    runs.push({ accountId, executionId: record.executionId, replayed });
  }
  logger.info('scheduled payment runs', { asOf, runs });
  return runs;
}

/** EventBridge target. The day is the function's own clock, never the event's: whoever can invoke it cannot pick a date. */
export async function handler(_event: Partial<ScheduledEvent>): Promise<ScheduledRun[]> {
  return startScheduledRuns(new Date());
}
