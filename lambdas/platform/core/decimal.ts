/**
 * Exact decimal arithmetic for quantities, unit prices and tolerances, which may carry more
 * decimals than a currency's minor unit ("0.125" per unit, "0.01" in yen). Values are
 * fractions whose denominator is a power of ten; nothing is rounded.
 */
export interface Decimal {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export function decimal(text: string | number): Decimal {
  const value = typeof text === 'number' ? (Number.isInteger(text) ? String(text) : '') : text.trim();
  const match = DECIMAL.exec(value);
  if (!match) throw new TypeError(`"${String(text)}" is not a decimal number.`);
  const fraction = match[3] ?? '';
  const magnitude = BigInt(`${match[2]}${fraction}`);
  return { numerator: match[1] ? -magnitude : magnitude, denominator: 10n ** BigInt(fraction.length) };
}

const common = (a: Decimal, b: Decimal): [bigint, bigint, bigint] => {
  const denominator = a.denominator > b.denominator ? a.denominator : b.denominator;
  return [
    a.numerator * (denominator / a.denominator),
    b.numerator * (denominator / b.denominator),
    denominator,
  ];
};

export function plus(a: Decimal, b: Decimal): Decimal {
  const [x, y, denominator] = common(a, b);
  return { numerator: x + y, denominator };
}

export function minus(a: Decimal, b: Decimal): Decimal {
  const [x, y, denominator] = common(a, b);
  return { numerator: x - y, denominator };
}

export function times(a: Decimal, b: Decimal): Decimal {
  return { numerator: a.numerator * b.numerator, denominator: a.denominator * b.denominator };
}

export function absolute(a: Decimal): Decimal {
  return a.numerator < 0n ? { numerator: -a.numerator, denominator: a.denominator } : a;
}

export function compareDecimal(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = common(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function larger(a: Decimal, b: Decimal): Decimal {
  return compareDecimal(a, b) >= 0 ? a : b;
}

/** `percent` per cent of `value` ("2.0" → 2%). */
export function percentOfDecimal(value: Decimal, percent: Decimal): Decimal {
  return times(value, { numerator: percent.numerator, denominator: percent.denominator * 100n });
}

export function sumDecimals(values: readonly Decimal[]): Decimal {
  return values.reduce(plus, { numerator: 0n, denominator: 1n });
}

/** The exact decimal text, trailing zeros kept to `minDecimals`. */
export function showDecimal(value: Decimal, minDecimals = 0): string {
  const scale = value.denominator.toString().length - 1;
  const negative = value.numerator < 0n;
  const digits = (negative ? -value.numerator : value.numerator).toString().padStart(scale + 1, '0');
  let whole = scale === 0 ? digits : digits.slice(0, -scale);
  let fraction = scale === 0 ? '' : digits.slice(-scale);
  fraction = fraction.replace(/0+$/, '').padEnd(minDecimals, '0');
  whole ||= '0';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
