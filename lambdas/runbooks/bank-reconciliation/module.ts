import * as z from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';

/** `POST /runbooks/bank-reconciliation/executions`: which statement the bank delivered. */
export const bankReconciliationRequestSchema = z.strictObject({
  /** A camt.053 or camt.054 file under `inbound/` of the bank-files bucket, e.g. `inbound/2026-12-01/STMT-1.xml`. */
  statementKey: z
    .string()
    .min(9)
    .max(1024)
    .regex(/^inbound\//, 'a key under inbound/, such as inbound/2026-12-01/STMT-1.xml'),
});
export type BankReconciliationRequest = z.infer<typeof bankReconciliationRequestSchema>;

/** What `GET /executions/{id}` shows of a reconciliation: per currency, matched, written off, exceptions. */
export function bankReconciliationCaseView(
  found: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const reconciliation = found.reconciliation as
    | { outcome?: string; totals?: unknown; refusal?: unknown; exceptionsOpened?: number }
    | undefined;
  return {
    outcome: reconciliation?.outcome ?? (found.failure ? 'FAILED' : null),
    statement: reconciliation
      ? {
          key: (reconciliation as { statementKey?: string }).statementKey ?? null,
          statementId: (reconciliation as { statementId?: string | null }).statementId ?? null,
          accountId: (reconciliation as { accountId?: string | null }).accountId ?? null,
          entries: (reconciliation as { entries?: number }).entries ?? 0,
        }
      : null,
    totals: reconciliation?.totals ?? [],
    exceptionsOpened: reconciliation?.exceptionsOpened ?? 0,
    refusal: reconciliation?.refusal ?? null,
    failure: found.failure ?? null,
  };
}

/**
 * Bank-statement reconciliation: a camt.053/054 statement's debits matched to the payments
 * Tollgate sent, its credits to open receivables; small short payments written off by the agent
 * within its pact; everything else an exception for a controller.
 */
export const bankReconciliation = defineRunbook<BankReconciliationRequest>({
  name: 'bank-reconciliation',
  description:
    'Reconciles a bank statement: debits to sent payments, credits to open receivables, small short payments written off within the agent pact, the rest to a controller.',
  policy: 'statemachines/policies/bank-reconciliation.json',
  request: bankReconciliationRequestSchema,
  startRoles: ['controller', 'platform_admin'],
  intake: async () => (await import('./handlers/receive-statement.ts')).receiveStatement,
  caseView: bankReconciliationCaseView,
  approvals: {},
  tasks: {
    ReconcileStatementFunctionArn: 'BankReconcileStatement',
    RecordFailureFunctionArn: 'BankReconciliationRecordFailure',
  },
  functions: [
    {
      id: 'BankReconcileStatement',
      entry: 'lambdas/runbooks/bank-reconciliation/handlers/reconcile-statement.ts',
      description:
        'Bank reconciliation: statement read and matched; payments reconciled, receivables settled or written off, exceptions opened.',
      tables: { work: 'readWrite', reference: 'readWrite', trust: 'read' },
      evidence: 'write',
      bankFiles: 'read',
      memoryMb: 1024,
      timeoutSeconds: 600,
    },
    {
      id: 'BankReconciliationRecordFailure',
      entry: 'lambdas/runbooks/bank-reconciliation/handlers/record-failure.ts',
      description: 'Bank reconciliation: a failed step recorded before the run fails.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
  ],
});
