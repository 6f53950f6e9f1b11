/**
 * What never reaches a log line in clear: credentials (authorization headers, bearer tokens,
 * JWTs, cookies), Step Functions task tokens (whoever holds one can decide an approval), and
 * bank account numbers (masked to their last four digits). Applied to every log record by
 * the logger, so a handler cannot forget it.
 */
export const REDACTED = '[REDACTED]';

/** Keys whose whole value is a secret, compared without case, dashes or underscores. */
export const SECRET_KEYS: readonly string[] = [
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'tasktoken',
  'token',
  'accesstoken',
  'idtoken',
  'refreshtoken',
  'password',
  'clientsecret',
  'secret',
];

/** Keys whose value is an account number, kept as its last four digits. */
export const ACCOUNT_KEYS: readonly string[] = [
  'accountnumber',
  'bankaccount',
  'bankaccountnumber',
  'iban',
  'routingandaccount',
  'payeeaccount',
];

/** Correlation ids stay exactly as written, so a SIEM can join on them. */
const CORRELATION_KEYS = new Set([
  'executionid',
  'requestid',
  'runbookversion',
  'functionrequestid',
  'xraytraceid',
  'correlationid',
]);

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** Step Functions task tokens are long base64 strings beginning with `AQ`. */
const TASK_TOKEN = /\bAQ[A-Za-z0-9+/=_-]{80,}/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
/** A run of 8 to 17 digits standing alone (not part of an amount, a date or an id). */
const ACCOUNT_DIGITS = /(?<![\w.:/-])\d{8,17}(?![\w.:/-]|\.\d)/g;

const MAX_DEPTH = 12;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** `123456789012` → `********9012`; `GB29 NWBK 6016 1331 9268 19` → `****6819`. */
export function maskAccountNumber(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= 4) return '****';
  return `${'*'.repeat(Math.min(digits.length - 4, 12))}${digits.slice(-4)}`;
}

/** Redacts secrets and masks account numbers inside free text. */
export function redactText(text: string): string {
  return text
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(TASK_TOKEN, REDACTED)
    .replace(IBAN, (match) => maskAccountNumber(match))
    .replace(ACCOUNT_DIGITS, (match) => maskAccountNumber(match));
}

/** A copy of `value` with every secret redacted and every account number masked. */
export function redactLogValue(value: unknown, key = '', depth = 0): unknown {
  const name = normalise(key);
  if (value === null || value === undefined) return value;
  if (SECRET_KEYS.includes(name)) return REDACTED;
  if (ACCOUNT_KEYS.includes(name)) return maskAccountNumber(String(value));
  if (CORRELATION_KEYS.has(name)) return value;
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactLogValue(item, '', depth + 1));
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
    };
  }
  const result: Record<string, unknown> = {};
  for (const [childKey, child] of Object.entries(value)) {
    result[childKey] = redactLogValue(child, childKey, depth + 1);
  }
  return result;
}
