import type { ApprovalItem } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import {
  type ApprovalLimits,
  approvalLimitsSchema,
  type DecisionAuthority,
  decisionAuthority,
} from '#platform/approvals/core/authority.ts';
import { APPROVAL_LIMITS_ENV, requireEnv } from '#platform/aws/resource-env.ts';
import type { Principal } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';
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
