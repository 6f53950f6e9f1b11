import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import {
  type ApprovalItem,
  claimApplication,
  markApplied,
  markNotApplied,
} from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { logger } from '#platform/aws/logger.ts';
import { recordApproval } from '#platform/aws/metrics.ts';
import { stepFunctions } from '#platform/aws/sfn-client.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceInput } from '#platform/evidence/core/records.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';
import { recordDecisionOutcome } from '#platform/trust/adapters/trust-events.ts';

/** An `approval` record in the chain of the run that asked for it. */
function approvalEvidence(
  item: ApprovalItem,
  record: Pick<EvidenceInput, 'eventKey' | 'actor' | 'details' | 'business'>,
) {
  return evidenceWriter().append({
    ...record,
    recordType: 'approval',
    runbook: item.runbook,
    runbookVersion: item.runbookVersion,
    executionId: executionIdOf(item.executionArn),
  });
}

function recordAgentOutcome(decided: ApprovalItem) {
  if (!decided.decision || !decided.decidedBy || !decided.decidedAt) return;
  return recordDecisionOutcome({
    agentId: decided.agentId,
    approvalId: decided.approvalId,
    runbook: decided.runbook,
    runbookVersion: decided.runbookVersion,
    executionId: executionIdOf(decided.executionArn),
    ...(decided.action ? { action: decided.action } : {}),
    ...(decided.shadowDecision ? { agentWouldHave: decided.shadowDecision } : {}),
    decision: decided.decision,
    comment: decided.comment ?? '',
    decidedBy: { username: decided.decidedBy.username, role: decided.decidedBy.role },
    decidedAt: decided.decidedAt,
    business: {
      ...pick(decided.business, ['vendorId', 'vendorName', 'invoiceNumber']),
      ...(decided.amount && decided.currency ? { amount: decided.amount, currency: decided.currency } : {}),
    },
  });
}

function pick(from: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (from[k] === undefined ? [] : [[k, from[k]]])));
}

/**
 * Everything after a decision is recorded, each part idempotent so a retry (the person's repeat
 * request, or the sweeper after a crash) finishes what a failed attempt left: the decision's
 * evidence, the agent's outcome, then — under a lease, so only one applier completes the task —
 * the waiting run resumed and the case updated. `not_applied`: the run had stopped waiting.
 */
export async function completeDecision(
  item: ApprovalItem,
  applier: string,
): Promise<'applied' | 'already' | 'leased' | 'not_applied'> {
  const { approvalId, decision, decidedBy } = item;
  if (item.status === 'PENDING' || !decision || !decidedBy)
    throw new Error(`Approval ${approvalId} is not decided; there is nothing to complete.`);
  const decided = { ...item, decision, decidedBy };
  await approvalEvidence(decided, {
    eventKey: `Approval/${decided.level}/decision`,
    actor: { kind: 'person', id: decided.decidedBy.username, role: decided.decidedBy.role },
    details: {
      approvalId,
      level: decided.level,
      requiredRole: decided.requiredRole,
      comment: decided.comment,
      requestedBy: decided.requestedByUsername,
    },
    business: {
      ...decided.business,
      ...(decided.amount && decided.currency ? { amount: decided.amount, currency: decided.currency } : {}),
      decision: decided.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
    },
  });
  // The agent's outcome, once per approval (a replay finds it recorded), before the run moves on.
  if (decided.agentId) await recordAgentOutcome(decided);
  if (decided.appliedAt || decided.status !== 'DECIDED') return 'already';
  if (!(await claimApplication(approvalId, applier))) return 'leased';

  // Only which approval: the run's ReadApproval step reads what was decided, and by whom, from the table.
  const output = { approvalId };
  try {
    await stepFunctions.send(
      new SendTaskSuccessCommand({ taskToken: decided.taskToken, output: JSON.stringify(output) }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TaskTimedOut' || name === 'InvalidToken' || name === 'TaskDoesNotExist') {
      // The run stopped waiting between our write and its resumption: say so in evidence, not silently.
      if (await markNotApplied(approvalId, applier))
        await approvalEvidence(decided, {
          eventKey: `Approval/${decided.level}/not_applied`,
          actor: { kind: 'system', id: 'tollgate-approvals', role: 'work_room' },
          details: {
            approvalId,
            reason: 'The run had stopped waiting (deadline passed); the decision was not applied.',
            attemptedBy: decided.decidedBy.username,
          },
          business: { decision: 'NOT_APPLIED' },
        });
      return 'not_applied';
    }
    throw error;
  }
  await markApplied(approvalId);
  await updateCase(executionIdOf(decided.executionArn), {
    approval: {
      approvalId,
      status: 'DECIDED',
      requiredRole: decided.requiredRole,
      level: decided.level,
      deadline: decided.deadline,
      decision: decided.decision,
      decidedBy: decided.decidedBy.username,
    },
  });
  logger.info('approval decided', { approvalId, decision: decided.decision });
  recordApproval({ role: decided.decidedBy.role, decision: decided.decision });
  return 'applied';
}
