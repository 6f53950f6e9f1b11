import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { currentApPolicy } from '#adapters/ap-policy.ts';
import { DynamoDbEscrowLedger } from '#adapters/escrow-ledger-dynamodb.ts';
import { updateCase } from '#adapters/invoice-case-dynamodb.ts';
import { recordInvoiceDecision } from '#adapters/metrics.ts';
import { loadAgentStanding } from '#adapters/trust-store-dynamodb.ts';
import { ledgerDay } from '#core/escrow/escrow-ledger.ts';
import { invoiceSchema } from '#core/invoice/invoice.ts';
import { formatMoney, money, zero } from '#core/money.ts';
import { effectiveAutoApproveLimit, gate } from '#core/trust/gate.ts';
import { type AgentStanding, pactFor } from '#core/trust/standing.ts';
import { agentActor, invoiceBusiness, parseInvoiceTask, recordEvidence } from './invoice-task.ts';

export const APPROVE_ACTION = 'invoice.approve';
const ledger = new DynamoDbEscrowLedger();
const results = z.array(
  z.object({
    code: z.string(),
    passed: z.boolean(),
    effect: z.enum(['approval', 'controller', 'reject']),
    detail: z.string(),
  }),
);
const vendor = z.object({ vendorId: z.string(), name: z.string(), currency: z.string() }).nullable();

const DECISIONS = { ALLOW: 'AUTO_APPROVED', REQUIRE_APPROVAL: 'PENDING_APPROVAL', DENY: 'REJECTED' } as const;

/** Task DecideByTrustGate: the agent's earned authority against this invoice's rule results. No model. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask({ invoice: invoiceSchema, results, vendor }, event, context);
  const standing: AgentStanding = (await loadAgentStanding(task.agentId)) ?? {
    agentId: task.agentId,
    displayName: task.agentId,
    tier: 'shadow',
    score: 0,
    suspended: false,
    pacts: [],
    lastEvidenceAt: null,
  };
  const currency =
    task.invoice.currency ?? task.vendor?.currency ?? pactFor(standing, APPROVE_ACTION)?.currency ?? 'USD';
  const amount =
    task.invoice.total && task.invoice.currency ? money(task.invoice.total, currency) : zero(currency);
  const usage = await ledger.usageOn(task.agentId, ledgerDay(new Date()));
  const usageToday = usage.used.find((m) => m.currency === currency) ?? zero(currency);
  const policy = await currentApPolicy();
  const verdict = gate({
    agent: standing,
    action: APPROVE_ACTION,
    amount,
    checks: task.results,
    policy: { controllerThreshold: money(policy.controllerThreshold, currency) },
    usageToday,
  });
  const pact = pactFor(standing, APPROVE_ACTION);
  const autoApproveLimit = pact ? formatMoney(effectiveAutoApproveLimit(standing, pact)) : null;
  const decision = {
    decision: DECISIONS[verdict.outcome],
    requiredRole: verdict.requiredRole,
    reasonCodes: verdict.reasonCodes,
    reasons: verdict.reasons,
    autoApproveLimit,
    agent: { agentId: standing.agentId, tier: standing.tier, score: standing.score },
  };
  await recordEvidence(
    task,
    'decision',
    'DecideByTrustGate/decision',
    agentActor(task.agentId),
    { ...decision, usageToday: formatMoney(usageToday), controllerThreshold: policy.controllerThreshold },
    invoiceBusiness(task.invoice, task.vendor, {
      decision: decision.decision,
      reasonCodes: decision.reasonCodes,
    }),
  );
  await updateCase(task.executionId, {
    decision: decision.decision,
    reasonCodes: decision.reasonCodes,
    requiredRole: decision.requiredRole,
    gate: decision,
  });
  recordInvoiceDecision(decision);
  return decision;
}
