import {
  type RefundPayoutPolicy,
  refundPayoutPolicySchema,
} from '#runbooks/refund-payout/core/refund-rules.ts';
import runbookPolicy from '../../../../statemachines/policies/refund-payout.json' with { type: 'json' };

/** The policy the runbook version was built with; a malformed file fails at load, never mid-run. */
export const REFUND_PAYOUT_POLICY: RefundPayoutPolicy = refundPayoutPolicySchema.parse(runbookPolicy);
