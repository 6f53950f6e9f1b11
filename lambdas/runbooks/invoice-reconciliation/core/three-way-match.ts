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
import {
  type ApPolicy,
  type GoodsReceipt,
  normaliseTaxId,
  type PurchaseOrder,
  type Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import type { Invoice, InvoiceLine } from './invoice.ts';
import { type ReasonCode, type RuleResult, rule } from './reason-codes.ts';

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
  const results: RuleResult[] = [];
  for (const line of invoice.lines) {
    const expected = times(decimal(line.unitPrice), decimal(line.quantity));
    if (!within(expected, decimal(line.amount))) {
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

/** Three-way match of a known vendor's invoice against its PO and the goods received. */
export function threeWayMatch(input: MatchInput): MatchOutcome {
  const { invoice, vendor, po, receipts, policy } = input;
  const results: RuleResult[] = [bankDetailsCheck(invoice, vendor)];
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
  if (invoice.currency !== po.currency) {
    results.push(rule('CURRENCY_MISMATCH', false, `Invoice in ${invoice.currency}, PO in ${po.currency}.`));
    return { results, lines: unmatched };
  }
  results.push(rule('CURRENCY_MISMATCH', true, `Both in ${po.currency}.`));

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

function bankDetailsCheck(invoice: Invoice, vendor: Vendor): RuleResult {
  const remit = invoice.remitTo;
  if (!remit || (!remit.bankAccount && !remit.routingNumber)) {
    return rule(
      'BANK_DETAILS_MISMATCH',
      true,
      'No remit-to details on the invoice: payment goes to the vendor master account.',
    );
  }
  const accountDiffers =
    remit.bankAccount !== null && normaliseTaxId(remit.bankAccount) !== normaliseTaxId(vendor.bankAccount);
  const routingDiffers =
    remit.routingNumber !== null &&
    normaliseTaxId(remit.routingNumber) !== normaliseTaxId(vendor.routingNumber);
  return accountDiffers || routingDiffers
    ? rule(
        'BANK_DETAILS_MISMATCH',
        false,
        `Remit-to account ending ${last4(remit.bankAccount)} differs from the vendor master account ending ${last4(vendor.bankAccount)}.`,
      )
    : rule('BANK_DETAILS_MISMATCH', true, 'Remit-to details match the vendor master.');
}

function last4(value: string | null): string {
  return value ? value.slice(-4) : '????';
}

function findPoLine(line: InvoiceLine, po: PurchaseOrder): PurchaseOrder['lines'][number] | undefined {
  if (line.sku) {
    const bySku = po.lines.find((p) => p.sku.toUpperCase() === line.sku?.toUpperCase());
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
  const results: RuleResult[] = [];
  const perPoLine = new Map<number, { invoiced: Decimal; lineNos: number[] }>();
  for (const { line, poLine } of lines) {
    if (!poLine) continue;
    const entry = perPoLine.get(poLine.lineNo) ?? {
      invoiced: decimal(previouslyInvoiced[poLine.lineNo] ?? '0'),
      lineNos: [],
    };
    entry.invoiced = plus(entry.invoiced, decimal(line.quantity));
    entry.lineNos.push(line.lineNo);
    perPoLine.set(poLine.lineNo, entry);
  }
  for (const [poLineNo, { invoiced, lineNos }] of perPoLine) {
    const received = receipts
      .flatMap((r) => r.lines.filter((l) => l.lineNo === poLineNo))
      .reduce((total, l) => plus(total, decimal(String(l.quantityReceived))), decimal('0'));
    const passed = compareDecimal(invoiced, received) <= 0;
    const code: ReasonCode = 'QUANTITY_VARIANCE';
    results.push(
      rule(
        code,
        passed,
        `PO line ${poLineNo}: invoiced ${showDecimal(invoiced)} in all (this invoice and earlier) against ${showDecimal(received)} received.`,
        lineNos[0],
      ),
    );
  }
  return results;
}
