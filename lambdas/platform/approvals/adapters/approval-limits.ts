import { type ApprovalLimits, approvalLimitsSchema } from '#platform/approvals/core/authority.ts';
import { APPROVAL_LIMITS_ENV, requireEnv } from '#platform/aws/resource-env.ts';

let cached: { raw: string; limits: ApprovalLimits } | undefined;

/** The stage's approval limits per role and currency, as the stack (or the local runtime) set them. */
export function approvalLimits(): ApprovalLimits {
  const raw = requireEnv(APPROVAL_LIMITS_ENV);
  if (cached?.raw !== raw) cached = { raw, limits: approvalLimitsSchema.parse(JSON.parse(raw)) };
  return cached.limits;
}
