import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import {
  type ApprovalItem,
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
import { approvalView, authorityFor } from './list-approvals.ts';

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
    executionId: item.executionArn,
  });
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
      authority.code === 'OVER_APPROVAL_LIMIT' || authority.code === 'APPROVAL_AMOUNT_MISSING'
        ? authority.code
        : 'FORBIDDEN';
    throw new TollgateError(code, authority.message, { reason: authority.code });
  }
  const { role } = authority;
  const decidedBy = { userId: principal.userId, username: principal.username, role };
  if (
    item.status === 'DECIDED' &&
    item.appliedAt &&
    item.decidedBy?.userId === principal.userId &&
    item.decision === parsed.data.decision
  ) {
    return json(200, approvalView(item));
  }
  const written = await recordDecision(approvalId, { ...parsed.data, decidedBy });
  if (written === 'requester_may_not_decide')
    throw new TollgateError('FORBIDDEN', 'You requested this run, so someone else must decide it.');
  if (written === 'not_pending')
    throw new TollgateError('CONFLICT', `Approval ${approvalId} is no longer pending (decided or expired).`);

  await approvalEvidence(item, {
    eventKey: `Approval/${item.level}/decision`,
    actor: { kind: 'person', id: principal.username, role },
    details: {
      approvalId,
      level: item.level,
      requiredRole: item.requiredRole,
      comment: parsed.data.comment,
      requestedBy: item.requestedByUsername,
    },
    business: {
      ...item.business,
      ...(item.amount && item.currency ? { amount: item.amount, currency: item.currency } : {}),
      decision: parsed.data.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
    },
  });
  const output = { ...parsed.data, decidedBy, decidedAt: new Date().toISOString() };
  try {
    await stepFunctions.send(
      new SendTaskSuccessCommand({ taskToken: item.taskToken, output: JSON.stringify(output) }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TaskTimedOut' || name === 'InvalidToken' || name === 'TaskDoesNotExist') {
      // The run stopped waiting between our write and its resumption: say so in evidence, not silently.
      await markNotApplied(approvalId);
      await approvalEvidence(item, {
        eventKey: `Approval/${item.level}/not_applied`,
        actor: { kind: 'system', id: 'tollgate-approvals', role: 'work_room' },
        details: {
          approvalId,
          reason: 'The run had stopped waiting (deadline passed); the decision was not applied.',
          attemptedBy: principal.username,
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
  await updateCase(item.executionArn, {
    approval: {
      approvalId,
      status: 'DECIDED',
      requiredRole: item.requiredRole,
      level: item.level,
      deadline: item.deadline,
      decision: parsed.data.decision,
      decidedBy: principal.username,
    },
  });
  logger.info('approval decided', { approvalId, decision: parsed.data.decision });
  recordApproval({ role, decision: parsed.data.decision });
  return json(200, {
    ...approvalView({
      ...item,
      status: 'DECIDED',
      decision: parsed.data.decision,
      comment: parsed.data.comment,
      decidedBy,
      decidedAt: output.decidedAt,
    }),
  });
});
