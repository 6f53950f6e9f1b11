import { approvalTimeoutSeconds } from '#platform/approvals/adapters/approval-timeout.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import type { PaymentRunRequest } from '#runbooks/payment-run/module.ts';

/** How long a controller has by default to release a run before it closes unreleased. */
export const RUN_APPROVAL_TIMEOUT_SECONDS = 24 * 3600;

/**
 * Starting a payment run: the funding account must have an originator in the policy (else no
 * bank file could ever be written, so nothing starts), the run's date defaults to the day it was
 * asked for, and the agent is the policy's, never the requester's choice.
 */
export async function receiveRun(
  context: IntakeContext<PaymentRunRequest>,
): Promise<Record<string, unknown>> {
  const { accountId } = context.body;
  if (!PAYMENT_RUN_POLICY.originators[accountId]) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `accountId: no originator for funding account ${accountId} in the payment-run policy; accounts that can pay: ${Object.keys(PAYMENT_RUN_POLICY.originators).join(', ')}.`,
    );
  }
  return {
    request: {
      accountId,
      asOf: context.body.asOf ?? ledgerDay(new Date(context.submittedAt)),
      agentId: PAYMENT_RUN_POLICY.agentId,
    },
    approvalTimeoutSeconds: approvalTimeoutSeconds(RUN_APPROVAL_TIMEOUT_SECONDS),
  };
}
