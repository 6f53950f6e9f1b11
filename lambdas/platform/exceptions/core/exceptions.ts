import type { Role } from '#platform/core/roles.ts';

/**
 * An exception is work for a person that no runbook can finish alone: a payment the bank
 * rejected, a statement debit nobody approved, a customer short payment above the write-off
 * threshold. It is opened once per cause (its id is derived from the cause), resolved once.
 */
export type ExceptionStatus = 'OPEN' | 'RESOLVED';

export interface ExceptionInput {
  /** Derived from the cause (e.g. `payment-rejected:<end-to-end id>`), so opening it twice is one exception. */
  readonly exceptionId: string;
  /** What kind of problem, as a code: PAYMENT_REJECTED, UNMATCHED_DEBIT, SHORT_PAYMENT_ABOVE_THRESHOLD… */
  readonly kind: string;
  /** The runbook and execution that found it; evidence of it is under that execution. */
  readonly runbook: string;
  readonly executionId: string;
  /** One sentence a person reads first. */
  readonly summary: string;
  /** The role that must look at it. */
  readonly requiredRole: Role;
  /** Decimal string in `currency`, when money is involved. */
  readonly amount?: string;
  readonly currency?: string;
  /** Ids a person follows: the payment, hold, invoice run, statement entry… (no free text from outside). */
  readonly refs?: Readonly<Record<string, string>>;
  readonly openedAt: string;
}

export interface StoredException extends ExceptionInput {
  readonly status: ExceptionStatus;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  readonly resolution?: string;
}
