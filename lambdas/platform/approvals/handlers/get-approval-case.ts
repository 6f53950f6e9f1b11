import { apiHandler, json } from '#platform/api/http.ts';
import { authorityFor } from '#platform/approvals/adapters/approval-authority.ts';
import { REQUESTED_BY_ATTRIBUTE } from '#platform/approvals/adapters/approval-conditions.ts';
import { getApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { caseTimeline, submittedDocument } from '#platform/approvals/adapters/case-evidence.ts';
import { TollgateError } from '#platform/core/errors.ts';
import type { Principal } from '#platform/core/principal.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { runbookModule } from '#runbooks/registry.ts';
import { approvalView } from './list-approvals.ts';

type Item = NonNullable<Awaited<ReturnType<typeof getApproval>>>;

/**
 * Who may read the case behind an approval: whoever may decide it (or could reject it), the
 * requester, the person who decided it, and the roles that see every run (controller, auditor,
 * platform_admin). Anyone else is told it does not exist, as GET /executions/{id} does.
 */
function maySee(principal: Principal, item: Item): boolean {
  if (
    principal.roles.some((role) => role === 'controller' || role === 'auditor' || role === 'platform_admin')
  )
    return true;
  if (item[REQUESTED_BY_ATTRIBUTE] === principal.userId) return true;
  if (item.decidedBy?.userId === principal.userId) return true;
  return authorityFor(principal, item, 'REJECT').allowed;
}

/** What this person may do with it now: each decision with whether it is allowed and, if not, why. */
function mayDecide(principal: Principal, item: Item) {
  const pending = item.status === 'PENDING';
  const one = (decision: 'APPROVE' | 'REJECT') => {
    if (!pending) return { allowed: false, code: 'NOT_PENDING', message: 'This approval has been decided.' };
    const authority = authorityFor(principal, item, decision);
    return authority.allowed
      ? { allowed: true, code: null, message: null }
      : { allowed: false, code: authority.code, message: authority.message };
  };
  return { approve: one('APPROVE'), reject: one('REJECT') };
}

/**
 * GET /approvals/{approvalId} — the case behind one approval, for the work room's case page:
 * the approval, what each step found (extraction with confidence, match, coding, reasons,
 * explanation), the submitted document, the evidence chain with its hashes, and which
 * decisions the caller may take.
 */
export const handler = apiHandler(async (request) => {
  const approvalId = request.pathParameter('approvalId');
  const item = await getApproval(approvalId);
  if (!item || !maySee(request.principal, item))
    throw new TollgateError('NOT_FOUND', `No approval "${approvalId}" that you may see.`);
  const view = approvalView(item);
  const caseView = runbookModule(item.runbook)?.caseView;
  const found = caseView ? await getCase(view.executionId) : undefined;
  const { entries, records } = await caseTimeline(view.executionId);
  return json(200, {
    approval: view,
    case: found && caseView ? caseView(found) : null,
    document: await submittedDocument(records),
    timeline: entries,
    mayDecide: mayDecide(request.principal, item),
  });
});
