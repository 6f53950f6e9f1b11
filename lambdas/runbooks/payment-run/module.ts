import * as z from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';
import runbookPolicy from '../../../statemachines/policies/payment-run.json' with { type: 'json' };

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** `POST /runbooks/payment-run/executions`: which funding account to pay from, and the run's date. */
export const paymentRunRequestSchema = z.strictObject({
  /** A funding account with an originator in the payment-run policy, e.g. `AP-USD-OPERATING`. */
  accountId: z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,63}$/, 'a funding account id such as AP-USD-OPERATING'),
  /** Holds released by the end of this day (UTC) are due. @default today */
  asOf: isoDate.optional(),
});
export type PaymentRunRequest = z.infer<typeof paymentRunRequestSchema>;

/** What `GET /executions/{id}` shows of a payment run. */
export function paymentRunCaseView(found: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const decision = found.decision as { decision?: string } | undefined;
  const outcome = found.outcome as { status?: string } | undefined;
  const release = found.release as { file?: string | null } | undefined;
  return {
    decision: decision?.decision ?? null,
    finalStatus: outcome?.status ?? (release ? 'RELEASED' : null),
    proposal: found.proposal ?? null,
    release: found.release ?? null,
    approval: found.approval ?? null,
    outcome: found.outcome ?? null,
    reasons: (found.decision as { reasons?: unknown } | undefined)?.reasons ?? [],
  };
}

/**
 * Payment run: the holds that are due on one funding account, proposed as a run with its
 * totals, released by the agent within its pact or by a controller who did not start it, paid
 * by one checked bank file (NACHA for USD ACH, pain.001 for SEPA and SWIFT).
 */
export const paymentRun = defineRunbook<PaymentRunRequest>({
  name: 'payment-run',
  description:
    'Pays the due escrow holds of one funding account: proposes the run, releases it within the agent pact or on a controller approval, writes the bank file.',
  policy: 'statemachines/policies/payment-run.json',
  request: paymentRunRequestSchema,
  startRoles: ['controller', 'platform_admin'],
  intake: async () => (await import('./handlers/receive-run.ts')).receiveRun,
  caseView: paymentRunCaseView,
  approvals: { controller: ['controller'] },
  tasks: {
    ProposeRunFunctionArn: 'PaymentProposeRun',
    DecideReleaseFunctionArn: 'PaymentDecideRelease',
    RequestApprovalFunctionArn: 'PaymentRequestApproval',
    ReadApprovalFunctionArn: 'ReadApproval',
    ReleaseRunFunctionArn: 'PaymentReleaseRun',
    CloseRunFunctionArn: 'PaymentCloseRun',
  },
  functions: [
    {
      id: 'PaymentProposeRun',
      entry: 'lambdas/runbooks/payment-run/handlers/propose-run.ts',
      description: 'Payment run: the due holds of a funding account, checked against the vendor master.',
      tables: { work: 'readWrite', escrow: 'read', reference: 'read' },
      evidence: 'write',
      memoryMb: 1024,
      timeoutSeconds: 300,
    },
    {
      id: 'PaymentDecideRelease',
      entry: 'lambdas/runbooks/payment-run/handlers/decide-release.ts',
      description: "Payment run: release within the agent's pact, or ask a controller.",
      tables: { work: 'readWrite', trust: 'read' },
      evidence: 'write',
    },
    {
      id: 'PaymentRequestApproval',
      entry: 'lambdas/runbooks/payment-run/handlers/request-approval.ts',
      description: 'Payment run: put the run in the work room for a controller.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'PaymentReleaseRun',
      entry: 'lambdas/runbooks/payment-run/handlers/release-run.ts',
      description: 'Payment run: holds into payment, the bank file checked and written to outbound/.',
      approvalLimits: true,
      tables: { work: 'readWrite', escrow: 'readWrite', trust: 'read' },
      evidence: 'write',
      bankFiles: 'write',
      memoryMb: 1024,
      timeoutSeconds: 600,
    },
    {
      id: 'PaymentRunScheduler',
      entry: 'lambdas/runbooks/payment-run/handlers/schedule-runs.ts',
      description:
        'Payment run: each business day, start a run for every funding account the policy pays from.',
      scheduleCron: runbookPolicy.schedule,
      tables: { work: 'readWrite' },
      startsRunbooks: ['payment-run'],
    },
    {
      id: 'PaymentBankInbox',
      entry: 'lambdas/runbooks/payment-run/handlers/bank-inbox.ts',
      description:
        "Bank answers: each new pain.002 under inbound/ posts or voids its payments' holds; each new statement starts a bank reconciliation.",
      scheduleMinutes: 5,
      tables: { work: 'readWrite', escrow: 'readWrite' },
      evidence: 'write',
      bankFiles: 'read',
      recordsFor: ['payment-run'],
      startsRunbooks: ['bank-reconciliation'],
      timeoutSeconds: 300,
    },
    {
      id: 'PaymentCloseRun',
      entry: 'lambdas/runbooks/payment-run/handlers/close-run.ts',
      description: 'Payment run: a run that pays nothing says why.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
  ],
});
