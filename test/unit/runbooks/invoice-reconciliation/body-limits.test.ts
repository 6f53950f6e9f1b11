import { describe, expect, it } from 'vitest';
import {
  bodyLimitFor,
  greaterThanPattern,
  MAX_BODY_BYTES,
  MAX_DOCUMENT_BODY_BYTES,
} from '#platform/documents/core/body-limits.ts';

describe('request body limits', () => {
  it('gives the invoice route the document limit and every other route the inspection limit', () => {
    expect(bodyLimitFor('/runbooks/invoice-reconciliation/executions')).toBe(MAX_DOCUMENT_BODY_BYTES);
    expect(bodyLimitFor('/runbooks/payment-run/executions')).toBe(MAX_BODY_BYTES);
    expect(bodyLimitFor('/runbooks/invoice-reconciliation/executions/x')).toBe(MAX_BODY_BYTES);
    // Under Lambda's 6 MB synchronous payload, with room for the event around the body.
    expect(MAX_DOCUMENT_BODY_BYTES).toBeLessThan(6 * 1024 * 1024 - 256 * 1024);
  });

  it.each([0, 7, 9, 10, 99, 65_536, 4_999_999, MAX_DOCUMENT_BODY_BYTES, 9_999_999])(
    'writes "greater than %i" as a pattern that matches exactly the larger numbers',
    (limit) => {
      const pattern = new RegExp(greaterThanPattern(limit));
      const probes = [0, 1, limit - 1, limit, limit + 1, limit + 9, limit * 10, limit * 10 + 1, 10 ** 12]
        .filter((n) => n >= 0)
        .concat(Array.from({ length: 200 }, (_, i) => Math.floor(((i + 1) * (limit + 1) * 3) / 200)));
      for (const n of probes) expect(pattern.test(String(n)), `${n} > ${limit}`).toBe(n > limit);
      // Header values are text: leading zeros, signs and blanks never count as larger.
      expect(pattern.test(`0${limit + 1}`)).toBe(false);
      expect(pattern.test('')).toBe(false);
      expect(pattern.test(`+${limit + 1}`)).toBe(false);
    },
  );
});
