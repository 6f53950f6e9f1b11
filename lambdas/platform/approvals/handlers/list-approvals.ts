import { apiHandler, json } from '#platform/api/http.ts';
import { type ApprovalItem, listPendingApprovals } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { money } from '#platform/core/money.ts';
import type { Principal } from '#platform/core/principal.ts';
import { executionNameOf } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { anyRoleMayApprove } from '#platform/runs/core/runbook-access.ts';

/** A controller may decide what an AP clerk may; the reverse never. */
export const ROLES_FOR: Readonly<Record<ApprovalItem['requiredRole'], readonly string[]>> = {
  ap_clerk: ['ap_clerk', 'controller'],
  controller: ['controller'],
};

function invoiceOf(item: ApprovalItem): { total?: string | null; currency?: string | null } {
  return ((item.proposal as { invoice?: { total?: string | null; currency?: string | null } }).invoice ??
    {}) as never;
}

/** Whether this person may decide this approval (role, approval limit, not their own request). */
export function mayDecide(principal: Principal, item: ApprovalItem): boolean {
  if (item.requestedBy === principal.userId) return false;
  const roles = principal.roles.filter((role) => ROLES_FOR[item.requiredRole].includes(role));
  const { total, currency } = invoiceOf(item);
  if (!total || !currency) return roles.length > 0;
  return anyRoleMayApprove(roles, money(total, currency));
}

/** The role that carries the authority for this approval: one that may decide it and whose limit covers the amount. */
export function authorisingRole(principal: Principal, item: ApprovalItem): string {
  const { total, currency } = invoiceOf(item);
  const eligible = principal.roles.filter((role) => ROLES_FOR[item.requiredRole].includes(role));
  const covering =
    total && currency
      ? eligible.find((role) => anyRoleMayApprove([role], money(total, currency)))
      : eligible[0];
  return covering ?? (eligible[0] as string);
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
    executionId: executionNameOf(item.executionArn),
    requestedBy: { userId: requestedBy, username: item.requestedByUsername },
    evidence: { executionId: item.executionArn, recordsPrefix: 'records/' },
  };
}

/** GET /approvals?status=PENDING — the work room, filtered to what the caller may decide. */
export const handler = apiHandler(async (request) => {
  const status = request.event.queryStringParameters?.status ?? 'PENDING';
  if (status !== 'PENDING')
    throw new TollgateError('VALIDATION_FAILED', 'Only status=PENDING can be listed.');
  const items = (await listPendingApprovals()).filter((item) => mayDecide(request.principal, item));
  return json(200, { approvals: items.map(approvalView) });
});
