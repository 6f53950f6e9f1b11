import { canonicalJson } from '#platform/core/canonical-json.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney, type Money } from '#platform/core/money.ts';
import type {
  FundRequest,
  HoldRequest,
  HoldTransitionRequest,
  PostRequest,
  ResolveDisputeRequest,
  StartPaymentRequest,
} from './escrow-ledger.ts';
import type { OperationKind, Refusal } from './hold-transitions.ts';

/** A ledger request with its kind; the pair is what an operationId stands for. */
export type LedgerOperation =
  | { readonly kind: 'fund' | 'withdraw'; readonly request: FundRequest }
  | { readonly kind: 'hold'; readonly request: HoldRequest }
  | { readonly kind: 'post'; readonly request: PostRequest }
  | { readonly kind: 'void' | 'expire' | 'dispute'; readonly request: HoldTransitionRequest }
  | { readonly kind: 'resolveDispute'; readonly request: ResolveDisputeRequest }
  | { readonly kind: 'startPayment'; readonly request: StartPaymentRequest };

/** What is kept under an operationId once the operation committed. */
export interface OperationMarker {
  readonly kind: string;
  readonly fingerprint: string;
  readonly result: unknown;
}

/**
 * The request's identity: everything the caller asked for except the operationId and the clock.
 * Stored in every marker, so the fields and their spelling must not change.
 */
export function fingerprintOf(operation: LedgerOperation): string {
  return sha256Hex(canonicalJson({ kind: operation.kind, request: identity(operation) }));
}

function identity(operation: LedgerOperation): Record<string, unknown> {
  switch (operation.kind) {
    case 'fund':
    case 'withdraw': {
      const { accountId, amount } = operation.request;
      return { accountId, amount: moneyJson(amount) };
    }
    case 'hold': {
      const r = operation.request;
      return {
        holdId: r.holdId,
        accountId: r.accountId,
        payee: r.payee,
        amount: moneyJson(r.amount),
        reason: r.reason,
        expiresAt: r.expiresAt.toISOString(),
        releaseAt: r.releaseAt?.toISOString() ?? null,
        initiatedBy: r.initiatedBy,
        agentId: r.agentId ?? null,
        // Added later: absent from the identity when not set, so earlier markers still match.
        ...(r.source ? { source: r.source } : {}),
      };
    }
    case 'post': {
      const r = operation.request;
      return {
        holdId: r.holdId,
        amount: r.amount ? moneyJson(r.amount) : null,
        releasedBy: r.releasedBy ?? null,
      };
    }
    case 'void':
    case 'dispute':
      return { holdId: operation.request.holdId, reason: operation.request.reason ?? null };
    case 'expire':
      return { holdId: operation.request.holdId };
    case 'startPayment':
      return { holdId: operation.request.holdId, paymentId: operation.request.paymentId };
    case 'resolveDispute': {
      const r = operation.request;
      return { holdId: r.holdId, resolution: r.resolution, amount: r.amount ? moneyJson(r.amount) : null };
    }
  }
}

function moneyJson(value: Money): { amount: string; currency: string } {
  return { amount: formatMoney(value), currency: value.currency };
}

/** Same operationId: the same request gets the first result back; a different request is refused. */
export function replayOf(
  operationId: string,
  marker: OperationMarker,
  kind: OperationKind,
  fingerprint: string,
): Refusal | { readonly ok: true; readonly result: unknown } {
  if (marker.kind !== kind || marker.fingerprint !== fingerprint) {
    return {
      ok: false,
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: `Operation ${operationId} was already used for a different ${marker.kind} request; use a new operationId.`,
    };
  }
  return { ok: true, result: marker.result };
}
