import { type PaymentRunPolicy, paymentRunPolicySchema } from '#runbooks/payment-run/core/payment-policy.ts';
import runbookPolicy from '../../../../statemachines/policies/payment-run.json' with { type: 'json' };

/** The policy the runbook version was built with; a malformed file fails at load, never mid-run. */
export const PAYMENT_RUN_POLICY: PaymentRunPolicy = paymentRunPolicySchema.parse(runbookPolicy);
