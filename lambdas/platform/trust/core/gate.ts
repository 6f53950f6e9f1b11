import { add, compare, formatMoney, type Money, percentOf, zero } from '#platform/core/money.ts';
import { type AgentStanding, type Pact, pactFor, type Tier } from './standing.ts';

/** One rule result from the calling runbook, e.g. PRICE_VARIANCE (approval) or DUPLICATE_INVOICE (reject). */
export interface GateCheck {
  readonly code: string;
  readonly passed: boolean;
  readonly effect: 'approval' | 'controller' | 'reject';
}

export interface GateInput {
  readonly agent: AgentStanding;
  readonly action: string;
  readonly amount: Money;
  readonly checks: readonly GateCheck[];
  readonly policy: { readonly controllerThreshold: Money };
  /** What the agent already moved today under this action, in the pact's currency. */
  readonly usageToday: Money;
}

export type GateOutcome = 'ALLOW' | 'REQUIRE_APPROVAL' | 'DENY';
export type ApproverRole = 'ap_clerk' | 'controller';

export interface GateDecision {
  readonly outcome: GateOutcome;
  readonly requiredRole: ApproverRole | null;
  /** Sorted, without duplicates. */
  readonly reasonCodes: string[];
  readonly reasons: { code: string; detail: string }[];
}

/** Share of the pact's per-action limit each tier may approve alone, in basis points. */
export const TIER_AUTO_APPROVE_BP: Readonly<Record<Tier, bigint>> = {
  shadow: 0n,
  supervised: 0n,
  bounded: 10_000n,
  extended: 20_000n,
};

/** The most the agent may approve alone for one action: the tier's share of the pact's limit. */
export function effectiveAutoApproveLimit(agent: AgentStanding, pact: Pact): Money {
  if (agent.suspended) return zero(pact.perActionLimit.currency);
  return percentOf(pact.perActionLimit, TIER_AUTO_APPROVE_BP[agent.tier]);
}

/**
 * The one decision runbooks call before an agent acts: ALLOW (act alone), REQUIRE_APPROVAL
 * (a person with `requiredRole` decides) or DENY, with every reason that applies. Pure.
 * Order of precedence: a failed reject check or a missing pact denies; anything that needs
 * a controller raises the role; any other exception asks an ap_clerk.
 */
export function gate(input: GateInput): GateDecision {
  const reasons = new Map<string, string>();
  const note = (code: string, detail: string) => {
    if (!reasons.has(code)) reasons.set(code, detail);
  };
  let deny = false;
  let approval = false;
  let controller = false;

  for (const check of input.checks) {
    if (check.passed) continue;
    if (check.effect === 'reject') {
      deny = true;
      note(check.code, `${check.code} failed; this action is refused.`);
    } else if (check.effect === 'controller') {
      controller = true;
      note(check.code, `${check.code} failed; a controller must decide.`);
    } else {
      approval = true;
      note(check.code, `${check.code} failed; a person must decide.`);
    }
  }

  const pact = pactFor(input.agent, input.action);
  if (!pact) {
    deny = true;
    note('NO_PACT_FOR_ACTION', `Agent ${input.agent.agentId} has no pact for ${input.action}.`);
  } else if (pact.perActionLimit.currency !== input.amount.currency) {
    approval = true;
    note(
      'CURRENCY_OUTSIDE_PACT',
      `The pact for ${input.action} is in ${pact.perActionLimit.currency}, the amount is in ${input.amount.currency}.`,
    );
  } else {
    const limit = effectiveAutoApproveLimit(input.agent, pact);
    if (input.agent.suspended) {
      approval = true;
      note('AGENT_SUSPENDED', `Agent ${input.agent.agentId} is suspended; a person must decide.`);
    } else if (input.agent.tier === 'shadow' || input.agent.tier === 'supervised') {
      approval = true;
      const code = input.agent.tier === 'shadow' ? 'AGENT_SHADOW' : 'AGENT_SUPERVISED';
      note(
        code,
        `Agent ${input.agent.agentId} is at ${input.agent.tier} tier; a person decides every action.`,
      );
    } else if (compare(input.amount, limit) > 0) {
      approval = true;
      note(
        'OVER_AUTHORITY',
        `${formatMoney(input.amount)} is above the agent's auto-approve limit of ${formatMoney(limit)} at ${input.agent.tier} tier.`,
      );
    }
    if (input.usageToday.currency === pact.dailyLimit.currency) {
      if (compare(add(input.usageToday, input.amount), pact.dailyLimit) > 0) {
        approval = true;
        note(
          'DAILY_LIMIT_EXCEEDED',
          `${formatMoney(input.usageToday)} used today plus ${formatMoney(input.amount)} exceeds the daily limit of ${formatMoney(pact.dailyLimit)}.`,
        );
      }
    }
  }

  if (
    input.policy.controllerThreshold.currency === input.amount.currency &&
    compare(input.amount, input.policy.controllerThreshold) > 0
  ) {
    controller = true;
    note(
      'CONTROLLER_THRESHOLD',
      `${formatMoney(input.amount)} is above the controller threshold of ${formatMoney(input.policy.controllerThreshold)}.`,
    );
  }

  const reasonCodes = [...reasons.keys()].sort();
  const list = reasonCodes.map((code) => ({ code, detail: reasons.get(code) as string }));
  if (deny) return { outcome: 'DENY', requiredRole: null, reasonCodes, reasons: list };
  if (controller)
    return { outcome: 'REQUIRE_APPROVAL', requiredRole: 'controller', reasonCodes, reasons: list };
  if (approval) return { outcome: 'REQUIRE_APPROVAL', requiredRole: 'ap_clerk', reasonCodes, reasons: list };
  return { outcome: 'ALLOW', requiredRole: null, reasonCodes, reasons: list };
}
