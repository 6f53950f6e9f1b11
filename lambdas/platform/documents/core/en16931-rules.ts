import {
  absolute,
  compareDecimal,
  type Decimal,
  minus,
  plus,
  showDecimal,
  sumDecimals,
  times,
} from '#platform/core/decimal.ts';
import type { EInvoice, EInvoiceAllowanceCharge } from './e-invoice.ts';
import { decimalOf } from './e-invoice-fields.ts';

/**
 * The arithmetic rules of EN 16931 on an e-invoice's own figures, exactly (no binary floats).
 * Each broken rule is named as the standard names it (BR-CO-10 … BR-CO-17, the per-category
 * taxable-amount rules such as BR-S-08), with the figures that break it.
 */
export interface EInvoiceRuleBreak {
  readonly rule: string;
  readonly detail: string;
}

const ZERO: Decimal = { numerator: 0n, denominator: 1n };
/** BR-CO-17's tolerance in the standard's validation artefacts: one unit of the currency (whole forints are legal). */
const ONE: Decimal = { numerator: 1n, denominator: 1n };
const show = (value: Decimal) => showDecimal(value, 2);
const orZero = (text: string | null) => (text === null ? ZERO : decimalOf(text));
const equal = (a: Decimal, b: Decimal) => compareDecimal(a, b) === 0;

/** Half away from zero to two decimals, as BR-CO-17 and the VAT amounts are rounded. */
function roundCents(value: Decimal): Decimal {
  const scaled = value.numerator * 100n;
  const quotient = scaled / value.denominator;
  const remainder = scaled % value.denominator;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  const away = twice >= value.denominator ? (scaled < 0n ? -1n : 1n) : 0n;
  return { numerator: quotient + away, denominator: 100n };
}

/** The rule id of a VAT category's taxable-amount rule (EN 16931 names K, L, M as IC, IG, IP). */
const CATEGORY_RULE: Readonly<Record<string, string>> = {
  S: 'BR-S-08',
  Z: 'BR-Z-08',
  E: 'BR-E-08',
  AE: 'BR-AE-08',
  K: 'BR-IC-08',
  G: 'BR-G-08',
  O: 'BR-O-08',
  L: 'BR-IG-08',
  M: 'BR-IP-08',
};

/** Two rates are the same category rate when they are equal numbers ("25" and "25.00"); no rate is its own. */
function sameRate(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  try {
    return equal(decimalOf(a), decimalOf(b));
  } catch {
    return a === b;
  }
}

function sumOf(items: readonly { amount: string }[]): Decimal {
  return sumDecimals(items.map((item) => decimalOf(item.amount)));
}

function documentTotal(
  rule: string,
  name: string,
  stated: string | null,
  items: readonly EInvoiceAllowanceCharge[],
): EInvoiceRuleBreak | undefined {
  const sum = sumOf(items);
  if (stated === null) {
    return items.length === 0
      ? undefined
      : {
          rule,
          detail: `${items.length} document-level ${name}s sum to ${show(sum)}, but no ${name} total is given.`,
        };
  }
  return equal(decimalOf(stated), sum)
    ? undefined
    : { rule, detail: `Document-level ${name}s sum to ${show(sum)}, the ${name} total says ${stated}.` };
}

/** Every arithmetic rule the invoice breaks; an empty list means its figures add up. */
export function checkEInvoiceArithmetic(invoice: EInvoice): EInvoiceRuleBreak[] {
  const breaks: EInvoiceRuleBreak[] = [];
  const t = invoice.totals;
  const lineSum = sumDecimals(invoice.lines.map((line) => decimalOf(line.netAmount)));
  if (!equal(lineSum, decimalOf(t.lineExtension))) {
    breaks.push({
      rule: 'BR-CO-10',
      detail: `The ${invoice.lines.length} line net amounts sum to ${show(lineSum)}, the sum of lines (BT-106) says ${t.lineExtension}.`,
    });
  }
  const allowances = documentTotal('BR-CO-11', 'allowance', t.allowanceTotal, invoice.allowances);
  const charges = documentTotal('BR-CO-12', 'charge', t.chargeTotal, invoice.charges);
  if (allowances) breaks.push(allowances);
  if (charges) breaks.push(charges);
  const taxExclusive = plus(
    minus(decimalOf(t.lineExtension), orZero(t.allowanceTotal)),
    orZero(t.chargeTotal),
  );
  if (!equal(taxExclusive, decimalOf(t.taxExclusive))) {
    breaks.push({
      rule: 'BR-CO-13',
      detail: `Lines ${t.lineExtension} − allowances ${t.allowanceTotal ?? '0'} + charges ${t.chargeTotal ?? '0'} = ${show(taxExclusive)}, the total without VAT (BT-109) says ${t.taxExclusive}.`,
    });
  }
  const vatSum = sumDecimals(invoice.vatBreakdown.map((b) => decimalOf(b.taxAmount)));
  if (t.taxAmount !== null && !equal(vatSum, decimalOf(t.taxAmount))) {
    breaks.push({
      rule: 'BR-CO-14',
      detail: `The VAT breakdown sums to ${show(vatSum)}, the VAT total (BT-110) says ${t.taxAmount}.`,
    });
  }
  const taxInclusive = plus(decimalOf(t.taxExclusive), orZero(t.taxAmount));
  if (!equal(taxInclusive, decimalOf(t.taxInclusive))) {
    breaks.push({
      rule: 'BR-CO-15',
      detail: `Total without VAT ${t.taxExclusive} + VAT ${t.taxAmount ?? '0'} = ${show(taxInclusive)}, the total with VAT (BT-112) says ${t.taxInclusive}.`,
    });
  }
  const payable = plus(minus(decimalOf(t.taxInclusive), orZero(t.prepaid)), orZero(t.rounding));
  if (!equal(payable, decimalOf(t.payable))) {
    breaks.push({
      rule: 'BR-CO-16',
      detail: `Total with VAT ${t.taxInclusive} − prepaid ${t.prepaid ?? '0'} + rounding ${t.rounding ?? '0'} = ${show(payable)}, the amount due (BT-115) says ${t.payable}.`,
    });
  }
  for (const breakdown of invoice.vatBreakdown) {
    const label = `${breakdown.category}${breakdown.rate === null ? '' : ` ${breakdown.rate}%`}`;
    // "Not subject to VAT" (O) has no rate: every O line, allowance and charge is in its one breakdown.
    const inCategory = <T extends { vatCategory: string | null; vatRate: string | null }>(
      items: readonly T[],
    ) =>
      items.filter(
        (item) =>
          item.vatCategory === breakdown.category &&
          (breakdown.category === 'O' || sameRate(item.vatRate, breakdown.rate)),
      );
    const taxable = plus(
      minus(
        sumDecimals(inCategory(invoice.lines).map((line) => decimalOf(line.netAmount))),
        sumOf(inCategory(invoice.allowances)),
      ),
      sumOf(inCategory(invoice.charges)),
    );
    if (!equal(taxable, decimalOf(breakdown.taxableAmount))) {
      breaks.push({
        rule: CATEGORY_RULE[breakdown.category] ?? `BR-${breakdown.category}-08`,
        detail: `VAT ${label}: lines − allowances + charges in the category = ${show(taxable)}, its taxable amount (BT-116) says ${breakdown.taxableAmount}.`,
      });
    }
    if (breakdown.rate !== null) {
      const rate = decimalOf(breakdown.rate);
      const expected = roundCents(
        times(decimalOf(breakdown.taxableAmount), {
          numerator: rate.numerator,
          denominator: rate.denominator * 100n,
        }),
      );
      if (compareDecimal(absolute(minus(expected, decimalOf(breakdown.taxAmount))), ONE) > 0) {
        breaks.push({
          rule: 'BR-CO-17',
          detail: `VAT ${label}: ${breakdown.taxableAmount} × ${breakdown.rate}% = ${show(expected)}, the category's VAT (BT-117) says ${breakdown.taxAmount}.`,
        });
      }
    }
  }
  return breaks;
}
