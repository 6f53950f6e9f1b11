import { type InquiryPolicy, inquiryPolicySchema } from '#runbooks/vendor-inquiry/core/policy.ts';
import runbookPolicy from '../../../../statemachines/policies/vendor-inquiry.json' with { type: 'json' };

/** The policy the runbook version was built with; a malformed file fails at load, never mid-run. */
export const INQUIRY_POLICY: InquiryPolicy = inquiryPolicySchema.parse(runbookPolicy);
