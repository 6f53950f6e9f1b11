import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { requireAnyRole } from '#platform/core/principal.ts';
import { afterOutcome, appendTrustEvent } from '#platform/trust/adapters/trust-events.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { trustStream } from '#platform/trust/core/outcomes.ts';
import { parseBody } from './trust-requests.ts';

const store = new DynamoDbTrustStore();
const body = z.strictObject({
  executionId: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(3, 'a reason saying what went wrong (at least 3 characters)').max(2000),
  action: z.string().trim().min(1).max(100).optional(),
});

/**
 * POST /agents/{agentId}/incidents — a controller records that an agent's action on a run went
 * wrong (e.g. a payment that should not have gone out). One incident per agent and run: a retry
 * returns the one recorded. The agent drops to shadow tier at once.
 */
export const handler = apiHandler(async (request) => {
  requireAnyRole(request.principal, ['controller'], 'report an incident');
  const agentId = request.pathParameter('agentId');
  const input = parseBody(body, request.jsonBody(), '{"executionId": "…", "reason": "…"}');
  if (!(await store.loadAgentStanding(agentId)))
    throw new TollgateError('NOT_FOUND', `No agent ${agentId}; check the id.`, { reason: 'UNKNOWN_AGENT' });
  const decisionId = `incident-${input.executionId}`;
  const eventKey = `Trust/incident/${input.executionId}`;
  const result = await store.recordOutcome({
    agentId,
    decisionId,
    kind: 'incident',
    ...(input.action ? { action: input.action } : {}),
    recordedBy: request.principal.username,
    executionId: input.executionId,
    reason: input.reason,
    evidence: { executionId: trustStream(agentId), eventKey },
  });
  const stored = (await store.outcomes(agentId)).find((o) => o.decisionId === decisionId);
  if (!stored) throw new Error(`Incident ${decisionId} was recorded but cannot be read back.`);
  if (
    !result.recorded &&
    (stored.reason !== input.reason || stored.recordedBy !== request.principal.username)
  )
    throw new TollgateError(
      'CONFLICT',
      `An incident for agent ${agentId} on run ${input.executionId} is already on record (by ${stored.recordedBy}).`,
      { reason: 'INCIDENT_ALREADY_RECORDED' },
    );
  // Built from the stored outcome, so a retry writes the same record.
  await appendTrustEvent(agentId, {
    recordType: 'action',
    eventKey,
    actor: { kind: 'person', id: stored.recordedBy ?? request.principal.username, role: 'controller' },
    details: {
      agentId,
      outcome: 'incident',
      executionId: input.executionId,
      reason: stored.reason,
      at: stored.at,
      ...(stored.action ? { action: stored.action } : {}),
    },
    business: { decision: 'INCIDENT', reasonCodes: ['INCIDENT'] },
  });
  await afterOutcome(agentId, decisionId, result);
  const standing = await store.loadAgentStanding(agentId);
  return json(result.recorded ? 201 : 200, {
    incidentId: decisionId,
    agentId,
    executionId: input.executionId,
    reason: stored.reason,
    recordedBy: stored.recordedBy,
    at: stored.at,
    tier: standing?.tier,
    ...(result.demotedTo ? { demotedTo: result.demotedTo } : {}),
    evidence: stored.evidence,
  });
});
