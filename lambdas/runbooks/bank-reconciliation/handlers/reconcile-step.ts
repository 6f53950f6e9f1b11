import * as z from 'zod';
import type { EvidenceActor } from '#platform/evidence/core/records.ts';

/** What every bank-reconciliation Task receives besides the runbook context. */
export const RECONCILIATION_TASK = {
  request: z.object({
    statementKey: z.string().min(1),
    agentId: z.string().min(1),
  }),
  requestedBy: z.object({ userId: z.string(), username: z.string(), roles: z.array(z.string()) }),
  submittedAt: z.iso.datetime(),
};

export const RECONCILIATION_RULES_ACTOR: EvidenceActor = {
  kind: 'system',
  id: 'tollgate-reconciliation-rules',
  role: 'deterministic_rules',
};

export function reconciliationAgentActor(agentId: string): EvidenceActor {
  return { kind: 'agent', id: agentId, role: 'reconciliation_agent' };
}
