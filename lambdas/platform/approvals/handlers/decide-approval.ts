import { randomUUID } from 'node:crypto';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { authorityFor } from '#platform/approvals/adapters/approval-authority.ts';
import {
  type ApprovalItem,
  claimApplication,
  getApproval,
  markApplied,
  markNotApplied,
  recordDecision,
} from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { logger } from '#platform/aws/logger.ts';
import { recordApproval } from '#platform/aws/metrics.ts';
import { stepFunctions } from '#platform/aws/sfn-client.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceInput } from '#platform/evidence/core/records.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';
import { recordDecisionOutcome } from '#platform/trust/adapters/trust-events.ts';
import { approvalView } from './list-approvals.ts';

const body = z.strictObject({
  decision: z.enum(['APPROVE', 'REJECT']),
  comment: z.string().trim().min(3, 'a comment saying why (at least 3 characters)').max(2000),
});

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

/** POST /approvals/{approvalId}/decision — a person in the required role, not the requester, decides. */
export const handler = apiHandler(async (request) => {
  const approvalId = request.pathParameter('approvalId');
  const parsed = body.safeParse(request.jsonBody());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TollgateError(
      'VALIDATION_FAILED',
      `${issue?.path.join('.') || 'body'}: ${issue?.message}. Send {"decision": "APPROVE" | "REJECT", "comment": "…"}.`,
    );
  }
  const item = await getApproval(approvalId);
  if (!item) throw new TollgateError('NOT_FOUND', `No approval "${approvalId}".`);
  const { principal } = request;
  // The same rules the work room filters by, for every runbook: role, four eyes, amount within the limit.
  const authority = authorityFor(principal, item, parsed.data.decision);
  if (!authority.allowed) {
    const code =
      authority.code === 'OVER_APPROVAL_LIMIT' ||
      authority.code === 'APPROVAL_AMOUNT_MISSING' ||
      authority.code === 'CURRENCY_NOT_PAYABLE'
        ? authority.code
        : 'FORBIDDEN';
    throw new TollgateError(code, authority.message, { reason: authority.code });
  }
  const { role } = authority;
  const decidedBy = { userId: principal.userId, username: principal.username, role };
  const written = await recordDecision(approvalId, { ...parsed.data, decidedBy });
  if (written === 'requester_may_not_decide')
    throw new TollgateError('FORBIDDEN', 'You requested this run, so someone else must decide it.', {
      reason: 'REQUESTER_MAY_NOT_DECIDE',
    });
  if (written === 'past_deadline')
    throw new TollgateError(
      'CONFLICT',
      `Approval ${approvalId} can no longer be decided: its deadline passed and it goes to the next approver.`,
    );
  if (written === 'not_pending')
    throw new TollgateError('CONFLICT', `Approval ${approvalId} is no longer pending (decided or expired).`);

  // From here the decision is the stored one: a repeat (double-click, retry) replays it, never a second one.
  const decided = await getApproval(approvalId);
  if (!decided?.decision || !decided.decidedBy || decided.status === 'PENDING')
    throw new Error(`Approval ${approvalId} was decided and cannot be read back.`);
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
  if (decided.appliedAt || decided.status !== 'DECIDED') return json(200, approvalView(decided));
  const applier = request.event.requestContext?.requestId || randomUUID();
  if (!(await claimApplication(approvalId, applier))) return json(200, approvalView(decided));

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
      throw new TollgateError(
        'CONFLICT',
        `Approval ${approvalId} can no longer be decided: its deadline passed.`,
      );
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
  return json(200, approvalView({ ...decided, appliedAt: new Date().toISOString() }));
});
