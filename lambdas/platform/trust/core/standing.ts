import type { Money } from '#platform/core/money.ts';

/** Authority tiers, lowest first. The tier decides how much of a pact's limit the agent may use alone. */
export const TIERS = ['shadow', 'supervised', 'bounded', 'extended'] as const;
export type Tier = (typeof TIERS)[number];

export const OUTCOME_KINDS = ['confirmed', 'overridden', 'disputed', 'incident'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export interface AccuracyCommitment {
  /** Highest share of decisions a person may override, in basis points (500 = 5%), before the agent is demoted. */
  readonly maxOverrideRateBp: number;
}

/** What an agent agreed to for one action: limits, the evidence it must leave, and how accurate it will be. */
export interface Pact {
  readonly action: string;
  readonly perActionLimit: Money;
  readonly dailyLimit: Money;
  readonly currency: string;
  readonly requiredEvidence: readonly string[];
  readonly accuracyCommitment: AccuracyCommitment;
}

/** The read model every decision starts from. */
export interface AgentStanding {
  readonly agentId: string;
  readonly displayName: string;
  readonly tier: Tier;
  /** 0–1000; one input among several, never enough on its own. */
  readonly score: number;
  readonly suspended: boolean;
  readonly pacts: readonly Pact[];
  readonly lastEvidenceAt: string | null;
}

export interface Outcome {
  readonly decisionId: string;
  readonly kind: OutcomeKind;
  readonly at: string;
  readonly action?: string;
  readonly recordedBy?: string;
  /** The run the outcome is about, and its runbook. */
  readonly runbook?: string;
  readonly executionId?: string;
  /** Why a person overrode the agent or filed the incident. */
  readonly reason?: string;
  /** In shadow tier: what the agent would have decided alone, and whether the person agreed. */
  readonly shadow?: ShadowComparison;
  /** Where the outcome's evidence record is: its chain (execution id) and event key. */
  readonly evidence?: EvidencePointer;
}

export interface ShadowComparison {
  readonly agentWouldHave: string;
  readonly personDecided: string;
  /** null when the agent would also have asked a person (nothing to compare). */
  readonly agreed: boolean | null;
}

export interface EvidencePointer {
  readonly executionId: string;
  readonly eventKey: string;
}

export function pactFor(standing: AgentStanding, action: string): Pact | undefined {
  return standing.pacts.find((pact) => pact.action === action);
}

export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}
