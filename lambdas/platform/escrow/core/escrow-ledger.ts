import type { Money } from '#platform/core/money.ts';

/**
 * The escrow ledger port, after TigerBeetle's two-phase transfers: a hold reserves money for a
 * payee (pending); it leaves the open states exactly once, by post (full or partial), void or
 * expire. Every operation carries a client-chosen `operationId`: the same id with the same
 * request returns the first result and changes nothing; with a different request it is refused.
 *
 * Invariants (per account): available = funded − posted − held ≥ 0; held = Σ open holds.
 *
 * Paying is two-phase: `startPayment` moves a HELD hold to IN_PAYMENT when its payment goes into a
 * bank file — still reserved, no longer expirable or disputable — and the bank's answer then posts
 * it (executed) or voids it back to available (rejected).
 */
export const OPEN_HOLD_STATES = ['HELD', 'DISPUTED', 'IN_PAYMENT'] as const;
export const FINAL_HOLD_STATES = ['POSTED', 'VOIDED', 'EXPIRED'] as const;
export type HoldStatus = (typeof OPEN_HOLD_STATES)[number] | (typeof FINAL_HOLD_STATES)[number];

export interface Initiator {
  readonly kind: 'agent' | 'person';
  readonly id: string;
  readonly role?: string;
}

/** What a hold pays for: the run and the document that justified it. */
export interface HoldSource {
  readonly runbook: string;
  readonly executionId: string;
  /** The document's own number, e.g. the invoice number. */
  readonly document: string;
}

export interface HoldView {
  readonly holdId: string;
  readonly accountId: string;
  readonly payee: string;
  readonly amount: Money;
  /** What was released to the payee; zero until posted. */
  readonly postedAmount: Money;
  readonly status: HoldStatus;
  readonly reason: string;
  readonly expiresAt: string;
  readonly releaseAt: string | null;
  readonly initiatedBy: Initiator;
  readonly agentId: string | null;
  readonly createdAt: string;
  /** When it left the open states; null while open. */
  readonly closedAt: string | null;
  readonly disputedAt: string | null;
  /** null for holds placed without one. */
  readonly source: HoldSource | null;
  /** The payment (end-to-end id) it went out in; set when it moved to IN_PAYMENT. */
  readonly paymentId: string | null;
}

export interface AccountView {
  readonly accountId: string;
  readonly currency: string;
  readonly funded: Money;
  readonly posted: Money;
  readonly held: Money;
  readonly available: Money;
  readonly openHolds: number;
}

export interface OperationResult<T> {
  readonly replayed: boolean;
  readonly result: T;
}

/** What a fund or withdraw did; the account's balances are read with getAccount. */
export interface FundingView {
  readonly accountId: string;
  readonly kind: 'fund' | 'withdraw';
  readonly amount: Money;
  readonly at: string;
}

interface Operation {
  readonly operationId: string;
  /** The ledger's clock for this operation; expiry is judged against it in the write condition. Not part of the request's identity. */
  readonly at?: Date;
}

export interface FundRequest extends Operation {
  readonly accountId: string;
  readonly amount: Money;
}

export interface HoldRequest extends Operation {
  readonly holdId: string;
  readonly accountId: string;
  readonly payee: string;
  readonly amount: Money;
  readonly reason: string;
  readonly expiresAt: Date;
  readonly releaseAt?: Date;
  readonly initiatedBy: Initiator;
  /** The agent whose daily and per-action limits this hold counts against. */
  readonly agentId?: string;
  readonly source?: HoldSource;
}

export interface StartPaymentRequest extends Operation {
  readonly holdId: string;
  /** The payment's end-to-end id in the bank file. */
  readonly paymentId: string;
}

export interface PostRequest extends Operation {
  readonly holdId: string;
  /** Omitted = the whole hold; less releases the rest back to available. */
  readonly amount?: Money;
  /** An agent releasing on its own counts the post against its daily limit. */
  readonly releasedBy?: Initiator;
}

export interface HoldTransitionRequest extends Operation {
  readonly holdId: string;
  readonly reason?: string;
}

export interface ResolveDisputeRequest extends Operation {
  readonly holdId: string;
  readonly resolution: 'post' | 'void';
  readonly amount?: Money;
}

export interface AgentExposure {
  readonly agentId: string;
  /** Σ of the agent's open holds, per currency. */
  readonly open: readonly Money[];
  readonly openHolds: number;
}

export interface AgentUsage {
  readonly agentId: string;
  readonly day: string;
  /** Holds plus posts the agent initiated that day, per currency. */
  readonly used: readonly Money[];
}

export interface EscrowLedger {
  ensureAccount(accountId: string, currency: string): Promise<AccountView>;
  fund(request: FundRequest): Promise<OperationResult<FundingView>>;
  withdraw(request: FundRequest): Promise<OperationResult<FundingView>>;
  hold(request: HoldRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  post(request: PostRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  void(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  expire(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  dispute(request: HoldTransitionRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  startPayment(request: StartPaymentRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  resolveDispute(request: ResolveDisputeRequest): Promise<{ hold: HoldView; replayed: boolean }>;
  getAccount(accountId: string): Promise<AccountView | undefined>;
  getHold(holdId: string): Promise<HoldView | undefined>;
  /** HELD holds on the account whose release date is at or before `at`, oldest release first, at most `limit`. */
  payableHolds(accountId: string, at: Date, limit: number): Promise<HoldView[]>;
  openExposure(agentId: string): Promise<AgentExposure>;
  usageOn(agentId: string, day: string): Promise<AgentUsage>;
}

/** Limits an agent agreed to for moving money; the ledger enforces them inside the hold's transaction. */
export interface AgentMoneyLimits {
  readonly perActionLimit: Money;
  readonly dailyLimit: Money;
}

export interface AgentLimitSource {
  /** undefined = the agent has no pact for the action, so it may not move money at all. */
  limitsFor(agentId: string, action: 'payment.hold' | 'payment.post'): Promise<AgentMoneyLimits | undefined>;
}

export function isOpen(status: HoldStatus): boolean {
  return (OPEN_HOLD_STATES as readonly string[]).includes(status);
}

/** The UTC calendar day an agent's daily limit counts in. */
export function ledgerDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
