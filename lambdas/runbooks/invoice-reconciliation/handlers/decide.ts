import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { recordInvoiceDecision } from '#platform/aws/metrics.ts';
import { formatMoney, money, zero } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { loadAgentStanding } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { effectiveAutoApproveLimit, gate } from '#platform/trust/core/gate.ts';
import { type AgentStanding, pactFor } from '#platform/trust/core/standing.ts';
import { currentApPolicy } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { REASON_CODES } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import {
  agentActor,
  earlierRecord,
  invoiceBusiness,
  parseInvoiceTask,
  recordEvidence,
} from './invoice-task.ts';

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

/**
 * The AP vocabulary's codes for a verdict. The gate also names why the agent's standing falls
 * short (shadow tier, no pact, daily limit, a currency outside its pact); in AP terms that is
 * OVER_AUTHORITY when nothing else explains the route. The gate's own codes stay in `reasons`.
 */
function apReasonCodes(verdict: ReturnType<typeof gate>): string[] {
  const codes = verdict.reasonCodes.filter((code) => code in REASON_CODES);
  if (verdict.outcome !== 'ALLOW' && codes.length === 0) codes.push('OVER_AUTHORITY');
  return codes.sort();
}

/** Task DecideByTrustGate: the agent's earned authority against this invoice's rule results. No model. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask({ invoice: invoiceSchema, results, vendor }, event, context);
  const earlier = await earlierRecord(task, 'DecideByTrustGate/decision');
  if (earlier) {
    // The decision is made once: a retried step returns it, even if today's usage has moved since.
    const {
      usageToday: _usage,
      controllerThreshold: _threshold,
      ...decided
    } = earlier.details as Record<string, unknown>;
    await updateCase(task.executionId, {
      decision: decided.decision,
      reasonCodes: decided.reasonCodes,
      requiredRole: decided.requiredRole,
      gate: decided,
    });
    return decided;
  }
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
    reasonCodes: apReasonCodes(verdict),
    authorityCodes: verdict.reasonCodes.filter((code) => !(code in REASON_CODES)),
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
