import * as z from 'zod';
import { type ApiRequest, type ApiResponse, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { parseBody } from '#platform/trust/handlers/trust-requests.ts';
import { appendReleaseEvent, releaseEventKey, releaseStream } from '../adapters/release-events.ts';
import { DynamoDbReleaseStore } from '../adapters/release-store-dynamodb.ts';
import { checkDecision } from '../core/change-requests.ts';
import { knownRunbook, personAs } from './release-requests.ts';

const store = new DynamoDbReleaseStore();
const body = z.strictObject({
  decision: z.enum(['APPROVE', 'REJECT']),
  comment: z.string().trim().min(3, 'a comment saying why (at least 3 characters)').max(2000),
});

/**
 * POST /runbooks/{runbook}/releases/{changeId}/decision — someone other than the author approves
 * the change (its version goes live in its stage at once) or refuses it. A change that moves
 * finance-owned thresholds is approved by a controller. Refused with nothing written: the author,
 * a platform admin on thresholds, a decided change, a stage that moved since the proposal.
 */
export async function decideRelease(request: ApiRequest): Promise<ApiResponse> {
  const approver = personAs(request.principal, ['controller', 'platform_admin']);
  const runbook = knownRunbook(request.pathParameter('runbook'));
  const changeId = request.pathParameter('changeId');
  const input = parseBody(body, request.jsonBody(), '{"decision": "APPROVE" | "REJECT", "comment": "…"}');
  const change = await store.change(runbook, changeId);
  if (!change) throw new TollgateError('NOT_FOUND', `No change ${changeId} of ${runbook}.`);
  const history = await store.history(runbook);
  checkDecision(
    change,
    approver,
    history.live.find((l) => l.stage === change.stage),
  );
  const at = new Date().toISOString();
  const approved = input.decision === 'APPROVE';
  const release = approved ? await store.approve(change, approver, at, input.comment) : undefined;
  if (!approved && !(await store.refuse(change, approver, at, input.comment)))
    throw new TollgateError('CONFLICT', `Change ${changeId} was decided meanwhile; read it again.`, {
      reason: 'CHANGE_NOT_PENDING',
    });
  const eventKey = releaseEventKey(change.stage, changeId, approved ? 'approved' : 'refused');
  const decision = { by: approver, at, comment: input.comment };
  await appendReleaseEvent(runbook, change.version, {
    recordType: approved ? 'config_change' : 'approval',
    eventKey,
    actor: { kind: 'person', id: approver.username, role: approver.role },
    details: {
      changeId,
      stage: change.stage,
      kind: change.kind,
      version: change.version,
      fromVersion: change.fromVersion,
      author: change.author.username,
      diff: change.diff,
      report: change.report,
      decision,
    },
    business: { decision: approved ? 'RUNBOOK_VERSION_LIVE' : 'RUNBOOK_CHANGE_REFUSED' },
  });
  return json(200, {
    ...change,
    status: approved ? 'APPROVED' : 'REFUSED',
    decision,
    ...(release ? { live: release } : {}),
    evidencePointer: { executionId: releaseStream(runbook), eventKey },
  });
}
