import { hashOf } from '#platform/core/hashing.ts';
import { FRESH_DAYS, HALF_LIFE_DAYS, PENALTY, PROMOTION_RULES } from './score.ts';
import type { EvidencePointer, OutcomeKind, ShadowComparison } from './standing.ts';

/** The pact action a runbook's approvals are about, when the approval does not name one. */
export const ACTION_BY_RUNBOOK: Readonly<Record<string, string>> = {
  'invoice-reconciliation': 'invoice.approve',
  'payment-run': 'payment.release',
};

/** Trust events that belong to no run (promotions, demotions, incidents) chain per agent under this runbook name. */
export const TRUST_RUNBOOK = 'trust';

/**
 * The version trust events carry: SHA-256 over the rules that move an agent's standing, so a
 * change to a promotion threshold or a penalty is visible on every record after it.
 */
export const TRUST_RULES_VERSION = hashOf({ PROMOTION_RULES, PENALTY, HALF_LIFE_DAYS, FRESH_DAYS });

/** The evidence chain of one agent's trust events. */
export function trustStream(agentId: string): string {
  return `agent-${agentId}`;
}

export const outcomeEventKey = (decisionId: string) => `Trust/outcome/${decisionId}`;
export const demotionEventKey = (decisionId: string) => `Trust/demotion/${decisionId}`;
export const promotionEventKey = (promotionId: string, step: 'proposed' | 'signed_off' | 'refused') =>
  `Trust/promotion/${promotionId}/${step}`;

/** What a decided approval says about the agent that proposed it. */
export interface DecidedProposal {
  readonly approvalId: string;
  readonly runbook: string;
  readonly action?: string;
  readonly decision: 'APPROVE' | 'REJECT';
  readonly comment: string;
  /** In shadow tier, what the agent would have decided alone (AUTO_APPROVED, REJECTED, PENDING_APPROVAL). */
  readonly agentWouldHave?: string;
}

export interface DecisionOutcome {
  readonly kind: OutcomeKind;
  readonly action: string;
  readonly reason?: string;
  readonly shadow?: ShadowComparison;
}

/**
 * A person's decision as an outcome for the agent: approved unchanged = confirmed, rejected =
 * overridden with the comment as reason. In shadow tier the agent proposed what it would have
 * done alone, so a person approving what it would have rejected overrides it too.
 */
export function outcomeOfDecision(proposal: DecidedProposal): DecisionOutcome {
  const action = proposal.action ?? ACTION_BY_RUNBOOK[proposal.runbook] ?? `${proposal.runbook}.approve`;
  const personDecided = proposal.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  if (proposal.agentWouldHave) {
    const decisive = proposal.agentWouldHave === 'AUTO_APPROVED' || proposal.agentWouldHave === 'REJECTED';
    const agreed = decisive
      ? (proposal.agentWouldHave === 'AUTO_APPROVED') === (proposal.decision === 'APPROVE')
      : null;
    const shadow = { agentWouldHave: proposal.agentWouldHave, personDecided, agreed };
    const overridden = agreed === false || (agreed === null && proposal.decision === 'REJECT');
    return overridden
      ? { kind: 'overridden', action, reason: proposal.comment, shadow }
      : { kind: 'confirmed', action, shadow };
  }
  return proposal.decision === 'APPROVE'
    ? { kind: 'confirmed', action }
    : { kind: 'overridden', action, reason: proposal.comment };
}

/** The pointer to where an outcome's evidence lies. */
export function outcomePointer(executionId: string, decisionId: string): EvidencePointer {
  return { executionId, eventKey: outcomeEventKey(decisionId) };
}
