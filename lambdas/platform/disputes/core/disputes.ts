import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney } from '#platform/core/money.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';

/**
 * A dispute freezes a HELD hold (it can be neither paid nor expire) until a person other than the
 * one who filed it posts or voids it. A hold leaves DISPUTED only for a final state, so it is
 * disputed at most once: the dispute's id is derived from the hold's, and a retry or a
 * double-click finds the same dispute.
 */
export type DisputeStatus = 'OPEN' | 'RESOLVED';
export type DisputeResolution = 'post' | 'void';

export interface Dispute {
  readonly disputeId: string;
  readonly holdId: string;
  readonly status: DisputeStatus;
  readonly filedBy: string;
  readonly filedRole: string;
  readonly reason: string;
  readonly filedAt: string;
  /** The agent whose hold it is (null for a hold a person placed): the outcome is theirs. */
  readonly agentId: string | null;
  readonly amount: string;
  readonly currency: string;
  readonly payee: string;
  readonly runbook: string | null;
  readonly executionId: string | null;
  readonly resolution?: DisputeResolution;
  readonly resolvedBy?: string;
  readonly resolvedRole?: string;
  readonly resolutionReason?: string;
  readonly resolvedAt?: string;
  /** Seconds from filing to resolution, the dashboard's dispute-resolution-time metric. */
  readonly resolutionSeconds?: number;
}

export function disputeIdFor(holdId: string): string {
  return `DSP-${sha256Hex(`dispute:${holdId}`).slice(0, 20)}`;
}

/** The ledger operation ids, fixed per dispute so a retry replays and never moves the hold twice. */
export const disputeOperations = {
  file: (disputeId: string) => `${disputeId}:file`,
  resolve: (disputeId: string) => `${disputeId}:resolve`,
};

/** Why a person may not resolve this dispute, or undefined if they may. */
export function resolutionRefusal(dispute: Dispute, username: string): string | undefined {
  if (dispute.filedBy === username)
    return `You filed dispute ${dispute.disputeId}; a different person resolves it.`;
  return undefined;
}

export function newDispute(
  hold: HoldView,
  filing: { filedBy: string; filedRole: string; reason: string; at: Date },
): Dispute {
  return {
    disputeId: disputeIdFor(hold.holdId),
    holdId: hold.holdId,
    status: 'OPEN',
    filedBy: filing.filedBy,
    filedRole: filing.filedRole,
    reason: filing.reason,
    filedAt: filing.at.toISOString(),
    agentId: hold.agentId,
    amount: formatMoney(hold.amount),
    currency: hold.amount.currency,
    payee: hold.payee,
    runbook: hold.source?.runbook ?? null,
    executionId: hold.source?.executionId ?? null,
  };
}

export function resolutionSeconds(dispute: Dispute, at: Date): number {
  return Math.max(0, Math.round((at.getTime() - Date.parse(dispute.filedAt)) / 1000));
}

/** The evidence stream of one dispute, and the version its records carry (the rules above). */
export const DISPUTES_RUNBOOK = 'disputes';
export const DISPUTE_RULES_VERSION = sha256Hex(
  'disputes/v1: controller files on a HELD hold; a different person posts or voids; one dispute per hold',
);
