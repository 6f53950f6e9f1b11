import {
  type ReconciliationPolicy,
  reconciliationPolicySchema,
} from '#runbooks/bank-reconciliation/core/reconciliation-policy.ts';
import runbookPolicy from '../../../../statemachines/policies/bank-reconciliation.json' with { type: 'json' };

/** The policy the runbook version was built with; a malformed file fails at load, never mid-run. */
export const RECONCILIATION_POLICY: ReconciliationPolicy = reconciliationPolicySchema.parse(runbookPolicy);
