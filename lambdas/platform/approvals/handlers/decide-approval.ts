import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { authorityFor } from '#platform/approvals/adapters/approval-authority.ts';
import { getApproval, recordDecision } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { completeDecision } from './apply-decision.ts';
import { approvalView } from './list-approvals.ts';

const body = z.strictObject({
  decision: z.enum(['APPROVE', 'REJECT']),
  comment: z.string().trim().min(3, 'a comment saying why (at least 3 characters)').max(2000),
});

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
  const applier = request.event.requestContext?.requestId || randomUUID();
  const done = await completeDecision(decided, applier);
  if (done === 'not_applied')
    throw new TollgateError(
      'CONFLICT',
      `Approval ${approvalId} can no longer be decided: its deadline passed.`,
    );
  return json(
    200,
    approvalView(done === 'applied' ? { ...decided, appliedAt: new Date().toISOString() } : decided),
  );
});
