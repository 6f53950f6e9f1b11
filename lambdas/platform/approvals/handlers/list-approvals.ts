import { apiHandler, json } from '#platform/api/http.ts';
import { authorityFor } from '#platform/approvals/adapters/approval-authority.ts';
import { type ApprovalItem, listPendingApprovals } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { TollgateError } from '#platform/core/errors.ts';
import type { Principal } from '#platform/core/principal.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';

/**
 * In the work room: what this person may approve, and what carries no valid amount or cannot
 * be paid but is theirs to reject (never their own request, never a role their runbook does not name).
 */
function belongsInWorkRoom(principal: Principal, item: ApprovalItem): boolean {
  const approve = authorityFor(principal, item, 'APPROVE');
  return (
    approve.allowed || approve.code === 'APPROVAL_AMOUNT_MISSING' || approve.code === 'CURRENCY_NOT_PAYABLE'
  );
}

/** What a client may see of an approval: everything but the task token. */
export function approvalView(item: ApprovalItem) {
  const {
    taskToken: _secret,
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g2,
    requestedBy,
    ...visible
  } = item as ApprovalItem & Record<string, unknown>;
  return {
    ...visible,
    executionId: executionIdOf(item.executionArn),
    requestedBy: { userId: requestedBy, username: item.requestedByUsername },
    evidence: { executionId: executionIdOf(item.executionArn), recordsPrefix: 'records/' },
  };
}

/** GET /approvals?status=PENDING — the work room, filtered to what the caller may decide. */
export const handler = apiHandler(async (request) => {
  const status = request.event.queryStringParameters?.status ?? 'PENDING';
  if (status !== 'PENDING')
    throw new TollgateError('VALIDATION_FAILED', 'Only status=PENDING can be listed.');
  const items = (await listPendingApprovals()).filter((item) => belongsInWorkRoom(request.principal, item));
  return json(200, { approvals: items.map(approvalView) });
});
