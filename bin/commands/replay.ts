import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TollgateError } from '#platform/core/errors.ts';
import { loadRecordedRuns } from '#platform/releases/adapters/recorded-runs.ts';
import { type PolicyReplayReport, replayPolicy } from '#platform/releases/core/policy-replay.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { type ApPolicy, apPolicySchema } from '#platform/system-of-record/core/reference-data.ts';
import { RUNBOOK_AP_POLICY } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { applyLocalEnvironment, readRuntime } from '../../local/local-stack.ts';
import { evidenceSource } from '../evidence-commands.ts';
import { useDeployedStack } from './deployed-stack.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A policy file in the format of statemachines/policies/ap-invoice.json; a bad one is VALIDATION_FAILED. */
export function readPolicyFile(file: string): ApPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TollgateError('VALIDATION_FAILED', `Cannot read policy ${file}: ${(error as Error).message}`);
  }
  const parsed = apPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TollgateError(
      'VALIDATION_FAILED',
      `Policy ${file}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is not an AP policy'} (format: statemachines/policies/ap-invoice.json).`,
    );
  }
  return parsed.data;
}

export interface ReplayOptions {
  readonly policyFile: string;
  readonly from: string;
  readonly to: string;
  readonly dataDir: string;
  /** Evidence bucket in AWS; with `stack`, the deployed stack's tables. */
  readonly bucket?: string;
  readonly stack?: string;
}

/**
 * `tollgate replay`: the invoice decisions of a period re-decided from their evidence under the
 * policy file, against the local stack (evidence in s3rver, reference data in DynamoDB Local) or
 * a deployed stack (--bucket and --stack).
 */
export async function runReplay(options: ReplayOptions): Promise<PolicyReplayReport> {
  if (!DATE.test(options.from) || !DATE.test(options.to) || options.from > options.to) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      'Give --from and --to as YYYY-MM-DD, with --from not after --to.',
    );
  }
  if (Boolean(options.bucket) !== Boolean(options.stack)) {
    throw new TollgateError('VALIDATION_FAILED', 'Replay in AWS needs both --bucket and --stack.');
  }
  const policy = readPolicyFile(resolve(options.policyFile));
  const source = evidenceSource({
    dataDir: resolve(options.dataDir),
    ...(options.bucket ? { bucket: options.bucket } : {}),
  });
  if (options.stack) await useDeployedStack(options.stack);
  else {
    const runtime = readRuntime(resolve(options.dataDir));
    if (runtime) applyLocalEnvironment(runtime);
  }
  const period = { from: options.from, to: options.to };
  const { runs, incomplete } = await loadRecordedRuns(
    source.store,
    period,
    RUNBOOK_AP_POLICY.agentsByEntity !== undefined,
  );
  const report = await replayPolicy({ runs, policy, period, reference: new DynamoDbSystemOfRecord() });
  // A decision whose run lacks a record replay needs is listed, never silently left out.
  return {
    ...report,
    runs: report.runs + incomplete.length,
    notReproducible: [
      ...report.notReproducible,
      ...incomplete.map((i) => ({
        executionId: i.executionId,
        invoiceNumber: null,
        reason: `its evidence lacks ${i.missing}`,
      })),
    ],
  };
}
