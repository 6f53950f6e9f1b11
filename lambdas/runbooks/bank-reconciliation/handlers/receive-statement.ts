import { assertInboundKey } from '#platform/bank/core/bank-file-keys.ts';
import { TollgateError } from '#platform/core/errors.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { RECONCILIATION_POLICY } from '#runbooks/bank-reconciliation/adapters/reconciliation-policy.ts';
import type { BankReconciliationRequest } from '#runbooks/bank-reconciliation/module.ts';

/**
 * Starting a reconciliation: the key must be a plain path under `inbound/` (anything else is a
 * 400 that starts nothing), and the agent is the policy's, never the requester's choice.
 */
export async function receiveStatement(
  context: IntakeContext<BankReconciliationRequest>,
): Promise<Record<string, unknown>> {
  const { statementKey } = context.body;
  try {
    assertInboundKey(statementKey);
  } catch (error) {
    if (error instanceof TollgateError)
      throw new TollgateError('VALIDATION_FAILED', `statementKey: ${error.message}`, { ...error.details });
    throw error;
  }
  return { request: { statementKey, agentId: RECONCILIATION_POLICY.agentId } };
}
