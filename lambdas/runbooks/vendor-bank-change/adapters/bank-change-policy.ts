import {
  type BankChangePolicy,
  bankChangePolicySchema,
} from '#runbooks/vendor-bank-change/core/bank-change.ts';
import runbookPolicy from '../../../../statemachines/policies/vendor-bank-change.json' with { type: 'json' };

/** The policy the runbook version was built with; a malformed file fails at load, never mid-run. */
export const BANK_CHANGE_POLICY: BankChangePolicy = bankChangePolicySchema.parse(runbookPolicy);
