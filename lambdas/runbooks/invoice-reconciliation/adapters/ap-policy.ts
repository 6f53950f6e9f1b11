import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { type ApPolicy, apPolicySchema } from '#platform/system-of-record/core/reference-data.ts';
import runbookPolicy from '../../../../statemachines/policies/ap-invoice.json' with { type: 'json' };

/** The runbook's own policy file: part of its version, used until a seeded policy replaces its thresholds. */
export const RUNBOOK_AP_POLICY: ApPolicy = apPolicySchema.parse(runbookPolicy);
export const APPROVAL_TIMEOUT_HOURS: number = runbookPolicy.approvalTimeoutHours;
export const HOLD_EXPIRY_DAYS_AFTER_DUE: number = runbookPolicy.holdExpiryDaysAfterDue;

/** The AP policy in force: the one seeded from the system of record, else the runbook's. */
export async function currentApPolicy(sor = new DynamoDbSystemOfRecord()): Promise<ApPolicy> {
  return (await sor.getPolicy()) ?? RUNBOOK_AP_POLICY;
}
