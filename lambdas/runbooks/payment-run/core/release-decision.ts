import { formatMoney, type Money } from '#platform/core/money.ts';
import type { Tier } from '#platform/trust/core/standing.ts';

/**
 * Who releases a proposed run. The agent alone only within its `payment.release` pact — the
 * run's total within the per-action limit and, with what it released today, the daily limit —
 * at the bounded tier or above, and only when every vendor in the run has been paid before.
 * Anything else waits for a controller who did not propose it.
 */
export const RELEASE_REASONS = [
  'NO_PACT_FOR_ACTION',
  'AGENT_TIER_TOO_LOW',
  'OVER_RUN_LIMIT',
  'DAILY_LIMIT',
  'FIRST_TIME_PAYEE',
] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

export interface ReleaseDecision {
  readonly decision: 'NOTHING_DUE' | 'AUTO_RELEASE' | 'PENDING_APPROVAL';
  readonly requiredRole: 'controller' | null;
  readonly reasons: readonly { readonly code: ReleaseReason; readonly detail: string }[];
}

export interface ReleaseFacts {
  readonly total: Money;
  readonly payments: number;
  readonly firstTimePayees: readonly string[];
  readonly agent:
    | {
        readonly agentId: string;
        readonly tier: Tier;
        readonly suspended: boolean;
        readonly pact: { readonly perActionLimit: Money; readonly dailyLimit: Money } | undefined;
        /** What the agent released today in the run's currency. */
        readonly releasedToday: Money;
      }
    | undefined;
}

const ACTING_TIERS: readonly Tier[] = ['bounded', 'extended'];

export function decideRelease(facts: ReleaseFacts): ReleaseDecision {
  if (facts.payments === 0) return { decision: 'NOTHING_DUE', requiredRole: null, reasons: [] };
  const reasons: { code: ReleaseReason; detail: string }[] = [];
  const { agent, total } = facts;
  const pact = agent && !agent.suspended ? agent.pact : undefined;
  if (!agent || !pact || pact.perActionLimit.currency !== total.currency) {
    reasons.push({
      code: 'NO_PACT_FOR_ACTION',
      detail: `Agent ${agent?.agentId ?? '(none)'} has no payment.release pact in ${total.currency}.`,
    });
  } else {
    if (!ACTING_TIERS.includes(agent.tier))
      reasons.push({
        code: 'AGENT_TIER_TOO_LOW',
        detail: `Agent ${agent.agentId} is at the ${agent.tier} tier; it releases alone from bounded up.`,
      });
    if (total.minor > pact.perActionLimit.minor)
      reasons.push({
        code: 'OVER_RUN_LIMIT',
        detail: `The run pays ${formatMoney(total)} ${total.currency}, above the agent's ${formatMoney(pact.perActionLimit)} per run.`,
      });
    else if (agent.releasedToday.minor + total.minor > pact.dailyLimit.minor)
      reasons.push({
        code: 'DAILY_LIMIT',
        detail: `With ${formatMoney(agent.releasedToday)} already released today, the run would pass the agent's daily ${formatMoney(pact.dailyLimit)}.`,
      });
  }
  if (facts.firstTimePayees.length > 0)
    reasons.push({
      code: 'FIRST_TIME_PAYEE',
      detail: `First payment to ${facts.firstTimePayees.join(', ')}.`,
    });
  return reasons.length === 0
    ? { decision: 'AUTO_RELEASE', requiredRole: null, reasons }
    : { decision: 'PENDING_APPROVAL', requiredRole: 'controller', reasons };
}
