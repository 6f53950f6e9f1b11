import type { ErrorCode } from '#platform/core/errors.ts';

/**
 * The reference model of the escrow ledger: plain maps and bigints, no storage. The model-based
 * tests run each random operation against it and against DynamoDB Local and compare.
 */
export type Op =
  | { kind: 'fund' | 'withdraw'; operationId: string; accountId: string; amount: bigint }
  | {
      kind: 'hold';
      operationId: string;
      holdId: string;
      accountId: string;
      amount: bigint;
      expiresAtMs: number;
      byAgent: boolean;
    }
  | { kind: 'post'; operationId: string; holdId: string; amount: bigint | null; byAgent: boolean }
  | { kind: 'void' | 'expire' | 'dispute' | 'startPayment'; operationId: string; holdId: string }
  | {
      kind: 'resolveDispute';
      operationId: string;
      holdId: string;
      resolution: 'post' | 'void';
      amount: bigint | null;
    };

export interface ModelHold {
  readonly holdId: string;
  readonly accountId: string;
  readonly amount: bigint;
  readonly expiresAtMs: number;
  readonly agentId: string | null;
  status: 'HELD' | 'DISPUTED' | 'IN_PAYMENT' | 'POSTED' | 'VOIDED' | 'EXPIRED';
  posted: bigint;
}

export interface ModelAccount {
  funded: bigint;
  posted: bigint;
  held: bigint;
  journalEntries: number;
}

/** What the model says an operation does: succeed (and with what hold state), or fail with one of these codes. */
export type Expected =
  | { ok: true; replay: boolean; hold?: { status: ModelHold['status']; posted: bigint } }
  | { ok: false; codes: readonly ErrorCode[] };

export const AGENT_LIMITS = { perAction: 30_000n, daily: 100_000n };

export class LedgerModel {
  readonly accounts = new Map<string, ModelAccount>();
  readonly holds = new Map<string, ModelHold>();
  /** Operations that committed: their request identity (without the clock). */
  readonly committed = new Map<string, { identity: string; op: Op }>();
  readonly agentDay = new Map<string, bigint>();
  agentOpen = 0n;
  clockMs: number;
  readonly agentId: string;

  constructor(accountIds: readonly string[], agentId: string, startMs: number) {
    for (const id of accountIds)
      this.accounts.set(id, { funded: 0n, posted: 0n, held: 0n, journalEntries: 0 });
    this.agentId = agentId;
    this.clockMs = startMs;
  }

  /** Applies an operation to the model and returns what the real ledger must answer. */
  apply(op: Op): Expected {
    const identity = identityOf(op);
    const previous = this.committed.get(op.operationId);
    if (previous) {
      if (previous.identity !== identity) return { ok: false, codes: ['IDEMPOTENCY_KEY_REUSED'] };
      return { ok: true, replay: true };
    }
    const outcome = this.#evaluate(op);
    if (outcome.ok) {
      this.committed.set(op.operationId, { identity, op });
      const accountId = 'accountId' in op ? op.accountId : this.holds.get(op.holdId)?.accountId;
      if (accountId) (this.accounts.get(accountId) as ModelAccount).journalEntries++;
    }
    return outcome;
  }

  #dayKey(): string {
    return new Date(this.clockMs).toISOString().slice(0, 10);
  }

  #agentRoom(amount: bigint): ErrorCode | undefined {
    if (amount > AGENT_LIMITS.perAction) return 'AGENT_LIMIT_EXCEEDED';
    const used = this.agentDay.get(this.#dayKey()) ?? 0n;
    return used + amount > AGENT_LIMITS.daily ? 'AGENT_LIMIT_EXCEEDED' : undefined;
  }

  #evaluate(op: Op): Expected {
    const now = this.clockMs;
    switch (op.kind) {
      case 'fund': {
        const account = this.accounts.get(op.accountId) as ModelAccount;
        account.funded += op.amount;
        return { ok: true, replay: false };
      }
      case 'withdraw': {
        const account = this.accounts.get(op.accountId) as ModelAccount;
        if (available(account) < op.amount) return { ok: false, codes: ['INSUFFICIENT_FUNDS'] };
        account.funded -= op.amount;
        return { ok: true, replay: false };
      }
      case 'hold': {
        const account = this.accounts.get(op.accountId) as ModelAccount;
        if (op.expiresAtMs <= now) return { ok: false, codes: ['VALIDATION_FAILED'] };
        if (op.byAgent) {
          const refused = this.#agentRoom(op.amount);
          if (refused) return { ok: false, codes: [refused] };
        }
        if (available(account) < op.amount) {
          // With both conditions false DynamoDB may name either item first.
          const used = this.agentDay.get(this.#dayKey()) ?? 0n;
          return {
            ok: false,
            codes: [
              'INSUFFICIENT_FUNDS',
              ...(op.byAgent && used + op.amount > AGENT_LIMITS.daily
                ? ['AGENT_LIMIT_EXCEEDED' as const]
                : []),
            ],
          };
        }
        account.held += op.amount;
        if (op.byAgent) {
          this.agentDay.set(this.#dayKey(), (this.agentDay.get(this.#dayKey()) ?? 0n) + op.amount);
          this.agentOpen += op.amount;
        }
        this.holds.set(op.holdId, {
          holdId: op.holdId,
          accountId: op.accountId,
          amount: op.amount,
          expiresAtMs: op.expiresAtMs,
          agentId: op.byAgent ? this.agentId : null,
          status: 'HELD',
          posted: 0n,
        });
        return { ok: true, replay: false, hold: { status: 'HELD', posted: 0n } };
      }
      case 'post': {
        const hold = this.holds.get(op.holdId) as ModelHold;
        // In payment, the bank's answer posts it whatever the expiry; held, only before it.
        const postable = hold.status === 'IN_PAYMENT' || (hold.status === 'HELD' && now < hold.expiresAtMs);
        if (!postable) return { ok: false, codes: ['HOLD_NOT_OPEN'] };
        const amount = op.amount ?? hold.amount;
        if (op.byAgent) {
          const refused = this.#agentRoom(amount);
          if (refused) return { ok: false, codes: [refused] };
          this.agentDay.set(this.#dayKey(), (this.agentDay.get(this.#dayKey()) ?? 0n) + amount);
        }
        return this.#close(hold, 'POSTED', amount);
      }
      case 'void': {
        const hold = this.holds.get(op.holdId) as ModelHold;
        if (hold.status !== 'HELD' && hold.status !== 'IN_PAYMENT')
          return { ok: false, codes: ['HOLD_NOT_OPEN'] };
        return this.#close(hold, 'VOIDED', 0n);
      }
      case 'startPayment': {
        const hold = this.holds.get(op.holdId) as ModelHold;
        if (hold.status !== 'HELD' || now >= hold.expiresAtMs) return { ok: false, codes: ['HOLD_NOT_OPEN'] };
        hold.status = 'IN_PAYMENT';
        return { ok: true, replay: false, hold: { status: 'IN_PAYMENT', posted: 0n } };
      }
      case 'expire': {
        const hold = this.holds.get(op.holdId) as ModelHold;
        if (hold.status !== 'HELD' || now < hold.expiresAtMs) return { ok: false, codes: ['HOLD_NOT_OPEN'] };
        return this.#close(hold, 'EXPIRED', 0n);
      }
      case 'dispute': {
        const hold = this.holds.get(op.holdId) as ModelHold;
        if (hold.status !== 'HELD' || now >= hold.expiresAtMs) return { ok: false, codes: ['HOLD_NOT_OPEN'] };
        hold.status = 'DISPUTED';
        return { ok: true, replay: false, hold: { status: 'DISPUTED', posted: 0n } };
      }
      case 'resolveDispute': {
        const hold = this.holds.get(op.holdId) as ModelHold;
        if (hold.status !== 'DISPUTED') return { ok: false, codes: ['HOLD_NOT_OPEN'] };
        return op.resolution === 'post'
          ? this.#close(hold, 'POSTED', op.amount ?? hold.amount)
          : this.#close(hold, 'VOIDED', 0n);
      }
    }
  }

  #close(hold: ModelHold, status: 'POSTED' | 'VOIDED' | 'EXPIRED', posted: bigint): Expected {
    const account = this.accounts.get(hold.accountId) as ModelAccount;
    account.held -= hold.amount;
    account.posted += posted;
    if (hold.agentId) this.agentOpen -= hold.amount;
    hold.status = status;
    hold.posted = posted;
    return { ok: true, replay: false, hold: { status, posted } };
  }
}

export function available(account: ModelAccount): bigint {
  return account.funded - account.posted - account.held;
}

/** An operation's identity for idempotency: everything but the operation id. */
export function identityOf(op: Op): string {
  const { operationId: _ignored, ...rest } = op;
  return JSON.stringify(rest, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}
