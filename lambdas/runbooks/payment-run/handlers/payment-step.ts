import * as z from 'zod';
import type { EvidenceActor } from '#platform/evidence/core/records.ts';

/** What every payment-run Task receives besides the runbook context. */
export const PAYMENT_TASK = {
  request: z.object({
    accountId: z.string().min(1),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    agentId: z.string().min(1),
  }),
  requestedBy: z.object({ userId: z.string(), username: z.string(), roles: z.array(z.string()) }),
  submittedAt: z.iso.datetime(),
};

export const proposalResult = z.object({
  runId: z.string(),
  accountId: z.string(),
  currency: z.string(),
  format: z.string(),
  total: z.string(),
  payments: z.number().int(),
  firstTimePayees: z.array(z.string()),
});

export function paymentAgentActor(agentId: string): EvidenceActor {
  return { kind: 'agent', id: agentId, role: 'payment_agent' };
}

export const PAYMENT_RULES_ACTOR: EvidenceActor = {
  kind: 'system',
  id: 'tollgate-payment-rules',
  role: 'deterministic_rules',
};

/** The fields auditors filter payment-run evidence on: the run's total and its currency. */
export function runBusiness(proposal: { currency: string; total: string }, decision?: string) {
  return { amount: proposal.total, currency: proposal.currency, ...(decision ? { decision } : {}) };
}
