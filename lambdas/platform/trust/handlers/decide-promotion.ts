import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { appendTrustEvent } from '#platform/trust/adapters/trust-events.ts';
import { DynamoDbTrustStore, type Promotion } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { promotionEventKey, trustStream } from '#platform/trust/core/outcomes.ts';
import { promotionRuleCheck, trustFigures } from '#platform/trust/core/promotions.ts';
import { parseBody, signOffRole } from './trust-requests.ts';

const store = new DynamoDbTrustStore();
const body = z.strictObject({
  decision: z.enum(['APPROVE', 'REJECT']),
  comment: z.string().trim().min(3, 'a comment saying why (at least 3 characters)').max(2000),
});

/** The sign-off (or refusal) as evidence in the agent's trust chain, from the stored promotion. */
async function signOffEvidence(promotion: Promotion) {
  const { signOff } = promotion;
  if (!signOff || promotion.status === 'PENDING') return undefined;
  const applied = promotion.status === 'APPLIED';
  const eventKey = promotionEventKey(promotion.promotionId, applied ? 'signed_off' : 'refused');
  await appendTrustEvent(promotion.agentId, {
    recordType: applied ? 'config_change' : 'approval',
    eventKey,
    actor: { kind: 'person', id: signOff.by, role: signOff.role },
    details: {
      promotionId: promotion.promotionId,
      agentId: promotion.agentId,
      fromTier: promotion.fromTier,
      change: promotion.change,
      proposedBy: promotion.proposedBy.username,
      signOff,
    },
    business: { decision: applied ? 'PROMOTION_APPLIED' : 'PROMOTION_REFUSED' },
  });
  return { executionId: trustStream(promotion.agentId), eventKey };
}

/**
 * A sign-off never buys a tier the evidence does not support: the promotion rules (score, fresh
 * outcomes, no open incident) are checked again on the evidence as it stands when it is signed.
 */
async function requireRulesMet(promotion: Promotion, now: Date): Promise<void> {
  const standing = await store.loadAgentStanding(promotion.agentId);
  if (!standing)
    throw new TollgateError('NOT_FOUND', `No agent ${promotion.agentId}.`, { reason: 'UNKNOWN_AGENT' });
  const figures = trustFigures(await store.outcomes(promotion.agentId), now);
  const check = promotionRuleCheck(standing, promotion.change.tier, figures);
  if (!check.met)
    throw new TollgateError(
      'CONFLICT',
      `Agent ${promotion.agentId} does not meet the rules for ${promotion.change.tier} tier (${check.shortfalls.join(', ')}); refuse this promotion or sign it off once the evidence is there.`,
      { reason: 'PROMOTION_RULES_NOT_MET', shortfalls: check.shortfalls, rule: check.rule, figures },
    );
}

/**
 * POST /promotions/{promotionId}/decision — a controller or platform admin who did not propose
 * it signs the promotion off (the change applies at once) or refuses it. A repeat of the same
 * decision by the same person returns it; anything else on a decided promotion is a conflict.
 */
export const handler = apiHandler(async (request) => {
  const role = signOffRole(request.principal);
  const promotionId = request.pathParameter('promotionId');
  const input = parseBody(body, request.jsonBody(), '{"decision": "APPROVE" | "REJECT", "comment": "…"}');
  const promotion = await store.getPromotion(promotionId);
  if (!promotion) throw new TollgateError('NOT_FOUND', `No promotion ${promotionId}.`);
  if (promotion.proposedBy.userId === request.principal.userId)
    throw new TollgateError(
      'FORBIDDEN',
      'You proposed this promotion, so another controller or platform admin must sign it off.',
      { reason: 'PROPOSER_MAY_NOT_SIGN_OFF' },
    );
  const wanted = input.decision === 'APPROVE' ? 'APPLIED' : 'REFUSED';
  if (promotion.status !== 'PENDING') {
    if (promotion.status === wanted && promotion.signOff?.by === request.principal.username) {
      const evidence = await signOffEvidence(promotion);
      return json(200, { ...promotion, evidencePointer: evidence });
    }
    throw new TollgateError(
      'CONFLICT',
      `Promotion ${promotionId} was already ${promotion.status.toLowerCase()}.`,
      {
        reason: 'PROMOTION_NOT_PENDING',
      },
    );
  }
  const now = new Date();
  if (input.decision === 'APPROVE') await requireRulesMet(promotion, now);
  const signOff = { by: request.principal.username, role, at: now.toISOString(), note: input.comment };
  if (input.decision === 'APPROVE') await store.applyPromotion({ promotionId, signOff });
  else if (!(await store.refusePromotion({ promotionId, signOff })))
    throw new TollgateError('CONFLICT', `Promotion ${promotionId} was decided meanwhile; read it again.`);
  const decided = await store.getPromotion(promotionId);
  if (!decided) throw new Error(`Promotion ${promotionId} was decided but cannot be read back.`);
  const evidence = await signOffEvidence(decided);
  const standing = await store.loadAgentStanding(decided.agentId);
  return json(200, { ...decided, tier: standing?.tier, evidencePointer: evidence });
});
