import { type Outcome, type OutcomeKind, TIERS, type Tier } from './standing.ts';

/**
 * Trust score, 0–1000:
 *
 *   weight(o)  = 2^(−age_days(o) / 30)                       recency: an outcome's weight halves every 30 days
 *   good       = Σ weight(o) over confirmed outcomes
 *   bad        = Σ weight(o) × penalty(o), penalty: overridden 1, disputed 2, incident 5
 *   n          = good + bad,  p = good / n
 *   score      = round(1000 × Wilson lower bound of p at z = 1.96)
 *              = round(1000 × (p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)),  0 when n = 0
 *
 * The Wilson bound is the confidence bound on small samples: ten confirmations score ~722,
 * a thousand score ~996, so a short streak cannot buy authority.
 */
export const HALF_LIFE_DAYS = 30;
export const PENALTY: Readonly<Record<OutcomeKind, number>> = {
  confirmed: 0,
  overridden: 1,
  disputed: 2,
  incident: 5,
};
const Z = 1.96;
const DAY_MS = 86_400_000;

export function trustScore(outcomes: readonly Outcome[], now: Date): number {
  let good = 0;
  let bad = 0;
  for (const outcome of outcomes) {
    const ageDays = Math.max(0, (now.getTime() - Date.parse(outcome.at)) / DAY_MS);
    const weight = 2 ** (-ageDays / HALF_LIFE_DAYS);
    if (outcome.kind === 'confirmed') good += weight;
    else bad += weight * PENALTY[outcome.kind];
  }
  const n = good + bad;
  if (n <= 0) return 0;
  const p = good / n;
  const z2 = Z * Z;
  const lower = (p + z2 / (2 * n) - Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return Math.max(0, Math.min(1000, Math.round(1000 * lower)));
}

/** Outcomes count as fresh evidence for this many days. */
export const FRESH_DAYS = 30;

export function freshOutcomes(outcomes: readonly Outcome[], now: Date): Outcome[] {
  return outcomes.filter((outcome) => now.getTime() - Date.parse(outcome.at) <= FRESH_DAYS * DAY_MS);
}

/** Override share of fresh decisions, in basis points; undefined below the minimum sample. */
export function overrideRateBp(
  outcomes: readonly Outcome[],
  now: Date,
  minimumSample = 10,
): number | undefined {
  const fresh = freshOutcomes(outcomes, now);
  if (fresh.length < minimumSample) return undefined;
  const overridden = fresh.filter((outcome) => outcome.kind === 'overridden').length;
  return Math.floor((overridden * 10_000) / fresh.length);
}

/** What it takes to reach a tier: score, fresh evidence, and (always) a person's sign-off. */
export const PROMOTION_RULES: Readonly<
  Record<Exclude<Tier, 'shadow'>, { minScore: number; minFreshOutcomes: number }>
> = {
  supervised: { minScore: 0, minFreshOutcomes: 20 },
  bounded: { minScore: 700, minFreshOutcomes: 50 },
  extended: { minScore: 850, minFreshOutcomes: 200 },
};

export interface SignOff {
  readonly by: string;
  readonly role: string;
  readonly at: string;
  readonly note?: string;
}

export type PromotionDecision =
  | { readonly promote: true; readonly to: Tier; readonly reasons: readonly string[] }
  | { readonly promote: false; readonly reasons: readonly string[] };

/** Roles whose sign-off can raise an agent's authority. */
export const SIGN_OFF_ROLES = ['controller', 'platform_admin'] as const;

export function evaluatePromotion(input: {
  readonly tier: Tier;
  readonly suspended: boolean;
  readonly outcomes: readonly Outcome[];
  readonly signOff: SignOff | undefined;
  readonly now: Date;
}): PromotionDecision {
  const next = TIERS[TIERS.indexOf(input.tier) + 1];
  if (!next || next === 'shadow') return { promote: false, reasons: ['AT_HIGHEST_TIER'] };
  const rule = PROMOTION_RULES[next];
  const reasons: string[] = [];
  if (input.suspended) reasons.push('AGENT_SUSPENDED');
  const score = trustScore(input.outcomes, input.now);
  if (score < rule.minScore) reasons.push('SCORE_TOO_LOW');
  if (freshOutcomes(input.outcomes, input.now).length < rule.minFreshOutcomes)
    reasons.push('NOT_ENOUGH_FRESH_EVIDENCE');
  if (!input.signOff) reasons.push('SIGN_OFF_REQUIRED');
  else if (!(SIGN_OFF_ROLES as readonly string[]).includes(input.signOff.role))
    reasons.push('SIGN_OFF_ROLE_NOT_ALLOWED');
  return reasons.length === 0 ? { promote: true, to: next, reasons: [] } : { promote: false, reasons };
}

/**
 * Automatic demotion after an outcome: an incident drops the agent to shadow at once; an
 * override rate above the pact's commitment drops it one tier (not below supervised).
 */
export function demotionAfter(input: {
  readonly tier: Tier;
  readonly latest: Outcome;
  readonly outcomes: readonly Outcome[];
  readonly maxOverrideRateBp: number | undefined;
  readonly now: Date;
}): { readonly to: Tier; readonly reason: 'INCIDENT' | 'OVERRIDE_RATE_ABOVE_PACT' } | undefined {
  if (input.latest.kind === 'incident') {
    return input.tier === 'shadow' ? undefined : { to: 'shadow', reason: 'INCIDENT' };
  }
  if (input.maxOverrideRateBp === undefined) return undefined;
  const rate = overrideRateBp(input.outcomes, input.now);
  if (rate === undefined || rate <= input.maxOverrideRateBp) return undefined;
  const rank = TIERS.indexOf(input.tier);
  if (rank <= 1) return undefined;
  return { to: TIERS[rank - 1] as Tier, reason: 'OVERRIDE_RATE_ABOVE_PACT' };
}
