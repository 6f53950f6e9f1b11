import * as z from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';

const amount = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'a positive decimal string such as "49.90" (no sign, no exponent)');
const base = {
  /** The agent asking to move the money: one the policy names for this kind, never any agent. */
  agentId: z.string().min(1).max(64),
  amount,
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
  reason: z.string().trim().min(3, 'why the money is owed').max(1000),
};

/** `POST /runbooks/refund-payout/executions`: a customer refund against an order, or a partner payout under a contract. */
export const refundPayoutRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('refund'),
    ...base,
    customerId: z.string().min(1).max(64),
    orderId: z.string().min(1).max(64),
  }),
  z.strictObject({
    kind: z.literal('payout'),
    ...base,
    partnerId: z.string().min(1).max(64),
    contractId: z.string().min(1).max(64),
  }),
]);
export type RefundPayoutRequest = z.infer<typeof refundPayoutRequestSchema>;

/** What `GET /executions/{id}` shows of a refund or payout. */
export function refundPayoutCaseView(found: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const outcome = found.outcome as { status?: string } | undefined;
  return {
    payment: found.payment ?? null,
    checks: found.checks ?? [],
    decision: found.decision ?? null,
    reasonCodes: found.reasonCodes ?? [],
    requiredRole: found.requiredRole ?? null,
    approval: found.approval ?? null,
    hold: found.hold ?? null,
    outcome: outcome ?? (found.failure ? { status: 'FAILED', ...(found.failure as object) } : null),
  };
}

/**
 * Refunds and payouts: an agent asks to pay a customer back for an order or pay a partner under a
 * contract. Within its pact, daily limit and the payee's history, the money is held with a
 * cooling-off period for a payment run; otherwise a person with the role decides. A refund above
 * what was captured is refused; one to another payment method is never automatic.
 */
export const refundPayout = defineRunbook<RefundPayoutRequest>({
  name: 'refund-payout',
  description:
    "Refunds a customer or pays out a partner on an agent's request: checked against the order or contract, the agent's pact and the payee's history, held with a cooling-off period, paid by a payment run.",
  policy: 'statemachines/policies/refund-payout.json',
  request: refundPayoutRequestSchema,
  startRoles: ['ap_clerk', 'controller', 'platform_admin'],
  intake: async () => (await import('./handlers/receive-request.ts')).receiveRequest,
  caseView: refundPayoutCaseView,
  approvals: { ap_clerk: ['ap_clerk', 'controller'], controller: ['controller'] },
  tasks: {
    AssessFunctionArn: 'RefundPayoutAssess',
    RequestApprovalFunctionArn: 'RefundPayoutRequestApproval',
    ReadApprovalFunctionArn: 'ReadApproval',
    HoldFunctionArn: 'RefundPayoutHold',
    CloseFunctionArn: 'RefundPayoutClose',
  },
  functions: [
    {
      id: 'RefundPayoutAssess',
      entry: 'lambdas/runbooks/refund-payout/handlers/assess.ts',
      description:
        "Refund or payout: the order or contract, the payee's history and the agent's pact, judged by the trust gate.",
      tables: { work: 'readWrite', reference: 'read', trust: 'read', escrow: 'read' },
      evidence: 'write',
    },
    {
      id: 'RefundPayoutRequestApproval',
      entry: 'lambdas/runbooks/refund-payout/handlers/request-approval.ts',
      description:
        'Refund or payout: the case in the work room for a person with the role, amount and currency typed.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'RefundPayoutHold',
      entry: 'lambdas/runbooks/refund-payout/handlers/hold.ts',
      description:
        "Refund or payout: reserved against the order's charges or the contract's balance, then held in escrow with a cooling-off period.",
      // A person's approval is re-checked against their limit where the money moves.
      approvalLimits: true,
      tables: { work: 'readWrite', reference: 'read', trust: 'read', escrow: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'RefundPayoutClose',
      entry: 'lambdas/runbooks/refund-payout/handlers/close.ts',
      description: 'Refund or payout: a payment not made (refused, rejected, undecided or failed) says why.',
      tables: { work: 'readWrite', escrow: 'read' },
      evidence: 'write',
    },
  ],
});
