import { TollgateError } from '#platform/core/errors.ts';
import { compare, formatMoney, money } from '#platform/core/money.ts';
import { FRESH_DAYS, freshOutcomes, overrideRateBp, PROMOTION_RULES, trustScore } from './score.ts';
import {
  type AgentStanding,
  OUTCOME_KINDS,
  type Outcome,
  type OutcomeKind,
  TIERS,
  type Tier,
} from './standing.ts';

/** The figures behind any change of an agent's standing, as of `now`. */
export interface TrustFigures {
  readonly score: number;
  readonly freshOutcomes: number;
  readonly outcomesByKind: Readonly<Record<OutcomeKind, number>>;
  /** Basis points of fresh outcomes; null below the minimum sample. */
  readonly overrideRateBp: number | null;
  readonly disputeRateBp: number | null;
  /** Incidents in the fresh window. */
  readonly openIncidents: number;
  /** Shadow comparisons: where the agent would have decided alone, how often the person agreed. */
  readonly shadowAgreement: {
    readonly compared: number;
    readonly agreed: number;
    readonly rateBp: number | null;
  };
}

export function trustFigures(outcomes: readonly Outcome[], now: Date): TrustFigures {
  const fresh = freshOutcomes(outcomes, now);
  const outcomesByKind = Object.fromEntries(
    OUTCOME_KINDS.map((kind) => [kind, outcomes.filter((o) => o.kind === kind).length]),
  ) as Record<OutcomeKind, number>;
  const compared = outcomes.filter((o) => o.shadow && o.shadow.agreed !== null);
  const agreed = compared.filter((o) => o.shadow?.agreed === true).length;
  const disputed = fresh.filter((o) => o.kind === 'disputed').length;
  return {
    score: trustScore(outcomes, now),
    freshOutcomes: fresh.length,
    outcomesByKind,
    overrideRateBp: overrideRateBp(outcomes, now) ?? null,
    disputeRateBp: fresh.length >= 10 ? Math.floor((disputed * 10_000) / fresh.length) : null,
    openIncidents: fresh.filter((o) => o.kind === 'incident').length,
    shadowAgreement: {
      compared: compared.length,
      agreed,
      rateBp: compared.length > 0 ? Math.floor((agreed * 10_000) / compared.length) : null,
    },
  };
}

/** A pact's new limits as a proposal states them: decimal strings in the pact's currency. */
export interface ProposedPactLimits {
  readonly action: string;
  readonly perActionLimit: string;
  readonly dailyLimit: string;
}

export interface ProposedChange {
  readonly tier?: Tier;
  readonly pacts?: readonly ProposedPactLimits[];
}

/** The rules' view of a tier change: what they ask for and where the agent falls short. The signer sees it. */
export function promotionRuleCheck(
  standing: AgentStanding,
  to: Tier | undefined,
  figures: TrustFigures,
): { readonly met: boolean; readonly shortfalls: readonly string[]; readonly rule: unknown } {
  if (!to || to === 'shadow' || TIERS.indexOf(to) <= TIERS.indexOf(standing.tier))
    return { met: true, shortfalls: [], rule: null };
  const rule = PROMOTION_RULES[to];
  const shortfalls: string[] = [];
  if (standing.suspended) shortfalls.push('AGENT_SUSPENDED');
  if (figures.score < rule.minScore) shortfalls.push('SCORE_TOO_LOW');
  if (figures.freshOutcomes < rule.minFreshOutcomes) shortfalls.push('NOT_ENOUGH_FRESH_EVIDENCE');
  if (figures.openIncidents > 0) shortfalls.push('OPEN_INCIDENTS');
  return { met: shortfalls.length === 0, shortfalls, rule: { ...rule, freshDays: FRESH_DAYS } };
}

/**
 * Checks a proposed change against the agent as it stands: something must change, limits are
 * in the pact's own currency, a daily limit covers the per-action one. Throws VALIDATION_FAILED.
 */
export function validateProposal(standing: AgentStanding, change: ProposedChange): void {
  const problems: string[] = [];
  if (!change.tier && (!change.pacts || change.pacts.length === 0))
    problems.push('propose a tier, new pact limits, or both');
  if (change.tier && change.tier === standing.tier && !change.pacts?.length)
    problems.push(`the agent is already at ${standing.tier} tier`);
  const seen = new Set<string>();
  for (const proposed of change.pacts ?? []) {
    if (seen.has(proposed.action)) problems.push(`${proposed.action} is proposed twice`);
    seen.add(proposed.action);
    const pact = standing.pacts.find((p) => p.action === proposed.action);
    if (!pact) {
      problems.push(`the agent has no pact for ${proposed.action}; pacts are created at registration`);
      continue;
    }
    try {
      const perAction = money(proposed.perActionLimit, pact.currency);
      const daily = money(proposed.dailyLimit, pact.currency);
      if (compare(perAction, daily) > 0)
        problems.push(`${proposed.action}: the per-action limit is above the daily limit`);
    } catch {
      problems.push(`${proposed.action}: limits must be decimal amounts in ${pact.currency}`);
    }
  }
  if (problems.length > 0)
    throw new TollgateError('VALIDATION_FAILED', `Promotion refused: ${problems.join('; ')}.`);
}

/** The pact limits before and after, as decimal strings, for the proposal's evidence. */
export function limitChanges(standing: AgentStanding, change: ProposedChange) {
  return (change.pacts ?? []).map((proposed) => {
    const pact = standing.pacts.find((p) => p.action === proposed.action);
    const currency = pact?.currency ?? '';
    return {
      action: proposed.action,
      currency,
      from: pact
        ? { perActionLimit: formatMoney(pact.perActionLimit), dailyLimit: formatMoney(pact.dailyLimit) }
        : null,
      to: {
        perActionLimit: formatMoney(money(proposed.perActionLimit, currency)),
        dailyLimit: formatMoney(money(proposed.dailyLimit, currency)),
      },
    };
  });
}
