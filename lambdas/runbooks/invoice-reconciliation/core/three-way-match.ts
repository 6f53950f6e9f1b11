import {
  absolute,
  compareDecimal,
  type Decimal,
  decimal,
  larger,
  minus,
  percentOfDecimal,
  plus,
  showDecimal,
  sumDecimals,
  times,
} from '#platform/core/decimal.ts';
import { currencyExponent } from '#platform/core/money.ts';
import {
  type ApPolicy,
  type GoodsReceipt,
  normaliseDocumentNumber,
  type PurchaseOrder,
  type Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import { bankDetailsCheck } from './bank-details.ts';
import type { Invoice, InvoiceLine } from './invoice.ts';
import { type RuleResult, rule } from './reason-codes.ts';

const ZERO: Decimal = decimal('0');

/**
 * The AP checks, deterministic and line by line. No model takes part: a document that asks
 * to be approved is matched exactly like any other.
 */

/** The invoice's own arithmetic: qty × price = amount per line, lines = subtotal, subtotal + tax = total. */
export function validateArithmetic(invoice: Invoice, policy: ApPolicy): RuleResult[] {
  if (!invoice.currency || invoice.total === null)
    return [rule('TOTALS_MISMATCH', false, 'The invoice total or currency could not be read.')];
  // Exact decimals throughout: a unit price may carry more decimals than the currency, a yen tolerance fewer.
  const tolerance = decimal(policy.totalsTolerance);
  const within = (a: Decimal, b: Decimal) => compareDecimal(absolute(minus(a, b)), tolerance) <= 0;
  // A line may differ from quantity × price only by rounding to the currency (half a minor unit):
  // the totals tolerance per line would let a cent per line add up over many lines.
  const halfUnit = { numerator: 1n, denominator: 2n * 10n ** BigInt(currencyExponent(invoice.currency)) };
  const lineTolerance = compareDecimal(halfUnit, tolerance) < 0 ? halfUnit : tolerance;
  const results: RuleResult[] = [];
  for (const line of invoice.lines) {
    const expected = times(decimal(line.unitPrice), decimal(line.quantity));
    if (compareDecimal(absolute(minus(expected, decimal(line.amount))), lineTolerance) > 0) {
      results.push(
        rule(
          'TOTALS_MISMATCH',
          false,
          `Line ${line.lineNo}: ${line.quantity} × ${line.unitPrice} = ${showDecimal(expected, 2)}, invoice says ${line.amount}.`,
          line.lineNo,
        ),
      );
    }
  }
  const lines = sumDecimals(invoice.lines.map((l) => decimal(l.amount)));
  const tax = decimal(invoice.tax ?? '0');
  if (invoice.subtotal !== null && !within(lines, decimal(invoice.subtotal))) {
    results.push(
      rule(
        'TOTALS_MISMATCH',
        false,
        `Lines add up to ${showDecimal(lines, 2)}, subtotal says ${invoice.subtotal}.`,
      ),
    );
  }
  const expectedTotal = plus(lines, tax);
  if (!within(expectedTotal, decimal(invoice.total))) {
    results.push(
      rule(
        'TOTALS_MISMATCH',
        false,
        `Lines ${showDecimal(lines, 2)} + tax ${showDecimal(tax, 2)} = ${showDecimal(expectedTotal, 2)}, total says ${invoice.total}.`,
      ),
    );
  }
  return results.length > 0
    ? results
    : [rule('TOTALS_MISMATCH', true, 'Lines, subtotal, tax and total agree.')];
}

export interface MatchInput {
  readonly invoice: Invoice;
  readonly vendor: Vendor;
  readonly po: PurchaseOrder | undefined;
  readonly receipts: readonly GoodsReceipt[];
  /** Quantity invoiced earlier per PO line. */
  readonly previouslyInvoiced: Readonly<Record<number, string>>;
  readonly policy: ApPolicy;
  /** The legal entity the run was submitted for, and whether the runbook's policy binds agents per entity. */
  readonly entity?: RunEntity;
}

export interface RunEntity {
  /** null = submitted for no entity: the runbook's one entity. */
  readonly entity: string | null;
  /** The runbook's policy binds an agent per entity (`agentsByEntity`). */
  readonly perEntity: boolean;
}

export interface LineMatch {
  readonly invoiceLineNo: number;
  readonly poLineNo: number | null;
  readonly glAccount: string | null;
}

export interface MatchOutcome {
  readonly results: RuleResult[];
  readonly lines: LineMatch[];
}

/**
 * A PO that names its entity must be the run's: with several entities the run's entity is
 * required; with one (no `agentsByEntity`) an unnamed run entity is that one.
 */
function poEntityProblem(po: PurchaseOrder, { entity, perEntity }: RunEntity): string | undefined {
  if (!po.entity) return undefined;
  if (entity === null)
    return perEntity
      ? `PO ${po.poNumber} belongs to ${po.entity}, and the invoice was submitted for no entity.`
      : undefined;
  return po.entity === entity ? undefined : `PO ${po.poNumber} belongs to ${po.entity}, not ${entity}.`;
}

/** Three-way match of a known vendor's invoice against its PO and the goods received. */
export function threeWayMatch(input: MatchInput): MatchOutcome {
  const { invoice, vendor, po, receipts, policy } = input;
  const results: RuleResult[] = [bankDetailsCheck(invoice, vendor), ...lineNumberCheck(invoice)];
  const unmatched = invoice.lines.map((l) => ({ invoiceLineNo: l.lineNo, poLineNo: null, glAccount: null }));
  if (!invoice.poNumber || !po) {
    results.push(
      rule(
        'NO_PO',
        false,
        invoice.poNumber ? `PO ${invoice.poNumber} does not exist.` : 'The invoice cites no PO.',
      ),
    );
    return { results, lines: unmatched };
  }
  results.push(rule('NO_PO', true, `PO ${po.poNumber} found.`));
  if (po.vendorId !== vendor.vendorId) {
    results.push(
      rule(
        'PO_VENDOR_MISMATCH',
        false,
        `PO ${po.poNumber} belongs to vendor ${po.vendorId}, not ${vendor.vendorId}.`,
      ),
    );
    return { results, lines: unmatched };
  }
  results.push(rule('PO_VENDOR_MISMATCH', true, `PO ${po.poNumber} belongs to ${vendor.vendorId}.`));
  const entityProblem = poEntityProblem(po, input.entity ?? { entity: null, perEntity: false });
  if (entityProblem) {
    // Another entity's PO would be worked under this entity's agent and paid from its accounts.
    results.push(rule('PO_ENTITY_MISMATCH', false, entityProblem));
    return { results, lines: unmatched };
  }
  if (po.entity) results.push(rule('PO_ENTITY_MISMATCH', true, `PO ${po.poNumber} belongs to ${po.entity}.`));
  if (invoice.currency !== po.currency) {
    results.push(rule('CURRENCY_MISMATCH', false, `Invoice in ${invoice.currency}, PO in ${po.currency}.`));
    return { results, lines: unmatched };
  }
  results.push(rule('CURRENCY_MISMATCH', true, `Both in ${po.currency}.`));
  results.push(taxCheck(invoice, po, policy));

  const lines = invoice.lines.map((line) => ({ line, poLine: findPoLine(line, po) }));
  for (const { line, poLine } of lines) {
    if (!poLine) {
      results.push(
        rule(
          'PRICE_VARIANCE',
          false,
          `Line ${line.lineNo} (${line.sku ?? line.description}) is not on PO ${po.poNumber}.`,
          line.lineNo,
        ),
      );
      continue;
    }
    results.push(priceCheck(line, poLine.unitPrice, policy));
  }
  results.push(...creditLineChecks(invoice.lines));
  const lineMatches = lines.map(({ line, poLine }) => ({
    invoiceLineNo: line.lineNo,
    poLineNo: poLine?.lineNo ?? null,
    glAccount: poLine?.glAccount ?? null,
  }));

  if (receipts.length === 0) {
    results.push(rule('NO_RECEIPT', false, `No goods receipt for PO ${po.poNumber}.`));
    return { results, lines: lineMatches };
  }
  results.push(rule('NO_RECEIPT', true, `${receipts.length} receipt(s) for PO ${po.poNumber}.`));
  results.push(...quantityChecks(lines, receipts, input.previouslyInvoiced));
  return { results, lines: lineMatches };
}

function findPoLine(line: InvoiceLine, po: PurchaseOrder): PurchaseOrder['lines'][number] | undefined {
  if (line.sku) {
    // "sku-96390", "SKU 96390" and "SKU-96390" are one item: a respelt SKU must still land on its PO line.
    const sku = normaliseDocumentNumber(line.sku);
    const bySku = po.lines.find((p) => normaliseDocumentNumber(p.sku) === sku);
    if (bySku) return bySku;
  }
  const wanted = line.description
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return po.lines.find(
    (p) =>
      p.description
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, ' ')
        .trim() === wanted,
  );
}

/** |invoiced − PO price| ≤ max(tolerance % of the PO price, tolerance amount), exactly. */
function priceCheck(line: InvoiceLine, poPrice: string, policy: ApPolicy): RuleResult {
  const po = decimal(poPrice);
  const tolerance = larger(
    percentOfDecimal(po, decimal(policy.priceTolerancePercent)),
    decimal(policy.priceToleranceAmount),
  );
  const variance = absolute(minus(decimal(line.unitPrice), po));
  const passed = compareDecimal(variance, tolerance) <= 0;
  return rule(
    'PRICE_VARIANCE',
    passed,
    `Line ${line.lineNo}: unit price ${line.unitPrice} vs PO ${poPrice} (variance ${showDecimal(variance, 2)}, tolerance ${showDecimal(tolerance, 2)}).`,
    line.lineNo,
  );
}

function quantityChecks(
  lines: readonly { line: InvoiceLine; poLine: PurchaseOrder['lines'][number] | undefined }[],
  receipts: readonly GoodsReceipt[],
  previouslyInvoiced: Readonly<Record<number, string>>,
): RuleResult[] {
  const billed = billedPerPoLine(
    lines.map(({ line, poLine }) => ({ line, poLineNo: poLine?.lineNo ?? null })),
  );
  const results: RuleResult[] = [];
  for (const [poLineNo, { quantity, lineNos }] of billed) {
    const invoiced = plus(quantity, decimal(previouslyInvoiced[poLineNo] ?? '0'));
    const received = receipts
      .flatMap((r) => r.lines.filter((l) => l.lineNo === poLineNo))
      .reduce((total, l) => plus(total, decimal(String(l.quantityReceived))), ZERO);
    const passed = compareDecimal(invoiced, received) <= 0;
    const lineList = lineNos.length > 1 ? `lines ${lineNos.join(' + ')}` : `line ${lineNos[0]}`;
    results.push(
      rule(
        'QUANTITY_VARIANCE',
        passed,
        `PO line ${poLineNo}: ${showDecimal(quantity)} on this invoice (${lineList}) + ${previouslyInvoiced[poLineNo] ?? '0'} on earlier invoices = ${showDecimal(invoiced)} against ${showDecimal(received)} received.`,
        lineNos[0],
      ),
    );
  }
  return results;
}

/** Only a positive quantity bills goods: zero bills nothing, a negative one is a credit. */
function billsGoods(line: InvoiceLine): boolean {
  return compareDecimal(decimal(line.quantity), ZERO) > 0;
}

/**
 * What one invoice bills per PO line: the exact sum over every line that bills it, however
 * the invoice splits it. The quantity check and the reservation both use this, so what is
 * checked is what is reserved.
 */
export function billedPerPoLine(
  lines: readonly { readonly line: InvoiceLine; readonly poLineNo: number | null }[],
): Map<number, { quantity: Decimal; lineNos: number[] }> {
  const billed = new Map<number, { quantity: Decimal; lineNos: number[] }>();
  for (const { line, poLineNo } of lines) {
    if (poLineNo === null || !billsGoods(line)) continue;
    const entry = billed.get(poLineNo) ?? { quantity: ZERO, lineNos: [] };
    entry.quantity = plus(entry.quantity, decimal(line.quantity));
    entry.lineNos.push(line.lineNo);
    billed.set(poLineNo, entry);
  }
  return billed;
}

/** A line number used twice makes the lines ambiguous (which line was matched, coded, reserved): a person reads them. */
function lineNumberCheck(invoice: Invoice): RuleResult[] {
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const line of invoice.lines) {
    if (seen.has(line.lineNo)) repeated.add(line.lineNo);
    seen.add(line.lineNo);
  }
  return repeated.size === 0
    ? []
    : [
        rule(
          'LOW_CONFIDENCE',
          false,
          `Line number ${[...repeated].join(', ')} appears more than once: the lines cannot be matched one by one.`,
          [...repeated][0],
        ),
      ];
}

/** A credit (negative quantity) bills no goods and nets against nothing automatically: a person decides it. */
function creditLineChecks(lines: readonly InvoiceLine[]): RuleResult[] {
  return lines
    .filter((line) => compareDecimal(decimal(line.quantity), ZERO) < 0)
    .map((line) =>
      rule(
        'QUANTITY_VARIANCE',
        false,
        `Line ${line.lineNo} bills ${line.quantity}: a credit line is not netted against goods; a person decides it.`,
        line.lineNo,
      ),
    );
}

/**
 * TAX_VARIANCE: |invoice tax − lines × the PO's agreed rate| ≤ tolerance, the expected tax
 * rounded half-up to the currency's minor unit. A PO without an agreed rate is not checked.
 */
function taxCheck(invoice: Invoice, po: PurchaseOrder, policy: ApPolicy): RuleResult {
  if (po.taxRatePercent === undefined)
    return rule('TAX_VARIANCE', true, `PO ${po.poNumber} carries no agreed tax rate.`);
  const lines = sumDecimals(invoice.lines.map((l) => decimal(l.amount)));
  const expected = roundHalfUp(
    percentOfDecimal(lines, decimal(po.taxRatePercent)),
    currencyExponent(po.currency),
  );
  const charged = decimal(invoice.tax ?? '0');
  const tolerance = decimal(policy.taxTolerance ?? policy.totalsTolerance);
  const variance = absolute(minus(charged, expected));
  return rule(
    'TAX_VARIANCE',
    compareDecimal(variance, tolerance) <= 0,
    `Tax ${showDecimal(charged, 2)} against ${showDecimal(lines, 2)} × ${po.taxRatePercent}% = ${showDecimal(expected, 2)} agreed on PO ${po.poNumber} (variance ${showDecimal(variance, 2)}, tolerance ${showDecimal(tolerance, 2)}).`,
  );
}

/** Rounds to `places` decimals, halves away from zero. */
function roundHalfUp(value: Decimal, places: number): Decimal {
  const scale = 10n ** BigInt(places);
  const scaled = value.numerator * scale;
  const magnitude = scaled < 0n ? -scaled : scaled;
  let quotient = magnitude / value.denominator;
  if ((magnitude % value.denominator) * 2n >= value.denominator) quotient += 1n;
  return { numerator: scaled < 0n ? -quotient : quotient, denominator: scale };
}
