import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { type ApiRequest, type ApiResponse, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { parseBody } from '#platform/trust/handlers/trust-requests.ts';
import { appendReleaseEvent, releaseEventKey, releaseStream } from '../adapters/release-events.ts';
import { DynamoDbReleaseStore } from '../adapters/release-store-dynamodb.ts';
import {
  type ChangeRequest,
  checkProposal,
  diffSummary,
  RELEASE_STAGES,
  type RunbookArtifacts,
  versionOf,
} from '../core/change-requests.ts';
import { attachReport, knownRunbook, personAs } from './release-requests.ts';

const store = new DynamoDbReleaseStore();
const HASH = /^[a-f0-9]{64}$/;
const body = z
  .strictObject({
    stage: z.enum(RELEASE_STAGES),
    kind: z.enum(['promotion', 'rollback']).default('promotion'),
    /** The version's files; required the first time a version is proposed (its hash is computed from them). */
    artifacts: z
      .strictObject({
        asl: z.string().min(2).max(200_000),
        markdown: z.string().max(100_000),
        policy: z.string().max(50_000),
      })
      .optional(),
    version: z.string().regex(HASH, 'a version hash (64 hex characters)').optional(),
    report: z.looseObject({ kind: z.enum(['eval', 'policy-replay']) }).optional(),
    reason: z.string().trim().min(10, 'a reason (at least 10 characters)').max(4000),
  })
  .refine((b) => b.artifacts !== undefined || b.version !== undefined, {
    message: 'the version (hash) or its files (artifacts)',
    path: ['version'],
  });

function checkArtifacts(artifacts: RunbookArtifacts): void {
  try {
    const asl = JSON.parse(artifacts.asl) as { States?: unknown; StartAt?: unknown };
    if (typeof asl.States !== 'object' || asl.States === null || typeof asl.StartAt !== 'string')
      throw new Error('the ASL needs "StartAt" and "States"');
    if (artifacts.policy !== '') JSON.parse(artifacts.policy);
  } catch (error) {
    throw new TollgateError('VALIDATION_FAILED', `artifacts: ${(error as Error).message}.`);
  }
}

/**
 * POST /runbooks/{runbook}/releases — a platform admin proposes putting a runbook version live in
 * a stage (or rolling a stage back to an earlier approved version). The diff against what runs
 * there now is computed from the stored files; nothing goes live until someone else approves.
 */
export async function proposeRelease(request: ApiRequest): Promise<ApiResponse> {
  const author = personAs(request.principal, ['platform_admin']);
  const runbook = knownRunbook(request.pathParameter('runbook'));
  const input = parseBody(
    body,
    request.jsonBody(),
    '{"stage": "dev"|"uat"|"prod", "kind"?: "promotion"|"rollback", "artifacts"?: {"asl","markdown","policy"}, "version"?: "<hash>", "report"?: {"kind": "eval"|"policy-replay", …}, "reason": "…"}',
  );
  if (input.artifacts) checkArtifacts(input.artifacts);
  const version = input.artifacts ? versionOf(input.artifacts) : (input.version as string);
  if (input.version && input.version !== version)
    throw new TollgateError(
      'VALIDATION_FAILED',
      `The files hash to ${version}, not ${input.version}: send the files of that version.`,
      { reason: 'VERSION_MISMATCH' },
    );
  const artifacts = input.artifacts ?? (await store.artifacts(runbook, version));
  if (!artifacts)
    throw new TollgateError(
      'VALIDATION_FAILED',
      `Version ${version.slice(0, 12)} of ${runbook} was never proposed; send its files (artifacts).`,
      { reason: 'UNKNOWN_VERSION' },
    );
  const history = await store.history(runbook);
  const report = input.report ? attachReport(input.report) : null;
  checkProposal({ history, runbook, stage: input.stage, kind: input.kind, version, report });
  const live = history.live.find((l) => l.stage === input.stage);
  const before = live ? await store.artifacts(runbook, live.version) : undefined;
  const change: ChangeRequest = {
    changeId: randomUUID(),
    runbook,
    stage: input.stage,
    kind: input.kind,
    version,
    fromVersion: live?.version ?? null,
    diff: diffSummary(before ?? null, artifacts),
    report,
    reason: input.reason,
    author,
    proposedAt: new Date().toISOString(),
    status: 'PENDING',
  };
  await store.propose(change, artifacts);
  const eventKey = releaseEventKey(change.stage, change.changeId, 'proposed');
  await appendReleaseEvent(runbook, version, {
    recordType: 'escalation',
    eventKey,
    actor: { kind: 'person', id: author.username, role: author.role },
    details: { ...change },
    business: { decision: 'RUNBOOK_CHANGE_PROPOSED' },
  });
  return json(201, { ...change, evidencePointer: { executionId: releaseStream(runbook), eventKey } });
}
