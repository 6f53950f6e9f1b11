import { TollgateError } from '#platform/core/errors.ts';
import { formatMoney, type Money } from '#platform/core/money.ts';
import type { AgentExposure, AgentUsage } from '#platform/escrow/core/escrow-ledger.ts';
import { effectiveAutoApproveLimit } from './gate.ts';
import type { AgentStanding } from './standing.ts';

export interface ControlsDeps {
  loadAgentStanding(agentId: string): Promise<AgentStanding | undefined>;
  openExposure(agentId: string): Promise<AgentExposure>;
  usageOn(agentId: string, day: string): Promise<AgentUsage>;
}

const moneyOut = (value: Money) => ({ amount: formatMoney(value), currency: value.currency });

/** What a controller sees about one agent: standing, limits, today's usage and what it has in escrow. */
export async function agentControls(deps: ControlsDeps, agentId: string, now: Date) {
  const standing = await deps.loadAgentStanding(agentId);
  if (!standing) throw new TollgateError('NOT_FOUND', `No agent ${agentId}.`);
  const day = now.toISOString().slice(0, 10);
  const [exposure, usage] = await Promise.all([deps.openExposure(agentId), deps.usageOn(agentId, day)]);
  return {
    agentId: standing.agentId,
    displayName: standing.displayName,
    score: standing.score,
    tier: standing.tier,
    suspended: standing.suspended,
    lastEvidenceAt: standing.lastEvidenceAt,
    pacts: standing.pacts.map((pact) => ({
      action: pact.action,
      perActionLimit: moneyOut(pact.perActionLimit),
      dailyLimit: moneyOut(pact.dailyLimit),
      autoApproveLimit: moneyOut(effectiveAutoApproveLimit(standing, pact)),
      requiredEvidence: pact.requiredEvidence,
      accuracyCommitment: pact.accuracyCommitment,
    })),
    usageToday: { day, used: usage.used.map(moneyOut) },
    openEscrow: { holds: exposure.openHolds, amounts: exposure.open.map(moneyOut) },
  };
}
