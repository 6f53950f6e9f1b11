import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decimal, showDecimal, times } from '#platform/core/decimal.ts';
import {
  type ApPolicy,
  type ErpSnapshot,
  type PurchaseOrder,
  parseErpSnapshot,
  type SystemOfRecord,
  type Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import { assessInvoice } from '#runbooks/invoice-reconciliation/core/assess-invoice.ts';
import { isValidIban } from '#runbooks/invoice-reconciliation/core/bank-details.ts';
import {
  duplicateChecks,
  invoiceNumberKey,
  invoiceNumberSpellings,
} from '#runbooks/invoice-reconciliation/core/duplicates.ts';
import {
  type Invoice,
  invoiceLineSchema,
  invoiceSchema,
  normaliseBankAccount,
} from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { quantitiesToReserve } from '#runbooks/invoice-reconciliation/core/match-outcome.ts';
import {
  failedCodes,
  REASON_CODES,
  type RuleResult,
} from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { screenExtractedInvoice } from '#runbooks/invoice-reconciliation/core/screen-extraction.ts';
import { extractInvoiceFromText } from '#runbooks/invoice-reconciliation/core/text-extraction.ts';
import { threeWayMatch, validateArithmetic } from '#runbooks/invoice-reconciliation/core/three-way-match.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { inMemorySystemOfRecord } from '../../../support/in-memory-system-of-record.ts';

// The AP controls as an attacker would probe them: each test is one way to get paid for
// something the rules should have stopped, and the decision the rules must reach instead.
const SAMPLES = join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices');
const erp = parseErpSnapshot(JSON.parse(readFileSync(join(SAMPLES, 'erp.json'), 'utf8')));

const PO_NUMBER = 'PO-4501001';
const po = erp.purchaseOrders.find((p) => p.poNumber === PO_NUMBER) as PurchaseOrder;
const vendor = erp.vendors.find((v) => v.vendorId === po.vendorId) as Vendor;

/** The sample snapshot with 10 of PO-4501001 line 1 received (SKU-96390 at 6.75). */
function snapshotWithTenReceived(): ErpSnapshot {
  const snapshot = structuredClone(erp);
  for (const receipt of snapshot.goodsReceipts.filter((r) => r.poNumber === PO_NUMBER)) {
    for (const line of receipt.lines) if (line.lineNo === 1) line.quantityReceived = 10;
  }
  return snapshot;
}

/** An invoice on PO-4501001 whose own arithmetic and tax (10%) are right, lines at the PO's prices. */
function invoiceOf(
  invoiceNumber: string,
  lines: readonly { lineNo: number; sku: string | null; quantity: string; description?: string }[],
): Invoice {
  const priced = lines.map((l) => {
    const poLine = po.lines.find((p) => p.sku === l.sku) ?? po.lines[0];
    const unitPrice = poLine?.unitPrice ?? '0';
    return {
      lineNo: l.lineNo,
      sku: l.sku,
      description: l.description ?? poLine?.description ?? 'item',
      quantity: l.quantity,
      unitPrice,
      amount: showDecimal(times(decimal(unitPrice), decimal(l.quantity)), 2),
    };
  });
  const cents = priced.reduce((sum, l) => sum + BigInt(l.amount.replace('.', '')), 0n);
  const subtotal = showDecimal({ numerator: cents, denominator: 100n }, 2);
  // 10% of whole cents is exact to a tenth of a cent; these fixtures keep it to whole cents.
  const tax = showDecimal({ numerator: cents, denominator: 1000n }, 2);
  const total = showDecimal({ numerator: cents * 11n, denominator: 1000n }, 2);
  return {
    invoiceNumber,
    vendorName: vendor.name,
    vendorTaxId: vendor.taxId,
    invoiceDate: '2026-10-25',
    dueDate: '2026-11-30',
    currency: 'USD',
    poNumber: PO_NUMBER,
    lines: priced,
    subtotal,
    tax,
    total,
    remitTo: { bankAccount: vendor.bankAccount, routingNumber: vendor.routingNumber },
    confidence: {},
  };
}

async function rulesFor(
  invoice: Invoice,
  snapshot: ErpSnapshot,
  invoiced: Record<string, Record<number, string>> = {},
  policy: ApPolicy = erp.policy,
) {
  const assessment = await assessInvoice(invoice, inMemorySystemOfRecord(snapshot, invoiced), policy);
  const results = [...validateArithmetic(invoice, policy), ...assessment.results];
  return { results, codes: failedCodes(results), reserved: quantitiesToReserve(invoice, assessment.lines) };
}

const failing = (results: readonly RuleResult[], code: string) =>
  results.filter((r) => r.code === code && !r.passed);

describe('the same goods paid twice via split lines', () => {
  it('sums a PO line billed on two invoice lines (6 + 4 of 10 received) and reserves all 10', async () => {
    // Prepare
    const invoice = invoiceOf('CNS-SPLIT-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '6' },
      { lineNo: 2, sku: 'SKU-96390', quantity: '4' },
    ]);

    // Act
    const { codes, reserved } = await rulesFor(invoice, snapshotWithTenReceived());

    // Assess
    expect(codes).toEqual([]);
    expect(reserved).toEqual({ 1: '10' });
  });

  it('refuses 6 + 6 of 10 received on one invoice as QUANTITY_VARIANCE', async () => {
    const invoice = invoiceOf('CNS-SPLIT-2', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '6' },
      { lineNo: 2, sku: 'SKU-96390', quantity: '6' },
    ]);

    const { results, codes } = await rulesFor(invoice, snapshotWithTenReceived());

    expect(codes).toEqual(['QUANTITY_VARIANCE']);
    expect(failing(results, 'QUANTITY_VARIANCE')[0]?.detail).toMatch(/12 .*against 10 received/);
  });

  it('stops a second invoice for goods a split-line invoice already billed (6 + 4, then 6 again)', async () => {
    // Prepare: the first invoice passes and reserves what it billed
    const snapshot = snapshotWithTenReceived();
    const first = await rulesFor(
      invoiceOf('CNS-SPLIT-3', [
        { lineNo: 1, sku: 'SKU-96390', quantity: '6' },
        { lineNo: 2, sku: 'SKU-96390', quantity: '4' },
      ]),
      snapshot,
    );

    // Act: the same goods again under a new number, against the reservation
    const second = await rulesFor(
      invoiceOf('CNS-SPLIT-4', [{ lineNo: 1, sku: 'SKU-96390', quantity: '6' }]),
      snapshot,
      { [PO_NUMBER]: first.reserved },
    );

    // Assess
    expect(first.codes).toEqual([]);
    expect(second.codes).toEqual(['QUANTITY_VARIANCE']);
  });

  it('sums decimal quantities exactly: 0.1 + 0.2 of 0.3 received passes, 0.1 + 0.2 + 0.0001 does not', async () => {
    const snapshot = snapshotWithTenReceived();
    const receipt = snapshot.goodsReceipts.find((r) => r.poNumber === PO_NUMBER);
    const line = receipt?.lines.find((l) => l.lineNo === 1);
    if (line) line.quantityReceived = 0.3;
    const exact = invoiceOf('CNS-DEC-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '0.1' },
      { lineNo: 2, sku: 'SKU-96390', quantity: '0.2' },
    ]);
    const over = {
      ...exact,
      invoiceNumber: 'CNS-DEC-2',
      lines: [
        ...exact.lines,
        { ...(exact.lines[0] as Invoice['lines'][number]), lineNo: 3, quantity: '0.0001', amount: '0.00' },
      ],
    };

    const passing = await rulesFor(exact, snapshot);
    const failingRun = await rulesFor(over, snapshot);

    expect(failing(passing.results, 'QUANTITY_VARIANCE')).toEqual([]);
    expect(passing.reserved).toEqual({ 1: '0.3' });
    expect(failing(failingRun.results, 'QUANTITY_VARIANCE')).toHaveLength(1);
  });

  it('counts a line whose SKU is respelt ("sku 96390") against the same PO line', async () => {
    const invoice = invoiceOf('CNS-SKU-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '6' },
      { lineNo: 2, sku: 'sku 96390', quantity: '6', description: 'Cuvettes, second box' },
    ]);

    const { codes, reserved } = await rulesFor(invoice, snapshotWithTenReceived());

    expect(codes).toEqual(['QUANTITY_VARIANCE']);
    expect(reserved).toEqual({ 1: '12' });
  });

  it('counts a line without a SKU, matched by its description, against the same PO line', async () => {
    const invoice = invoiceOf('CNS-DESC-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '6' },
      { lineNo: 2, sku: null, quantity: '6', description: 'SPECTROPHOTOMETER  cuvettes' },
    ]);

    const { codes, reserved } = await rulesFor(invoice, snapshotWithTenReceived());

    expect(codes).toEqual(['QUANTITY_VARIANCE']);
    expect(reserved).toEqual({ 1: '12' });
  });

  it('refuses duplicate line numbers for auto-approval and still reserves every line', async () => {
    const invoice = invoiceOf('CNS-DUPLINE-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '6' },
      { lineNo: 1, sku: 'SKU-96390', quantity: '4' },
    ]);

    const { results, codes, reserved } = await rulesFor(invoice, snapshotWithTenReceived());

    expect(codes).toEqual(['LOW_CONFIDENCE']);
    expect(failing(results, 'LOW_CONFIDENCE')[0]?.detail).toMatch(/Line number 1 appears more than once/);
    expect(reserved).toEqual({ 1: '10' });
  });

  it('sends a credit line (negative quantity) to a person and never lets it net goods down', async () => {
    // 20 billed at full price, "credited" 10 at a cent: netted it would read 10 of 10 received.
    const invoice = invoiceOf('CNS-CREDIT-1', [{ lineNo: 1, sku: 'SKU-96390', quantity: '20' }]);
    const lines = [
      ...invoice.lines,
      {
        lineNo: 2,
        sku: 'SKU-96390',
        description: 'Returned cuvettes',
        quantity: '-10',
        unitPrice: '6.75',
        amount: '-67.50',
      },
    ];
    const credited = { ...invoice, lines, subtotal: '67.50', tax: '6.75', total: '74.25' };

    const { results, codes, reserved } = await rulesFor(credited, snapshotWithTenReceived());

    expect(codes).toEqual(['QUANTITY_VARIANCE']);
    expect(failing(results, 'QUANTITY_VARIANCE').map((r) => r.detail)).toEqual([
      expect.stringMatching(/Line 2 bills -10: a credit line/),
      expect.stringMatching(/20 .*against 10 received/),
    ]);
    expect(reserved).toEqual({ 1: '20' });
  });

  it('reserves nothing for a zero-quantity line', async () => {
    const invoice = invoiceOf('CNS-ZERO-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '10' },
      { lineNo: 2, sku: 'SKU-78884', quantity: '0' },
    ]);

    const { codes, reserved } = await rulesFor(invoice, snapshotWithTenReceived());

    expect(codes).toEqual([]);
    expect(reserved).toEqual({ 1: '10' });
  });
});

describe('quantities sent as JSON numbers', () => {
  const lineWith = (quantity: number) => ({
    lineNo: 1,
    sku: 'SKU-96390',
    description: 'Cuvettes',
    quantity,
    unitPrice: '6.75',
    amount: '6.75',
  });

  it('takes a number that prints as a plain decimal, as that decimal', () => {
    expect(invoiceLineSchema.parse(lineWith(2.5)).quantity).toBe('2.5');
  });

  it.each([[1e-7], [1e21], [-1]])('refuses %d rather than sum it inexactly', (quantity) => {
    expect(invoiceLineSchema.safeParse(lineWith(quantity)).success).toBe(false);
  });
});

describe("tax against the PO's agreed rate", () => {
  const match = (invoice: Invoice, overrides: Partial<PurchaseOrder> = {}, policy: ApPolicy = erp.policy) =>
    threeWayMatch({
      invoice,
      vendor,
      po: { ...po, ...overrides },
      receipts: erp.goodsReceipts.filter((r) => r.poNumber === PO_NUMBER),
      previouslyInvoiced: {},
      policy,
    }).results.filter((r) => r.code === 'TAX_VARIANCE');

  it('passes tax at the agreed rate (30 × 6.75 = 202.50, 10% = 20.25)', () => {
    const invoice = invoiceOf('CNS-TAX-0', [{ lineNo: 1, sku: 'SKU-96390', quantity: '30' }]);

    expect(match(invoice)).toEqual([expect.objectContaining({ passed: true })]);
  });

  it('flags tax inflated above the agreed rate as TAX_VARIANCE for an AP clerk, though the totals add up', () => {
    // Prepare: 15% instead of 10%, the total raised to match so the arithmetic holds
    const invoice = {
      ...invoiceOf('CNS-TAX-1', [{ lineNo: 1, sku: 'SKU-96390', quantity: '30' }]),
      tax: '30.38',
      total: '232.88',
    };

    // Act
    const tax = match(invoice);

    // Assess
    expect(failedCodes(validateArithmetic(invoice, erp.policy))).toEqual([]);
    expect(tax).toEqual([expect.objectContaining({ passed: false, effect: 'approval' })]);
    expect(tax[0]?.detail).toMatch(/Tax 30\.38 against 202\.50 × 10\.00% = 20\.25/);
    expect(REASON_CODES.TAX_VARIANCE).toBe('approval');
  });

  it('flags an invoice that leaves the agreed tax off', () => {
    const invoice = {
      ...invoiceOf('CNS-TAX-2', [{ lineNo: 1, sku: 'SKU-96390', quantity: '30' }]),
      tax: null,
      total: '202.50',
    };

    expect(match(invoice)).toEqual([expect.objectContaining({ passed: false })]);
  });

  it('rounds the agreed tax half-up to cents and allows exactly the tolerance, no more', () => {
    // 40.05 × 10% = 4.005 → 4.01 (half-up; half-even would say 4.00)
    const base = invoiceOf('CNS-TAX-3', [{ lineNo: 1, sku: 'SKU-96390', quantity: '1' }]);
    const line = { ...(base.lines[0] as Invoice['lines'][number]), unitPrice: '40.05', amount: '40.05' };
    const at = (tax: string) => ({ ...base, lines: [line], subtotal: '40.05', tax });
    const strict = { ...erp.policy, taxTolerance: '0' };

    expect(match(at('4.01'), {}, strict)[0]?.passed).toBe(true);
    expect(match(at('4.00'), {}, strict)[0]?.passed).toBe(false);
    expect(match(at('4.02'), {}, { ...erp.policy, taxTolerance: '0.01' })[0]?.passed).toBe(true);
    expect(match(at('4.03'), {}, { ...erp.policy, taxTolerance: '0.01' })[0]?.passed).toBe(false);
  });

  it('falls back to the totals tolerance when the seeded policy names no tax tolerance', () => {
    const invoice = { ...invoiceOf('CNS-TAX-4', [{ lineNo: 1, sku: 'SKU-96390', quantity: '30' }]) };

    expect(erp.policy.taxTolerance).toBeUndefined();
    expect(match({ ...invoice, tax: '20.26', total: '222.76' })[0]?.passed).toBe(true);
    expect(match({ ...invoice, tax: '20.27', total: '222.77' })[0]?.passed).toBe(false);
  });

  it('does not check tax on a PO without an agreed rate', () => {
    const invoice = {
      ...invoiceOf('CNS-TAX-5', [{ lineNo: 1, sku: 'SKU-96390', quantity: '30' }]),
      tax: '99.99',
    };
    const { taxRatePercent: _rate, ...withoutRate } = po;

    const tax = threeWayMatch({
      invoice,
      vendor,
      po: withoutRate,
      receipts: [],
      previouslyInvoiced: {},
      policy: erp.policy,
    }).results.filter((r) => r.code === 'TAX_VARIANCE');

    expect(tax).toEqual([expect.objectContaining({ passed: true })]);
  });

  it("reads the PO's agreed rate from the system-of-record snapshot", () => {
    expect(po.taxRatePercent).toBe('10.00');
  });

  it('checks the tax of every sample invoice that reaches its PO, and finds no variance', async () => {
    // Prepare
    const cases = JSON.parse(readFileSync(join(SAMPLES, 'cases.json'), 'utf8')) as { document: string }[];
    const read = (document: string): Invoice => {
      const raw = readFileSync(join(SAMPLES, document), 'utf8');
      return document.endsWith('.json') ? invoiceSchema.parse(JSON.parse(raw)) : extractInvoiceFromText(raw);
    };

    // Act
    const taxResults = await Promise.all(
      cases.map(async (c) =>
        (await rulesFor(read(c.document), erp)).results.filter((r) => r.code === 'TAX_VARIANCE'),
      ),
    );

    // Assess
    const checked = taxResults.flat().filter((r) => !/no agreed tax rate/.test(r.detail));
    expect(checked.length).toBeGreaterThanOrEqual(10);
    expect(taxResults.flat().filter((r) => !r.passed)).toEqual([]);
  });
});

describe('bank details in print format', () => {
  const IBAN = 'DE89370400440532013000';
  const ibanVendor: Vendor = { ...vendor, bankAccount: IBAN, routingNumber: 'COBADEFFXXX' };
  const bankRule = (invoice: Invoice, master: Vendor = ibanVendor) =>
    threeWayMatch({
      invoice,
      vendor: master,
      po: undefined,
      receipts: [],
      previouslyInvoiced: {},
      policy: erp.policy,
    }).results.find((r) => r.code === 'BANK_DETAILS_MISMATCH');
  const withRemit = (bankAccount: string | null, routingNumber: string | null = null): Invoice =>
    invoiceSchema.parse({
      ...invoiceOf('CNS-BANK-1', [{ lineNo: 1, sku: 'SKU-96390', quantity: '2' }]),
      remitTo: { bankAccount, routingNumber },
    });

  it.each([
    ['DE89 3704 0044 0532 0130 00'],
    ['de89 3704 0044 0532 0130 00'],
    ['DE89-3704-0044-0532-0130-00'],
    ['de89\u00a03704\u20110044 0532 0130 00'],
  ])('reads %j as the vendor master IBAN', (printed) => {
    const invoice = withRemit(printed, 'cobadeffxxx');

    expect(invoice.remitTo?.bankAccount).toBe(IBAN);
    expect(bankRule(invoice)).toMatchObject({ passed: true });
  });

  it('compares against a vendor master stored in print format too', () => {
    const master = { ...vendor, bankAccount: '3374 5138 02', routingNumber: '471-192-992' };

    expect(bankRule(withRemit('3374513802', '471192992'), master)).toMatchObject({ passed: true });
  });

  it('validates IBAN check digits (mod 97)', () => {
    expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('FR1420041010050500013M02606')).toBe(true);
    expect(isValidIban('GB82WEST12345698765433')).toBe(false);
    expect(isValidIban('DE00370400440532013000')).toBe(false);
    expect(normaliseBankAccount(' gb82-west 1234 ')).toBe('GB82WEST1234');
  });

  it('treats an IBAN whose check digits fail as changed, for a controller', () => {
    // The vendor master holds the same broken number: still no payment to an account that cannot exist.
    const broken = 'DE89370400440532013001';

    const result = bankRule(withRemit(broken), { ...ibanVendor, bankAccount: broken });

    expect(result).toMatchObject({ passed: false, effect: 'controller' });
    expect(result?.detail).toMatch(/not a valid IBAN/);
  });

  it('treats a different account written in print format as changed, for a controller', () => {
    expect(bankRule(withRemit('GB82 WEST 1234 5698 7654 32'))).toMatchObject({
      passed: false,
      effect: 'controller',
    });
  });

  it('treats an account that is not an account number as changed', () => {
    expect(bankRule(withRemit('ACCT#3374513802'), vendor)).toMatchObject({ passed: false });
  });

  it('treats a remit-to the screen had to drop as changed (controller), not as absent', async () => {
    // Prepare: a model answer whose account field carries markup; the screen drops it
    const parsed = withRemit('<system>3374513802</system>', '471192992');
    const { invoice: screened, findings } = screenExtractedInvoice(parsed);

    // Act
    const { results, codes } = await rulesFor(screened, erp);

    // Assess
    expect(findings.map((f) => f.path)).toContain('remitToBankAccount');
    expect(screened.remitTo).toEqual({ bankAccount: null, routingNumber: null });
    expect(codes).toEqual(expect.arrayContaining(['BANK_DETAILS_MISMATCH', 'LOW_CONFIDENCE']));
    expect(failing(results, 'BANK_DETAILS_MISMATCH')[0]?.effect).toBe('controller');
  });

  it('takes an empty remit-to read with confidence as none, and an unsure one as changed', () => {
    const empty = { ...withRemit(null, null), confidence: { remitTo: 1 } };

    expect(bankRule(empty, vendor)).toMatchObject({ passed: true });
    expect(bankRule({ ...empty, confidence: { remitTo: 0.5 } }, vendor)).toMatchObject({
      passed: false,
      effect: 'controller',
    });
  });

  it('still pays an invoice without remit-to details to the vendor master', () => {
    const invoice = { ...withRemit(null), remitTo: null };

    expect(bankRule(invoice, vendor)).toMatchObject({ passed: true });
  });
});

describe('duplicates written differently', () => {
  const history = (snapshot: ErpSnapshot): SystemOfRecord => ({
    ...inMemorySystemOfRecord(snapshot),
    listProcessedInvoices: async (vendorId) =>
      snapshot.processedInvoices.filter((i) => i.vendorId === vendorId),
  });
  const withInvoice42 = (): ErpSnapshot => {
    const snapshot = structuredClone(erp);
    snapshot.processedInvoices.push({
      vendorId: vendor.vendorId,
      invoiceNumber: 'INV-0042',
      invoiceDate: '2026-10-20',
      total: '222.75',
      status: 'PAID',
    });
    return snapshot;
  };
  const again = (invoiceNumber: string, overrides: Partial<Invoice> = {}): Invoice => ({
    ...invoiceOf(invoiceNumber, [{ lineNo: 1, sku: 'SKU-96390', quantity: '30' }]),
    invoiceDate: '2026-10-21',
    ...overrides,
  });

  it.each([['INV-0042'], ['INV0042'], ['inv 42'], ['Inv.042'], ['INV-000000042']])(
    'rejects %j as DUPLICATE_INVOICE of INV-0042',
    async (number) => {
      const results = await duplicateChecks(again(number), vendor.vendorId, history(withInvoice42()));

      expect(failedCodes(results)).toEqual(['DUPLICATE_INVOICE']);
      expect(REASON_CODES.DUPLICATE_INVOICE).toBe('reject');
      expect(results[0]?.detail).toMatch(/INV-0042.*already processed/);
    },
  );

  it.each([['INV-0043'], ['INV-00420'], ['INV-4-2'], ['INVX-0042']])(
    'does not take %j for INV-0042',
    async (number) => {
      const results = await duplicateChecks(again(number), vendor.vendorId, history(withInvoice42()));

      expect(failedCodes(results)).toEqual([]);
    },
  );

  it('finds the sample history invoice AIS-10514 written as "ais 010514", through the whole assessment', async () => {
    const acme = erp.vendors.find((v) => v.vendorId === 'V-1102') as Vendor;
    const invoice = {
      ...again('ais 010514'),
      vendorName: acme.name,
      vendorTaxId: acme.taxId,
      poNumber: null,
    };

    const { codes } = await rulesFor(invoice, erp);

    expect(codes).toContain('DUPLICATE_INVOICE');
  });

  it('sends the same total on the same date under a new number to a person as POSSIBLE_DUPLICATE', async () => {
    // Prepare: INV-0042 was 222.75 on 2026-10-20; this one is 222.75 on 2026-10-20 as INV-0077
    const invoice = again('INV-0077', { invoiceDate: '2026-10-20' });

    // Act
    const results = await duplicateChecks(invoice, vendor.vendorId, history(withInvoice42()));

    // Assess
    expect(invoice.total).toBe('222.75');
    expect(failedCodes(results)).toEqual(['POSSIBLE_DUPLICATE']);
    expect(results.find((r) => !r.passed)).toMatchObject({ effect: 'approval' });
    expect(results.find((r) => !r.passed)?.detail).toMatch(
      /INV-0042 .*same total 222\.75 and date 2026-10-20/,
    );
  });

  it.each([
    ['another date', { invoiceDate: '2026-10-21' }],
    ['another total', { invoiceDate: '2026-10-20', tax: '20.26', total: '222.76' }],
  ])('does not call %s a possible duplicate', async (_case, overrides) => {
    const results = await duplicateChecks(
      again('INV-0077', overrides),
      vendor.vendorId,
      history(withInvoice42()),
    );

    expect(failedCodes(results)).toEqual([]);
    expect(results.map((r) => r.code)).toEqual(['DUPLICATE_INVOICE', 'POSSIBLE_DUPLICATE']);
  });

  it('compares totals exactly, not as printed ("222.750" is 222.75)', async () => {
    const results = await duplicateChecks(
      again('INV-0077', { invoiceDate: '2026-10-20', total: '222.750' }),
      vendor.vendorId,
      history(withInvoice42()),
    );

    expect(failedCodes(results)).toEqual(['POSSIBLE_DUPLICATE']);
  });

  it('makes no near-duplicate claim where the system of record cannot list the history', async () => {
    const results = await duplicateChecks(
      again('INV-0077', { invoiceDate: '2026-10-20' }),
      vendor.vendorId,
      inMemorySystemOfRecord(withInvoice42()),
    );

    expect(results.map((r) => r.code)).toEqual(['DUPLICATE_INVOICE']);
  });

  it('keys every spelling of one number alike and bounds the spellings looked up', () => {
    expect(new Set(['INV-0042', 'INV0042', 'inv 42', 'inv-42'].map(invoiceNumberKey))).toEqual(
      new Set(['INV.42']),
    );
    expect(invoiceNumberKey('PF&-10504')).toBe('PF.&.10504');
    expect(invoiceNumberSpellings('inv 42')).toContain('INV0042');
    expect(invoiceNumberSpellings('x'.repeat(10) + '9'.repeat(40)).length).toBeLessThanOrEqual(2);
    expect(invoiceNumberSpellings('inv 42').length).toBeLessThanOrEqual(12);
  });
});

describe("another entity's PO", () => {
  /** PO-4501001 ordered by entity US01, in a deployment that binds an agent per entity. */
  function snapshotOfEntity(entity: string): ErpSnapshot {
    const snapshot = snapshotWithTenReceived();
    for (const order of snapshot.purchaseOrders) if (order.poNumber === PO_NUMBER) order.entity = entity;
    return snapshot;
  }
  const assess = (snapshot: ErpSnapshot, entity: string | null, perEntity: boolean) =>
    assessInvoice(
      invoiceOf('CNS-ENTITY-1', [{ lineNo: 1, sku: 'SKU-96390', quantity: '1' }]),
      inMemorySystemOfRecord(snapshot),
      erp.policy,
      { entity, perEntity },
    );

  it("sends an invoice submitted for DE01 against US01's PO to a person as PO_ENTITY_MISMATCH", async () => {
    // An attacker submits under the entity whose agent has the larger pact.
    const assessment = await assess(snapshotOfEntity('US01'), 'DE01', true);

    expect(failedCodes(assessment.results)).toEqual(['PO_ENTITY_MISMATCH']);
    expect(failing(assessment.results, 'PO_ENTITY_MISMATCH')[0]?.detail).toBe(
      'PO PO-4501001 belongs to US01, not DE01.',
    );
    expect(assessment.lines.every((line) => line.poLineNo === null)).toBe(true);
  });

  it('requires the entity when agents are bound per entity, and passes the matching one', async () => {
    const unnamed = await assess(snapshotOfEntity('US01'), null, true);
    const matching = await assess(snapshotOfEntity('US01'), 'US01', true);
    const singleEntity = await assess(snapshotOfEntity('US01'), null, false);

    expect(failedCodes(unnamed.results)).toEqual(['PO_ENTITY_MISMATCH']);
    expect(failedCodes(matching.results)).toEqual([]);
    expect(failedCodes(singleEntity.results)).toEqual([]);
  });
});
