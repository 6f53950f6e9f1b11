import { apiHandler, json } from '#platform/api/http.ts';
import { requireAnyRole } from '#platform/core/principal.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { agentControls } from '#platform/trust/core/controls.ts';

const trust = new DynamoDbTrustStore();
const ledger = new DynamoDbEscrowLedger();
const deps = {
  loadAgentStanding: (agentId: string) => trust.loadAgentStanding(agentId),
  openExposure: (agentId: string) => ledger.openExposure(agentId),
  usageOn: (agentId: string, day: string) => ledger.usageOn(agentId, day),
};

/** GET /agents/{agentId}/controls */
export const handler = apiHandler(async (request) => {
  requireAnyRole(
    request.principal,
    ['ap_clerk', 'controller', 'fpa', 'auditor', 'platform_admin'],
    'read agent controls',
  );
  return json(200, await agentControls(deps, request.pathParameter('agentId'), new Date()));
});
