import { type ApprovalItem, getApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import {
  type ApprovalLimits,
  approvalLimitsSchema,
  approvalProblem,
  type DecisionAuthority,
  decisionAuthority,
} from '#platform/approvals/core/authority.ts';
import { APPROVAL_LIMITS_ENV, requireEnv } from '#platform/aws/resource-env.ts';
import type { Money } from '#platform/core/money.ts';
import type { Principal } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';
import { runbookModule } from '#runbooks/registry.ts';

let cached: { raw: string; limits: ApprovalLimits } | undefined;

/** The stage's approval limits per role and currency, as the stack (or the local runtime) set them. */
export function approvalLimits(): ApprovalLimits {
  const raw = requireEnv(APPROVAL_LIMITS_ENV);
  if (cached?.raw !== raw) cached = { raw, limits: approvalLimitsSchema.parse(JSON.parse(raw)) };
  return cached.limits;
}

/** The roles that may decide this approval, as its runbook declares them; none for an unknown runbook. */
export function deciderRolesOf(item: ApprovalItem): readonly Role[] {
  return runbookModule(item.runbook)?.approvals[item.requiredRole as Role] ?? [];
}

/** Whether and as which role this person may take this decision on this approval. */
export function authorityFor(
  principal: Principal,
  item: ApprovalItem,
  decision: 'APPROVE' | 'REJECT',
): DecisionAuthority {
  return decisionAuthority(principal, item, deciderRolesOf(item), approvalLimits(), decision);
}

/** The approval a money movement would rest on does not hold up in the work room; nothing moves. */
export class ApprovalNotValidError extends Error {
  constructor(approvalId: string, problem: string) {
    super(`Approval ${approvalId} does not authorise this payment: ${problem}.`);
    this.name = 'ApprovalNotValidError';
  }
}

/**
 * The person whose approval moves `amount`, re-read from the work room and re-checked where the
 * money moves: this run's approval, decided APPROVE, not by the requester, by a role the runbook
 * names, within that role's limit, for exactly this amount. Anything else throws; nothing moves.
 */
export async function approverOf(
  approvalId: string,
  task: { readonly runbook: string; readonly executionId: string },
  amount: Money,
): Promise<NonNullable<ApprovalItem['decidedBy']>> {
  const item = await getApproval(approvalId);
  const problem =
    item?.runbook === task.runbook && executionIdOf(item.executionArn) === task.executionId
      ? approvalProblem(item, amount, deciderRolesOf(item), approvalLimits())
      : 'the approval belongs to another run';
  if (problem || !item?.decidedBy) throw new ApprovalNotValidError(approvalId, problem ?? 'no decider');
  return item.decidedBy;
}
