import { apiHandler, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { requireAnyRole } from '#platform/core/principal.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { trustPacket } from '#platform/trust/core/trust-packet.ts';

const trust = new DynamoDbTrustStore();
const ledger = new DynamoDbEscrowLedger();

/** GET /agents/{agentId}/trust-packet — the agent's trust packet as JSON (the CLI renders Markdown from it). */
export const handler = apiHandler(async (request) => {
  requireAnyRole(request.principal, ['auditor', 'controller', 'platform_admin'], 'read a trust packet');
  const agentId = request.pathParameter('agentId');
  const standing = await trust.loadAgentStanding(agentId);
  if (!standing)
    throw new TollgateError('NOT_FOUND', `No agent ${agentId}; check the id.`, { reason: 'UNKNOWN_AGENT' });
  const [outcomes, tierHistory, promotions, exposure] = await Promise.all([
    trust.outcomes(agentId),
    trust.tierHistory(agentId),
    trust.promotions(agentId),
    ledger.openExposure(agentId),
  ]);
  return json(200, trustPacket({ standing, outcomes, tierHistory, promotions, exposure, now: new Date() }));
});
