import { z } from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';

const request = z.strictObject({
  amount: z.string().regex(/^\d{1,12}(\.\d{1,3})?$/, 'a decimal amount such as "120.00"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code'),
  purpose: z.string().min(3).max(200),
  /** Test hook: ask for the approval without its amount, as a faulty runbook might. */
  omitAmount: z.boolean().optional(),
});

/** A small runbook with no invoice: a controller approves a cash payout. Registered by tests only. */
export const pettyCash = defineRunbook<z.infer<typeof request>>({
  name: 'petty-cash',
  description: 'Test runbook: a controller approves a petty-cash payout.',
  definitionDir: 'test/support/runbooks/petty-cash',
  request,
  startRoles: ['ap_clerk', 'controller'],
  approvals: { controller: ['controller'] },
  caseView: (found) => ({ approval: found.approval ?? null, outcome: found.outcome ?? null }),
  tasks: {
    ReadApprovalFunctionArn: 'ReadApproval',
    RequestApprovalFunctionArn: 'PettyCashRequestApproval',
    RecordOutcomeFunctionArn: 'PettyCashRecordOutcome',
  },
  functions: [
    {
      id: 'PettyCashRequestApproval',
      entry: 'test/support/runbooks/petty-cash/handlers/request-approval.ts',
      description: 'Test runbook petty-cash: put the payout in the work room for a controller.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'PettyCashRecordOutcome',
      entry: 'test/support/runbooks/petty-cash/handlers/record-outcome.ts',
      description: 'Test runbook petty-cash: record the decision.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
  ],
});
