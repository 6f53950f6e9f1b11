import { formatMoney, type Money, money, zero } from '#platform/core/money.ts';
import { effectiveAutoApproveLimit, type GateCheck, gate } from '#platform/trust/core/gate.ts';
import { type AgentStanding, pactFor, type Tier } from '#platform/trust/core/standing.ts';
import type { Invoice } from './invoice.ts';
import { REASON_CODES } from './reason-codes.ts';

/** The pact action an invoice agent approves under. */
export const APPROVE_ACTION = 'invoice.approve';

const DECISIONS = { ALLOW: 'AUTO_APPROVED', REQUIRE_APPROVAL: 'PENDING_APPROVAL', DENY: 'REJECTED' } as const;

/** An agent nobody registered: shadow tier, no pact, so the gate sends everything to a person or denies it. */
export function unknownAgent(agentId: string): AgentStanding {
  return {
    agentId,
    displayName: agentId,
    tier: 'shadow',
    score: 0,
    suspended: false,
    pacts: [],
    lastEvidenceAt: null,
  };
}

/** The currency the gate weighs the invoice in: the invoice's, else the vendor's, else the pact's. */
export function decisionCurrency(
  invoice: Invoice,
  vendor: { readonly currency: string } | null,
  standing: AgentStanding,
): string {
  return invoice.currency ?? vendor?.currency ?? pactFor(standing, APPROVE_ACTION)?.currency ?? 'USD';
}

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

export interface InvoiceDecisionInput {
  readonly standing: AgentStanding;
  readonly invoice: Invoice;
  readonly currency: string;
  readonly checks: readonly GateCheck[];
  /** Decimal string: above it only a controller may approve. */
  readonly controllerThreshold: string;
  readonly usageToday: Money;
}

export interface InvoiceDecision {
  readonly decision: (typeof DECISIONS)[keyof typeof DECISIONS];
  readonly requiredRole: ReturnType<typeof gate>['requiredRole'];
  readonly reasonCodes: string[];
  readonly authorityCodes: string[];
  readonly reasons: ReturnType<typeof gate>['reasons'];
  readonly autoApproveLimit: string | null;
  readonly agent: { readonly agentId: string; readonly tier: Tier; readonly score: number };
  /** Shadow tier: what the agent would have decided alone, while a person decides the case. */
  readonly shadow?: { readonly agentWouldHave: string; readonly reasonCodes: string[] };
}

/** The agent's earned authority against this invoice's rule results. Pure; no model. */
export function decideInvoice(input: InvoiceDecisionInput): InvoiceDecision {
  const { standing, invoice, currency } = input;
  const amount = invoice.total && invoice.currency ? money(invoice.total, currency) : zero(currency);
  const verdict = gate({
    agent: standing,
    action: APPROVE_ACTION,
    amount,
    checks: input.checks,
    policy: { controllerThreshold: money(input.controllerThreshold, currency) },
    usageToday: input.usageToday,
  });
  const pact = pactFor(standing, APPROVE_ACTION);
  return {
    decision: DECISIONS[verdict.outcome],
    requiredRole: verdict.requiredRole,
    reasonCodes: apReasonCodes(verdict),
    authorityCodes: verdict.reasonCodes.filter((code) => !(code in REASON_CODES)),
    reasons: verdict.reasons,
    autoApproveLimit: pact ? formatMoney(effectiveAutoApproveLimit(standing, pact)) : null,
    agent: { agentId: standing.agentId, tier: standing.tier, score: standing.score },
  };
}
