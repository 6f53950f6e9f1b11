import { DynamoDbEscrowLedger } from '#adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbTrustStore } from '#adapters/trust-store-dynamodb.ts';
import { requireAnyRole } from '#core/principal.ts';
import { agentControls } from '#core/trust/controls.ts';
import { apiHandler, json } from './http.ts';

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
