import * as z from 'zod';
import type { EvidenceActor, EvidenceBusiness } from '#platform/evidence/core/records.ts';

/** The request as the intake fixed it: the payee typed, the reference named, the amount as given. */
export const refundRequest = z.object({
  kind: z.enum(['refund', 'payout']),
  agentId: z.string().min(1),
  /** The customer or partner id in the system of record. */
  payeeId: z.string().min(1),
  /** The escrow payee: `customer:<id>` or `partner:<id>`. */
  payee: z.string().min(1),
  /** The order (refund) or contract (payout) the money is owed under. */
  reference: z.string().min(1),
  amount: z.string(),
  currency: z.string(),
  reason: z.string(),
});
export type RefundTaskRequest = z.infer<typeof refundRequest>;

/** What every refund-payout Task receives besides its own fields. */
export const REFUND_TASK = {
  request: refundRequest,
  requestedBy: z.object({ userId: z.string().min(1), username: z.string(), roles: z.array(z.string()) }),
  submittedAt: z.iso.datetime(),
};

/** The trust gate's verdict as Assess returns it. */
export const gateResult = z.object({
  decision: z.enum(['ALLOW', 'REQUIRE_APPROVAL', 'DENY']),
  requiredRole: z.enum(['ap_clerk', 'controller']).nullable(),
  reasonCodes: z.array(z.string()),
  reasons: z.array(z.object({ code: z.string(), detail: z.string() })),
  payeeName: z.string(),
});
export type GateResult = z.infer<typeof gateResult>;

export function refundAgentActor(agentId: string): EvidenceActor {
  return { kind: 'agent', id: agentId, role: 'refund_payout_agent' };
}

export const REFUND_RULES_ACTOR: EvidenceActor = {
  kind: 'system',
  id: 'tollgate-refund-rules',
  role: 'deterministic_rules',
};

/** The fields auditors filter on. */
export function refundBusiness(
  request: RefundTaskRequest,
  extra: Pick<EvidenceBusiness, 'decision' | 'reasonCodes'> = {},
): EvidenceBusiness {
  return {
    // The payee stands where a vendor would: exports filter refunds and payouts by it.
    vendorId: request.payee,
    invoiceNumber: request.reference,
    amount: request.amount,
    currency: request.currency,
    ...extra,
  };
}

export const holdIdOf = (kind: 'refund' | 'payout', executionId: string) =>
  `${kind === 'refund' ? 'RF' : 'PO'}-${executionId}`;

/** A refund or payout that cannot be made at all: the run closes REFUSED, nothing held. */
export class RefundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefundRefused';
  }
}

/** The agent's room ran out between the gate and the hold (a race with its other runs): a person decides. */
export class AuthorityExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthorityExceeded';
  }
}
