import { TollgateError } from '#platform/core/errors.ts';

/**
 * Where bank files live in the bank-files bucket, and the names Tollgate accepts for them.
 * Invariant: every key Tollgate writes or reads is `<direction>/<yyyy-mm-dd>/<name>` or, for the
 * bank's answers, at least under `inbound/`, with no segment that a file system or a
 * connector could read as a path step (`..`, `.`, empty) — whatever the caller passes.
 */

/** Payment files Tollgate sends (pain.001, NACHA); only Tollgate writes here. */
export const OUTBOUND_PREFIX = 'outbound/';
/** The bank's answers (pain.002, camt.053); in AWS only the bank connector writes here. */
export const INBOUND_PREFIX = 'inbound/';

export type BankFileDirection = typeof OUTBOUND_PREFIX | typeof INBOUND_PREFIX;

const NAME = /^[A-Za-z0-9._-]{1,120}$/;
const DOTS_ONLY = /^\.+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** S3's own limit on key length. */
const MAX_KEY_LENGTH = 1024;

/** BANK_FILE_INVALID with the named rule, as the bank-file builders report it. */
export function bankFileRefused(rule: string, message: string, details: Record<string, unknown> = {}) {
  return new TollgateError('BANK_FILE_INVALID', message, { rule, ...details });
}

/** Whether `name` may be the last segment of a bank-file key. */
export function isBankFileName(name: string): boolean {
  return NAME.test(name) && !DOTS_ONLY.test(name);
}

/** `outbound/2026-12-01/PAY-1.xml`; refuses names outside `[A-Za-z0-9._-]{1,120}` and dates that do not exist. */
export function bankFileKey(direction: BankFileDirection, name: string, date: string): string {
  if (!isBankFileName(name)) {
    throw bankFileRefused(
      'FILE_NAME_INVALID',
      `Bank file name "${name.slice(0, 140)}" is not allowed: use 1 to 120 letters, digits, ".", "_" or "-" (no slashes, not only dots).`,
    );
  }
  if (!isCalendarDate(date)) {
    throw bankFileRefused('FILE_DATE_INVALID', `Bank file date "${date}" is not a calendar date YYYY-MM-DD.`);
  }
  return `${direction}${date}/${name}`;
}

/** Refuses a key outside `inbound/` or with a segment that is not a plain file name. */
export function assertInboundKey(key: string): void {
  if (!key.startsWith(INBOUND_PREFIX)) {
    throw bankFileRefused(
      'KEY_OUTSIDE_INBOUND',
      `Key "${key.slice(0, 200)}" is not under ${INBOUND_PREFIX}: only the bank's answers are read from the bank-files bucket.`,
    );
  }
  const segments = key.slice(INBOUND_PREFIX.length).split('/');
  if (key.length > MAX_KEY_LENGTH || !segments.every(isBankFileName)) {
    throw bankFileRefused(
      'KEY_INVALID',
      `Key "${key.slice(0, 200)}" is not a plain path under ${INBOUND_PREFIX}: each segment is 1 to 120 letters, digits, ".", "_" or "-", and none is "." or "..".`,
    );
  }
}

function isCalendarDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}
