import { logger } from '#platform/aws/logger.ts';
import { TRUST_NOTIFICATIONS_TOPIC_ENV } from '#platform/aws/resource-env.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceActor, EvidenceBusiness, RecordType } from '#platform/evidence/core/records.ts';
import {
  type DecidedProposal,
  demotionEventKey,
  outcomeEventKey,
  outcomeOfDecision,
  TRUST_RULES_VERSION,
  TRUST_RUNBOOK,
  trustStream,
} from '#platform/trust/core/outcomes.ts';
import type { AgentStanding, Tier } from '#platform/trust/core/standing.ts';
import { DynamoDbTrustStore } from './trust-store-dynamodb.ts';

const store = new DynamoDbTrustStore();

/** The trust ledger itself, as the actor of the records it writes on its own (outcomes, demotions). */
export const TRUST_ACTOR: EvidenceActor = { kind: 'system', id: 'tollgate-trust', role: 'trust_ledger' };

/** One record in the agent's own trust chain (promotions, demotions, incidents). */
export function appendTrustEvent(
  agentId: string,
  record: {
    recordType: RecordType;
    eventKey: string;
    actor: EvidenceActor;
    details: Record<string, unknown>;
    business?: EvidenceBusiness;
  },
) {
  return evidenceWriter().append({
    ...record,
    runbook: TRUST_RUNBOOK,
    runbookVersion: TRUST_RULES_VERSION,
    executionId: trustStream(agentId),
  });
}

export interface DecidedApproval extends DecidedProposal {
  readonly agentId: string;
  readonly runbookVersion: string;
  readonly executionId: string;
  readonly decidedBy: { readonly username: string; readonly role: string };
  readonly decidedAt: string;
  readonly business: EvidenceBusiness;
}

/**
 * A person's decision on an agent's proposal becomes the agent's outcome, once: the outcome is
 * keyed by the approval id in the trust table, and its evidence record (in the run's own chain)
 * is built only from the stored decision, so a retry or a double-click writes nothing new.
 */
export async function recordDecisionOutcome(approval: DecidedApproval) {
  const outcome = outcomeOfDecision(approval);
  if (!(await store.loadAgentStanding(approval.agentId))) {
    // An agent the trust store does not know earns nothing; the decision itself stands.
    logger.warn('outcome not recorded: unknown agent', {
      agentId: approval.agentId,
      approvalId: approval.approvalId,
    });
    return undefined;
  }
  const eventKey = outcomeEventKey(approval.approvalId);
  const result = await store.recordOutcome({
    agentId: approval.agentId,
    decisionId: approval.approvalId,
    kind: outcome.kind,
    action: outcome.action,
    recordedBy: approval.decidedBy.username,
    at: new Date(approval.decidedAt),
    runbook: approval.runbook,
    executionId: approval.executionId,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.shadow ? { shadow: outcome.shadow } : {}),
    evidence: { executionId: approval.executionId, eventKey },
  });
  await evidenceWriter().append({
    recordType: 'action',
    runbook: approval.runbook,
    runbookVersion: approval.runbookVersion,
    executionId: approval.executionId,
    eventKey,
    actor: TRUST_ACTOR,
    details: {
      agentId: approval.agentId,
      approvalId: approval.approvalId,
      action: outcome.action,
      outcome: outcome.kind,
      decidedBy: approval.decidedBy.username,
      decidedAt: approval.decidedAt,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.shadow ? { shadow: outcome.shadow } : {}),
    },
    business: { ...approval.business, decision: `OUTCOME_${outcome.kind.toUpperCase()}` },
  });
  await afterOutcome(approval.agentId, approval.approvalId, result);
  return { ...outcome, recorded: result.recorded, standing: result.standing };
}

/**
 * An automatic demotion the outcome caused is written as evidence from the stored tier change
 * (so a retry after a crash still writes it), and announced once, when it happened.
 */
export async function afterOutcome(
  agentId: string,
  decisionId: string,
  result: { recorded: boolean; standing: AgentStanding; demotedTo?: Tier },
): Promise<void> {
  const history = await store.tierHistory(agentId);
  const change = history.find((entry) => entry.automatic && entry.decisionId === decisionId);
  if (!change) return;
  const eventKey = demotionEventKey(decisionId);
  await appendTrustEvent(agentId, {
    recordType: 'config_change',
    eventKey,
    actor: TRUST_ACTOR,
    details: {
      agentId,
      change: 'demotion',
      from: change.from,
      to: change.to,
      reason: change.reason,
      decisionId,
      at: change.at,
    },
    business: { decision: 'DEMOTED', reasonCodes: change.reason ? [change.reason] : [] },
  });
  if (result.recorded && result.demotedTo) {
    await notifyDemotion({
      agentId,
      from: change.from,
      to: change.to,
      reason: change.reason ?? 'UNKNOWN',
      decisionId,
      evidence: { executionId: trustStream(agentId), eventKey },
    });
  }
}

export interface DemotionNotice {
  readonly agentId: string;
  readonly from: Tier;
  readonly to: Tier;
  readonly reason: string;
  readonly decisionId: string;
  readonly evidence: { readonly executionId: string; readonly eventKey: string };
}

/**
 * Tells the people who watch agents that one lost authority. The evidence record above is the
 * durable notice; this is the prompt to look at it (a log line locally, an SNS message when a
 * topic is configured — see TRUST_NOTIFICATIONS_TOPIC_ARN).
 */
async function notifyDemotion(notice: DemotionNotice): Promise<void> {
  logger.warn('agent demoted', { ...notice });
  const topicArn = process.env[TRUST_NOTIFICATIONS_TOPIC_ENV];
  if (topicArn) {
    const { publishDemotion } = await import('./demotion-topic-sns.ts');
    await publishDemotion(topicArn, notice);
  }
}
