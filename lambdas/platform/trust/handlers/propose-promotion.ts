import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { attachReport } from '#platform/releases/core/reports.ts';
import { appendTrustEvent } from '#platform/trust/adapters/trust-events.ts';
import { DynamoDbTrustStore, type Promotion } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { promotionEventKey, trustStream } from '#platform/trust/core/outcomes.ts';
import {
  limitChanges,
  promotionRuleCheck,
  trustFigures,
  validateProposal,
} from '#platform/trust/core/promotions.ts';
import { freshOutcomes } from '#platform/trust/core/score.ts';
import { TIERS } from '#platform/trust/core/standing.ts';
import { parseBody, signOffRole } from './trust-requests.ts';

const store = new DynamoDbTrustStore();
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount like "2500.00"');
const body = z.strictObject({
  tier: z.enum(TIERS).optional(),
  pacts: z
    .array(
      z.strictObject({ action: z.string().min(1).max(100), perActionLimit: decimal, dailyLimit: decimal }),
    )
    .max(20)
    .optional(),
  justification: z.string().trim().min(10, 'a justification (at least 10 characters)').max(4000),
  /** A `tollgate eval` report on the buyer's own invoices, kept with its hash and headline figures. */
  evalReport: z.looseObject({ kind: z.literal('eval') }).optional(),
});
/** Evidence pointers listed on a proposal at the most; the figures count every outcome. */
const MAX_POINTERS = 200;

/**
 * POST /agents/{agentId}/promotions — a controller or platform admin proposes a new tier or new
 * pact limits. The system attaches the evidence a signer needs; nothing changes until a
 * different person signs it off.
 */
export const handler = apiHandler(async (request) => {
  const role = signOffRole(request.principal);
  const agentId = request.pathParameter('agentId');
  const input = parseBody(
    body,
    request.jsonBody(),
    '{"tier": "bounded", "pacts": [{"action", "perActionLimit", "dailyLimit"}], "justification": "…", "evalReport"?: {"kind": "eval", …}}',
  );
  const standing = await store.loadAgentStanding(agentId);
  if (!standing)
    throw new TollgateError('NOT_FOUND', `No agent ${agentId}; check the id.`, { reason: 'UNKNOWN_AGENT' });
  const change = {
    ...(input.tier ? { tier: input.tier } : {}),
    ...(input.pacts ? { pacts: input.pacts } : {}),
  };
  validateProposal(standing, change);
  const now = new Date();
  const outcomes = await store.outcomes(agentId);
  const figures = trustFigures(outcomes, now);
  const evidence = {
    asOf: now.toISOString(),
    ...figures,
    rules: promotionRuleCheck(standing, change.tier, figures),
    limits: limitChanges(standing, change),
    ...(input.evalReport ? { eval: attachReport(input.evalReport) } : {}),
    outcomeEvidence: freshOutcomes(outcomes, now)
      .slice(-MAX_POINTERS)
      .flatMap((o) => (o.evidence ? [{ decisionId: o.decisionId, kind: o.kind, ...o.evidence }] : [])),
  };
  const promotion: Promotion = {
    promotionId: randomUUID(),
    agentId,
    status: 'PENDING',
    fromTier: standing.tier,
    change,
    justification: input.justification,
    proposedBy: { userId: request.principal.userId, username: request.principal.username, role },
    proposedAt: now.toISOString(),
    evidence,
  };
  await store.putPromotion(promotion);
  const eventKey = promotionEventKey(promotion.promotionId, 'proposed');
  await appendTrustEvent(agentId, {
    recordType: 'escalation',
    eventKey,
    actor: { kind: 'person', id: request.principal.username, role },
    details: {
      promotionId: promotion.promotionId,
      agentId,
      fromTier: standing.tier,
      change,
      justification: input.justification,
      evidence: { ...evidence, outcomeEvidence: evidence.outcomeEvidence.length },
    },
    business: { decision: 'PROMOTION_PROPOSED' },
  });
  return json(201, { ...promotion, evidencePointer: { executionId: trustStream(agentId), eventKey } });
});
