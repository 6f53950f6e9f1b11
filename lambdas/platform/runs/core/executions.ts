import { canonicalJson } from '#platform/core/canonical-json.ts';
import { ERROR_CODES, type ErrorCode, TollgateError } from '#platform/core/errors.ts';
import { hashOf, sha256Hex } from '#platform/core/hashing.ts';
import type { Principal } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';
import type { RunbookModule } from './runbook-module.ts';

/** One started runbook execution, as the execution index keeps it. */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly runbook: string;
  readonly executionArn: string;
  /** SHA-256 of the canonical request body: the same key with another body is refused. */
  readonly requestHash: string;
  /** The exact execution input, kept so a retry starts the identical execution. */
  readonly input: string;
  readonly requestedBy: Principal;
  readonly createdAt: string;
}

/** Step Functions' statuses, plus NOT_STARTED: claimed, but the start did not go through (the client's retry completes it). */
export type ExecutionStatus =
  | 'NOT_STARTED'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionState {
  readonly status: ExecutionStatus;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** Port: the execution index in the work table. */
export interface ExecutionIndex {
  /** Stores the record unless one with the same id exists; returns what is stored. */
  claim(record: ExecutionRecord): Promise<{ readonly created: boolean; readonly stored: ExecutionRecord }>;
  find(executionId: string): Promise<ExecutionRecord | undefined>;
}

/** Port: the runbook engine (Step Functions in AWS, the local engine in local mode). */
export interface RunbookEngine {
  /** Starts the execution; starting the same name with the same input again is not an error. */
  start(stateMachineArn: string, name: string, input: string): Promise<void>;
  describe(executionArn: string): Promise<ExecutionState | undefined>;
}

export interface StartRunbookDeps {
  readonly index: ExecutionIndex;
  readonly engine: RunbookEngine;
  readonly stateMachineArn: (runbook: string) => string;
  readonly now: () => Date;
  /** The registered runbooks: request schema, who may start them, intake. */
  readonly runbooks: () => readonly RunbookModule[];
}

export interface StartRunbookRequest {
  readonly runbook: string;
  readonly idempotencyKey: string | undefined;
  readonly body: unknown;
  readonly principal: Principal;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const EXECUTION_ID = /^[a-f0-9]{40}$/;

/**
 * Idempotency keys are scoped to the caller and the runbook, as payment APIs scope them: two
 * people who pick the same key do not collide. The id is also the Step Functions execution name.
 */
export function executionIdFor(principal: Principal, runbook: string, idempotencyKey: string): string {
  return sha256Hex(`${principal.userId}\n${runbook}\n${idempotencyKey}`).slice(0, 40);
}

export function executionArnFor(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  parts[5] = 'execution';
  return `${parts.join(':')}:${executionName}`;
}

export async function startRunbook(
  deps: StartRunbookDeps,
  request: StartRunbookRequest,
): Promise<{ readonly record: ExecutionRecord; readonly replayed: boolean }> {
  const { runbook, principal } = request;
  const module = deps.runbooks().find((candidate) => candidate.name === runbook);
  if (!module) {
    throw new TollgateError(
      'UNKNOWN_RUNBOOK',
      `There is no runbook "${runbook}". Known: ${deps
        .runbooks()
        .map((candidate) => candidate.name)
        .join(', ')}.`,
    );
  }
  if (!mayStartRunbook(module, principal.roles)) {
    throw new TollgateError(
      'FORBIDDEN',
      `Only ${module.startRoles.join(', ') || 'nobody'} may start "${runbook}"; you are signed in as ${principal.roles.join(', ') || 'no role'}.`,
    );
  }
  const key = request.idempotencyKey;
  if (key === undefined || key === '') {
    throw new TollgateError(
      'IDEMPOTENCY_KEY_REQUIRED',
      'Send an Idempotency-Key header (8–128 characters: letters, digits, . _ : -) so a retry cannot start a second execution.',
    );
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      'The Idempotency-Key header must be 8–128 characters of letters, digits, . _ : or -.',
    );
  }
  const body = parseRunbookRequest(module, request.body);
  const executionId = executionIdFor(principal, runbook, key);
  const stateMachineArn = deps.stateMachineArn(runbook);
  const executionArn = executionArnFor(stateMachineArn, executionId);
  const requestHash = hashOf(body);
  const reused = (stored: ExecutionRecord) =>
    new TollgateError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
      { executionId: stored.executionId },
    );
  const earlier = await deps.index.find(executionId);
  if (earlier && earlier.requestHash !== requestHash) throw reused(earlier);
  let stored = earlier;
  let created = false;
  if (!stored) {
    const createdAt = deps.now().toISOString();
    const requestedBy: Principal = principal;
    const intake = module.intake ? await module.intake() : undefined;
    const prepared = intake
      ? await intake({ runbook, body, executionId, executionArn, principal, submittedAt: createdAt })
      : { request: body };
    const claim = await deps.index.claim({
      executionId,
      runbook,
      executionArn,
      requestHash,
      input: canonicalJson({ ...prepared, requestedBy, submittedAt: createdAt }),
      requestedBy,
      createdAt,
    });
    if (!claim.created && claim.stored.requestHash !== requestHash) throw reused(claim.stored);
    stored = claim.stored;
    created = claim.created;
  }
  // Started after the claim: a crash in between leaves a claim that the client's retry completes.
  await deps.engine.start(stateMachineArn, executionId, stored.input);
  return { record: stored, replayed: !created };
}

export function mayStartRunbook(module: RunbookModule, roles: readonly Role[]): boolean {
  return roles.some((role) => module.startRoles.includes(role));
}

/** Validates a start request against the runbook's schema; the first problem names where it is. */
export function parseRunbookRequest(module: RunbookModule, body: unknown): Record<string, unknown> {
  const result = module.request.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    // A runbook's schema may name a more specific code for a rule of its own (e.g. UNKNOWN_AGENT).
    const named =
      issue?.code === 'custom' ? (issue.params as { errorCode?: unknown } | undefined)?.errorCode : undefined;
    const code: ErrorCode = ERROR_CODES.includes(named as ErrorCode)
      ? (named as ErrorCode)
      : 'VALIDATION_FAILED';
    throw new TollgateError(
      code,
      `${where}: ${issue?.message ?? 'invalid'}. Fix the request body and send it again.`,
      {
        issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  }
  return result.data;
}

/** The execution's id: the name part of its ARN (the API's, the work room's and the evidence's `executionId`). */
export function executionIdOf(executionArn: string): string {
  return executionArn.split(':').at(-1) ?? executionArn;
}

/** Who may read an execution: the requester, and the roles that oversee runbooks. */
export function mayReadExecution(principal: Principal, record: ExecutionRecord): boolean {
  if (principal.userId === record.requestedBy.userId) return true;
  return principal.roles.some(
    (role) => role === 'controller' || role === 'auditor' || role === 'platform_admin',
  );
}

export async function readExecution(
  deps: { readonly index: ExecutionIndex; readonly engine: RunbookEngine },
  principal: Principal,
  executionId: string,
): Promise<{ readonly record: ExecutionRecord; readonly state: ExecutionState }> {
  const notFound = new TollgateError(
    'NOT_FOUND',
    `No execution "${executionId}" that you may see. Check the id returned when it was started.`,
  );
  if (!EXECUTION_ID.test(executionId)) throw notFound;
  const record = await deps.index.find(executionId);
  if (!record || !mayReadExecution(principal, record)) throw notFound;
  const state = (await deps.engine.describe(record.executionArn)) ?? { status: 'NOT_STARTED' as const };
  return { record, state };
}
