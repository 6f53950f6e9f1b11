/**
 * How large a request body the API takes, in one place for the local gateway and for AWS (the
 * WAF rule in front of API Gateway). Routes that carry documents take up to
 * MAX_DOCUMENT_BODY_BYTES — under Lambda's 6 MB synchronous payload with room for the event
 * around the body; every other route takes up to MAX_BODY_BYTES, the most of a body the WAF can
 * inspect. Past either, the answer is 413 PAYLOAD_TOO_LARGE with the same message.
 */
export const MAX_DOCUMENT_BODY_BYTES = 5_000_000;
export const MAX_BODY_BYTES = 64 * 1024;

/** Paths (after the stage) whose bodies carry documents: the invoice runbook's start route. */
export const DOCUMENT_BODY_PATHS: readonly string[] = ['/runbooks/invoice-reconciliation/executions'];

export function bodyLimitFor(path: string): number {
  return DOCUMENT_BODY_PATHS.includes(path) ? MAX_DOCUMENT_BODY_BYTES : MAX_BODY_BYTES;
}

export const PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE';

export function payloadTooLargeMessage(limit: number): string {
  return `The request body is over ${limit} bytes; a larger document goes through an upload, not the API body.`;
}

/**
 * A regular expression matching exactly the decimal numbers greater than `limit` (no leading
 * zeros): WAF compares header values as text, so "Content-Length > limit" is written as a pattern.
 */
export function greaterThanPattern(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`${limit} is not a whole number of bytes.`);
  const digits = String(limit);
  const alternatives: string[] = [];
  // Same length: equal up to position i, then a larger digit, then anything.
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    if (digit === 9) continue;
    const rest = digits.length - i - 1;
    alternatives.push(`${digits.slice(0, i)}[${digit + 1}-9]${rest > 0 ? `\\d{${rest}}` : ''}`);
  }
  // Longer: any number with more digits and no leading zero.
  alternatives.push(`[1-9]\\d{${digits.length},}`);
  return `^(${alternatives.join('|')})$`;
}
