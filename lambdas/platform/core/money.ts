import { TollgateError } from './errors.ts';

/**
 * Money is exact: integer minor units (bigint) inside, decimal strings at the edges.
 * No binary float ever holds an amount.
 */
export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

/** ISO 4217 minor-unit exponents that differ from 2; every other well-formed code uses 2. */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  UGX: 0,
  XAF: 0,
  XOF: 0,
  PYG: 0,
  HUF: 2,
  BHD: 3,
  JOD: 3,
  KWD: 3,
  OMR: 3,
  TND: 3,
  LYD: 3,
  IQD: 3,
};

const CURRENCY = /^[A-Z]{3}$/;
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export function currencyExponent(currency: string): number {
  if (!CURRENCY.test(currency)) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `"${currency}" is not an ISO 4217 currency code (three capital letters, e.g. USD).`,
    );
  }
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

/** Parses "1234.50" in a currency; refuses more decimals than the currency has, rather than rounding. */
export function money(amount: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  const match = DECIMAL.exec(typeof amount === 'string' ? amount.trim() : '');
  if (!match) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `"${String(amount)}" is not a decimal amount; write money as a string like "1234.50".`,
    );
  }
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `${amount} has more decimals than ${currency} allows (${exponent}).`,
    );
  }
  const digits = `${whole}${fraction.slice(0, exponent).padEnd(exponent, '0')}`;
  const minor = BigInt(digits);
  return { minor: sign ? -minor : minor, currency };
}

export function fromMinor(minor: bigint, currency: string): Money {
  currencyExponent(currency);
  return { minor, currency };
}

export function zero(currency: string): Money {
  return fromMinor(0n, currency);
}

/** "1234.50" — the decimal string form used at every edge. */
export function formatMoney(value: Money): string {
  const exponent = currencyExponent(value.currency);
  const negative = value.minor < 0n;
  const digits = (negative ? -value.minor : value.minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `Cannot combine ${a.currency} with ${b.currency}; convert first.`,
    );
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor - b.minor, currency: a.currency };
}

export function sum(values: readonly Money[], currency: string): Money {
  return values.reduce((total, value) => add(total, value), zero(currency));
}

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

export function abs(value: Money): Money {
  return value.minor < 0n ? { minor: -value.minor, currency: value.currency } : value;
}

export function max(a: Money, b: Money): Money {
  return compare(a, b) >= 0 ? a : b;
}

/** Rounds a rational numerator/denominator to the nearest integer, ties to even (banker's rounding). */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

/** A non-negative decimal quantity such as "3" or "2.5", as an exact fraction. */
export function parseQuantity(quantity: string | number): { numerator: bigint; denominator: bigint } {
  const text =
    typeof quantity === 'number' ? (Number.isInteger(quantity) ? String(quantity) : '') : quantity.trim();
  const match = DECIMAL.exec(text);
  if (!match || match[1]) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `"${String(quantity)}" is not a quantity; use a non-negative decimal like "3" or "2.5".`,
    );
  }
  const fraction = match[3] ?? '';
  return { numerator: BigInt(`${match[2]}${fraction}`), denominator: 10n ** BigInt(fraction.length) };
}

/** Unit price × quantity, rounded half-even to the currency's minor unit. */
export function multiply(unitPrice: Money, quantity: string | number): Money {
  const { numerator, denominator } = parseQuantity(quantity);
  return { minor: divideHalfEven(unitPrice.minor * numerator, denominator), currency: unitPrice.currency };
}

/** `basisPoints` of a value (200 = 2%), rounded half-even to the minor unit. */
export function percentOf(value: Money, basisPoints: bigint): Money {
  return { minor: divideHalfEven(value.minor * basisPoints, 10_000n), currency: value.currency };
}
