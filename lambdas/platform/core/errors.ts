/**
 * Errors a user or an operator can meet. Each carries a code from a fixed vocabulary and a
 * sentence that says what to do; handlers map codes to outcomes, core code never knows HTTP.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNKNOWN_RUNBOOK',
  'NOT_FOUND',
  'IDEMPOTENCY_KEY_REQUIRED',
  'IDEMPOTENCY_KEY_REUSED',
  'CONFLICT',
  'INSUFFICIENT_FUNDS',
  'AGENT_LIMIT_EXCEEDED',
  'HOLD_NOT_OPEN',
  'OVER_APPROVAL_LIMIT',
  'APPROVAL_AMOUNT_MISSING',
  'CURRENCY_NOT_PAYABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'BANK_FILE_INVALID',
  'EINVOICE_INVALID',
  'EINVOICE_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_AGENT',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class TollgateError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'TollgateError';
    this.code = code;
    this.details = details;
  }
}

/** A store call that may succeed when retried (throttling, transaction conflicts); runbooks retry it by name. */
export class TransientStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientStoreError';
  }
}
