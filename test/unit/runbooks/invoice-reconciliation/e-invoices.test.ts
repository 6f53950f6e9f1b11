import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, plus, showDecimal } from '#platform/core/decimal.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { EINVOICE_LIMITS, type EInvoice } from '#platform/documents/core/e-invoice.ts';
import { checkEInvoiceArithmetic } from '#platform/documents/core/en16931-rules.ts';
import { readEInvoice } from '#platform/documents/core/read-e-invoice.ts';
import { parseRunbookRequest } from '#platform/runs/core/executions.ts';
import {
  eInvoiceRules,
  readingOf,
  SUMMARY_TEXT_CHARS,
} from '#runbooks/invoice-reconciliation/core/e-invoice-reading.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { failedCodes } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { invoiceReconciliation } from '#runbooks/invoice-reconciliation/module.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { buildEInvoice, type EInvoiceSpec } from '../../../support/e-invoices.ts';

/** The official EN 16931 examples beside the project, with what each file says (truth.json). */
const SAMPLES = join(PROJECT_ROOT, '..', 'shared', 'samples', 'e-invoices');
interface Truth {
  readonly file: string;
  readonly syntax: string;
  readonly arithmetic: string;
  readonly [field: string]: unknown;
}
const truth = JSON.parse(readFileSync(join(SAMPLES, 'truth.json'), 'utf8')) as {
  count: number;
  files: Truth[];
};
const TOTALS = [
  'lineExtension',
  'taxExclusive',
  'taxAmount',
  'taxAmountInTaxCurrency',
  'taxInclusive',
  'allowanceTotal',
  'chargeTotal',
  'prepaid',
  'rounding',
  'payable',
] as const;

/** What truth.json records of a file, from the reader's answer (absent elements omitted, as truth.json omits them). */
function asTruth(file: string, e: EInvoice): Record<string, unknown> {
  const present = (entries: [string, unknown][]) =>
    Object.fromEntries(entries.filter(([, value]) => value !== null && value !== undefined));
  const breaks = checkEInvoiceArithmetic(e);
  return present([
    ['file', file],
    ['syntax', e.syntax],
    ['id', e.id],
    ['issueDate', e.issueDate],
    ['typeCode', e.typeCode],
    ['currency', e.currency],
    ['taxCurrency', e.taxCurrency],
    ['dueDate', e.dueDate],
    ['seller', e.seller.name],
    ['sellerVatId', e.seller.vatId],
    ['buyer', e.buyer.name],
    ['lineCount', e.lines.length],
    ...TOTALS.map((field): [string, unknown] => [field, e.totals[field]]),
    ['arithmetic', breaks.length === 0 ? 'ok' : breaks.map((b) => b.rule).join(',')],
  ]);
}

function refusal(read: () => unknown): { code: string; rule: unknown; message: string } {
  try {
    read();
  } catch (error) {
    if (error instanceof TollgateError) {
      return { code: error.code, rule: error.details?.rule, message: error.message };
    }
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('the official EN 16931 examples', () => {
  it('are all in the test set', () => {
    expect(truth.files).toHaveLength(truth.count);
    expect(truth.count).toBe(30);
  });

  it.each(truth.files.map((t) => [t.file, t] as const))(
    '%s reads exactly as truth.json says',
    (file, expected) => {
      const e = readEInvoice(readFileSync(join(SAMPLES, file), 'utf8'));
      expect(asTruth(file, e)).toEqual(expected);
      // The invoice fields every rule reads fit the invoice schema, and the amount due is what is owed.
      const { invoice, eInvoice } = readingOf(e);
      expect(invoiceSchema.parse(invoice)).toEqual(invoice);
      expect(invoice.total).toBe(e.totals.payable.replace(/^\+/, ''));
      expect(invoice.lines).toHaveLength(e.lines.length);
      expect(eInvoice.ruleBreaks).toEqual([]);
    },
  );

  it('sends every credit note and negative invoice to AP, never to payment', () => {
    const credits = truth.files
      .map((t) => ({
        file: t.file,
        reading: readingOf(readEInvoice(readFileSync(join(SAMPLES, t.file), 'utf8'))),
      }))
      .filter(({ reading }) => reading.eInvoice.credit !== null)
      .map(({ file, reading }) => [
        file,
        reading.eInvoice.credit,
        failedCodes(eInvoiceRules(reading.eInvoice)),
      ]);
    expect(credits).toEqual([
      ['test/testfiles/BIS_Billing_30-Kreditering_med_kreditnota.xml', 'CREDIT_NOTE', ['CREDIT_NOTE']],
      [
        'test/testfiles/BIS_Billing_30-Kreditering_med_negativ_faktura.xml',
        'NEGATIVE_INVOICE',
        ['CREDIT_NOTE'],
      ],
      ['ubl/examples/BIS3_Invoice_negativ.XML', 'NEGATIVE_INVOICE', ['CREDIT_NOTE']],
      ['ubl/examples/ubl-tc434-creditnote1.xml', 'CREDIT_NOTE', ['CREDIT_NOTE']],
    ]);
  });

  it('reads the payment account from the payment means and the PO from the order reference', () => {
    const example2 = readingOf(
      readEInvoice(readFileSync(join(SAMPLES, 'ubl/examples/ubl-tc434-example2.xml'), 'utf8')),
    );
    expect(example2.eInvoice.payment?.account).toBeTruthy();
    expect(example2.invoice.remitTo?.bankAccount).toBe(
      example2.eInvoice.payment?.account?.toUpperCase().replace(/\s/g, ''),
    );
    const cii5 = readingOf(
      readEInvoice(readFileSync(join(SAMPLES, 'cii/examples/CII_example5.xml'), 'utf8')),
    );
    // The first payment means with an account: the second one's "A" is not chosen.
    expect(cii5.eInvoice.payment).toMatchObject({ meansCode: '58', account: 'DK1212341234123412' });
    expect(cii5.eInvoice.vatBreakdown.map((v) => [v.category, v.rate, v.taxableAmount, v.taxAmount])).toEqual(
      [
        ['S', '25', '1500', '375'],
        ['S', '12', '2500', '300'],
      ],
    );
    expect(cii5.eInvoice.totals).toMatchObject({ prepaid: '2337.5', payable: '2337.5' });
  });
});

const SELLER = { name: 'Nordlicht Bürobedarf GmbH', vatId: 'DE811569869', country: 'DE' };
const BUYER = { name: 'Tollgate Test Buyer B.V.', vatId: 'NL123456789B01', country: 'NL' };

/** An unseen batch: other VAT mixes, currencies, allowances, base quantities, prepaid and rounding. */
const BATCH: readonly (readonly [string, EInvoiceSpec])[] = [
  [
    'UBL EUR, standard and reduced rate, document allowance and charge, price per 100',
    {
      syntax: 'UBL-Invoice',
      id: 'NB-2026-0001',
      issueDate: '2026-11-02',
      dueDate: '2026-12-02',
      currency: 'EUR',
      poNumber: 'PO-77',
      seller: SELLER,
      buyer: BUYER,
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      lines: [
        {
          quantity: '250',
          price: '18.40',
          baseQuantity: '100',
          name: 'Envelopes C5',
          sku: 'ENV-C5',
          category: 'S',
          rate: '19',
        },
        {
          quantity: '12',
          price: '7.35',
          name: 'Books',
          sku: 'BK-1',
          category: 'S',
          rate: '7',
          allowance: '3.00',
        },
      ],
      allowances: [{ amount: '5.00', reason: 'Loyalty', category: 'S', rate: '19' }],
      charges: [{ amount: '9.90', reason: 'Freight', category: 'S', rate: '19' }],
    },
  ],
  [
    'CII CHF, exempt and standard, prepaid and rounding to 5 centimes',
    {
      syntax: 'CII',
      id: 'CH-88120',
      issueDate: '2026-10-15',
      dueDate: '2026-11-14',
      currency: 'CHF',
      seller: { name: 'Alpen Reinigung AG', vatId: 'CHE-123.456.788 MWST', country: 'CH' },
      buyer: BUYER,
      iban: 'CH9300762011623852957',
      lines: [
        { quantity: '3', price: '149.95', name: 'Office cleaning', category: 'S', rate: '8.1' },
        { quantity: '1', price: '80', name: 'Training (exempt)', category: 'E', rate: '0' },
      ],
      prepaid: '100.00',
      rounding: '0.01',
    },
  ],
  [
    'CII SEK, reverse charge, line charge',
    {
      syntax: 'CII',
      id: 'SE-5512',
      issueDate: '2026-09-30',
      currency: 'SEK',
      seller: { name: 'Göta Verktyg AB', vatId: 'SE556677889901', country: 'SE' },
      buyer: BUYER,
      lines: [
        { quantity: '40', price: '312.50', name: 'Drill bits', category: 'AE', rate: '0', charge: '150.00' },
      ],
    },
  ],
  [
    'UBL PLN credit note',
    {
      syntax: 'UBL-CreditNote',
      id: 'KOR/2026/17',
      issueDate: '2026-11-20',
      currency: 'PLN',
      seller: { name: 'Wisła Papier Sp. z o.o.', vatId: 'PL5260250995', country: 'PL' },
      buyer: BUYER,
      lines: [{ quantity: '5', price: '120.00', name: 'Returned toner', category: 'S', rate: '23' }],
    },
  ],
  [
    'UBL with a default namespace for cbc and a prefix for cac, not subject to VAT',
    {
      syntax: 'UBL-Invoice',
      id: 'O-1',
      issueDate: '2026-08-01',
      currency: 'GBP',
      seller: { name: 'Thames Lettings Ltd', country: 'GB' },
      buyer: BUYER,
      lines: [{ quantity: '1', price: '1450.00', name: 'Rent, August', category: 'O' }],
      prefixes: { cac: 'agg', cbc: '' },
    },
  ],
];

describe('an unseen batch of EN 16931 files', () => {
  it.each(BATCH)('%s reads as written and adds up', (_name, spec) => {
    const built = buildEInvoice(spec);
    const e = readEInvoice(built.xml);
    expect(e.syntax).toBe(spec.syntax);
    expect(e.id).toBe(spec.id);
    expect(e.currency).toBe(spec.currency);
    expect(e.seller).toMatchObject({ name: spec.seller.name, vatId: spec.seller.vatId ?? null });
    expect(e.buyer.name).toBe(spec.buyer.name);
    expect(e.totals).toMatchObject({
      lineExtension: built.totals.lineExtension,
      taxExclusive: built.totals.taxExclusive,
      taxAmount: built.totals.taxAmount,
      taxInclusive: built.totals.taxInclusive,
      payable: built.totals.payable,
    });
    expect(e.vatBreakdown.map((v) => [v.category, v.rate, v.taxableAmount, v.taxAmount])).toEqual(
      built.breakdown.map((v) => [v.category, v.rate, v.taxable, v.tax]),
    );
    expect(checkEInvoiceArithmetic(e)).toEqual([]);
    const { invoice } = readingOf(e);
    expect(invoiceSchema.parse(invoice)).toEqual(invoice);
    expect(invoice.total).toBe(built.totals.payable);
    expect(invoice.lines.map((l) => l.amount)).toEqual(built.lineAmounts);
  });

  it('reads a price per base quantity as the price of one unit', () => {
    const [, spec] = BATCH[0] ?? [];
    if (!spec) throw new Error('batch');
    const { invoice, eInvoice } = readingOf(readEInvoice(buildEInvoice(spec).xml));
    expect(invoice.lines[0]).toMatchObject({ quantity: '250', unitPrice: '0.184', amount: '46.00' });
    expect(invoice.remitTo).toEqual({ bankAccount: 'DE89370400440532013000', routingNumber: 'COBADEFFXXX' });
    expect(eInvoice.allowances.map((a) => a.amount)).toEqual(['5.00']);
    expect(eInvoice.charges.map((c) => c.amount)).toEqual(['9.90']);
  });
});

describe('any e-invoice the builder can write', () => {
  const amount = (maxCents: number) =>
    fc.integer({ min: 1, max: maxCents }).map((cents) => (cents / 100).toFixed(2));
  const category = fc.constantFrom(
    { category: 'S', rate: '19' },
    { category: 'S', rate: '7' },
    { category: 'S', rate: '25' },
    { category: 'S', rate: '8.1' },
    { category: 'Z', rate: '0' },
    { category: 'E', rate: '0' },
    { category: 'AE', rate: '0' },
    { category: 'K', rate: '0' },
  );
  const line = fc.record({
    quantity: fc.integer({ min: 1, max: 50_000 }).map((n) => (n / 10).toString()),
    price: amount(500_000),
    baseQuantity: fc.constantFrom(undefined, '1', '10', '100'),
    tax: category,
    allowance: fc.option(amount(500), { nil: undefined }),
    charge: fc.option(amount(500), { nil: undefined }),
  });
  const spec = fc.record({
    syntax: fc.constantFrom('UBL-Invoice', 'UBL-CreditNote', 'CII') as fc.Arbitrary<EInvoiceSpec['syntax']>,
    currency: fc.constantFrom('EUR', 'SEK', 'CHF', 'PLN', 'USD', 'NOK'),
    lines: fc.array(line, { minLength: 1, maxLength: 8 }),
    allowance: fc.option(amount(1_000), { nil: undefined }),
    charge: fc.option(amount(1_000), { nil: undefined }),
    rounding: fc.integer({ min: -5, max: 5 }).map((n) => (n / 100).toFixed(2)),
  });

  it('reads back exactly what was written, adds up, and owes the amount due; one cent off is BR-CO-16', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const taxes = s.lines.map((l) => l.tax);
        const full: EInvoiceSpec = {
          syntax: s.syntax,
          id: 'PROP-1',
          issueDate: '2026-10-01',
          currency: s.currency,
          seller: SELLER,
          buyer: BUYER,
          lines: s.lines.map((l, i) => ({
            quantity: l.quantity,
            price: l.price,
            ...(l.baseQuantity ? { baseQuantity: l.baseQuantity } : {}),
            name: `Item ${i + 1}`,
            ...l.tax,
            ...(l.allowance ? { allowance: l.allowance } : {}),
            ...(l.charge ? { charge: l.charge } : {}),
          })),
          allowances: s.allowance
            ? [{ amount: s.allowance, reason: 'Discount', ...(taxes[0] ?? { category: 'S', rate: '19' }) }]
            : [],
          charges: s.charge
            ? [{ amount: s.charge, reason: 'Freight', ...(taxes.at(-1) ?? { category: 'S', rate: '19' }) }]
            : [],
          rounding: s.rounding,
        };
        const built = buildEInvoice(full);
        const e = readEInvoice(built.xml);
        expect(checkEInvoiceArithmetic(e)).toEqual([]);
        expect(e.totals).toMatchObject({ payable: built.totals.payable, taxAmount: built.totals.taxAmount });
        const { invoice, eInvoice } = readingOf(e);
        expect(invoiceSchema.parse(invoice)).toEqual(invoice);
        expect(invoice.total).toBe(built.totals.payable);
        const negative = built.totals.payable.startsWith('-');
        expect(eInvoice.credit).toBe(
          s.syntax === 'UBL-CreditNote' ? 'CREDIT_NOTE' : negative ? 'NEGATIVE_INVOICE' : null,
        );
        const off = buildEInvoice({
          ...full,
          override: { payable: showDecimal(plus(decimal(built.totals.payable), decimal('0.01')), 2) },
        });
        expect(checkEInvoiceArithmetic(readEInvoice(off.xml)).map((b) => b.rule)).toEqual(['BR-CO-16']);
      }),
      { numRuns: 150 },
    );
  });
});

describe('a file whose own figures do not add up is an exception with the rule named', () => {
  const base = BATCH[0]?.[1] as EInvoiceSpec;
  it.each([
    ['BR-CO-10', { lineExtension: '132.21' }],
    ['BR-CO-11', { allowanceTotal: '4.00' }],
    ['BR-CO-12', { chargeTotal: '9.00' }],
    ['BR-CO-14', { taxAmount: '20.00' }],
    ['BR-CO-16', { payable: '999.00' }],
  ] as const)('%s', (ruleId, override) => {
    for (const syntax of ['UBL-Invoice', 'CII'] as const) {
      const e = readEInvoice(buildEInvoice({ ...base, syntax, override }).xml);
      const breaks = checkEInvoiceArithmetic(e).map((b) => b.rule);
      expect(breaks).toContain(ruleId);
      const results = eInvoiceRules(readingOf(e).eInvoice);
      expect(failedCodes(results)).toEqual(['EN16931_ARITHMETIC']);
      expect(results.find((r) => !r.passed)?.detail).toMatch(/^BR-CO-1[0-7]/);
    }
  });

  it('BR-CO-13, BR-CO-15 and a category whose taxable amount is wrong', () => {
    const e = readEInvoice(
      buildEInvoice({ ...base, override: { taxExclusive: '150.00', taxInclusive: '999.99' } }).xml,
    );
    expect(checkEInvoiceArithmetic(e).map((b) => b.rule)).toEqual(['BR-CO-13', 'BR-CO-15', 'BR-CO-16']);
    const tampered = buildEInvoice(base).xml.replace(
      /<cbc:TaxableAmount currencyID="EUR">([\d.]+)<\/cbc:TaxableAmount>/,
      '<cbc:TaxableAmount currencyID="EUR">1.00</cbc:TaxableAmount>',
    );
    expect(checkEInvoiceArithmetic(readEInvoice(tampered)).map((b) => b.rule)).toEqual([
      'BR-S-08',
      'BR-CO-17',
    ]);
  });

  it('an amount due that quietly drops the prepaid amount is caught exactly, to the cent', () => {
    const spec = BATCH[1]?.[1] as EInvoiceSpec;
    const built = buildEInvoice(spec);
    const off = buildEInvoice({ ...spec, override: { payable: built.totals.taxInclusive } });
    expect(checkEInvoiceArithmetic(readEInvoice(off.xml)).map((b) => b.rule)).toEqual(['BR-CO-16']);
    const oneCent = buildEInvoice({ ...spec, rounding: '0.02', override: { payable: built.totals.payable } });
    expect(checkEInvoiceArithmetic(readEInvoice(oneCent.xml)).map((b) => b.rule)).toEqual(['BR-CO-16']);
  });
});

describe('files that are refused whole, with a code', () => {
  const valid = buildEInvoice(BATCH[0]?.[1] as EInvoiceSpec).xml;

  it.each([
    [
      'an ISO 20022 statement',
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>',
      'NOT_AN_EINVOICE',
    ],
    ['an Invoice root in no namespace', '<Invoice><ID>1</ID></Invoice>', 'NOT_AN_EINVOICE'],
    [
      'a UBL Invoice in a look-alike namespace',
      valid.replace('xsd:Invoice-2"', 'xsd:Invoice-3"'),
      'NOT_AN_EINVOICE',
    ],
    ['HTML', '<html><body>Invoice 1</body></html>', 'NOT_AN_EINVOICE'],
    ['text', 'INVOICE 42 total 100.00', 'MALFORMED_XML'],
    ['malformed XML', valid.slice(0, valid.length - 30), 'MALFORMED_XML'],
    [
      'a total that is not a number',
      valid.replace(/<cbc:PayableAmount currencyID="EUR">[^<]+/, '<cbc:PayableAmount currencyID="EUR">1e3'),
      'AMOUNT_INVALID',
    ],
    ['a date that does not exist', valid.replace('2026-11-02', '2026-02-30'), 'DATE_INVALID'],
    [
      'two invoice numbers',
      valid.replace(
        '<cbc:ID>NB-2026-0001</cbc:ID>',
        '<cbc:ID>NB-2026-0001</cbc:ID><cbc:ID>NB-2026-0002</cbc:ID>',
      ),
      'REPEATED_ELEMENT',
    ],
    [
      'no totals',
      valid.replace(/<cac:LegalMonetaryTotal>.*<\/cac:LegalMonetaryTotal>/s, ''),
      'MISSING_ELEMENT',
    ],
    [
      'a currency that is not a code',
      valid.replace('<cbc:DocumentCurrencyCode>EUR', '<cbc:DocumentCurrencyCode>euro'),
      'CURRENCY_INVALID',
    ],
  ])('%s is EINVOICE_INVALID', (_name, xml, rule) => {
    expect(refusal(() => readEInvoice(xml))).toMatchObject({ code: 'EINVOICE_INVALID', rule });
  });

  it('an entity-expansion bomb is refused without expanding it', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>${valid.slice(valid.indexOf('<Invoice')).replace('NB-2026-0001', '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;')}`;
    expect(refusal(() => readEInvoice(bomb))).toMatchObject({
      code: 'EINVOICE_INVALID',
      rule: 'DTD_NOT_ALLOWED',
    });
    // Nor may a DTD define what the invoice number reads as.
    const spoof = `<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY n "INV-1">]>${valid.slice(valid.indexOf('<Invoice')).replace('NB-2026-0001', '&n;')}`;
    expect(refusal(() => readEInvoice(spoof))).toMatchObject({
      code: 'EINVOICE_INVALID',
      rule: 'DTD_NOT_ALLOWED',
    });
  });

  it('size, line and attachment limits are EINVOICE_TOO_LARGE', () => {
    const spec = BATCH[0]?.[1] as EInvoiceSpec;
    const line = spec.lines[0];
    if (!line) throw new Error('line');
    expect(refusal(() => readEInvoice(`${valid}${' '.repeat(EINVOICE_LIMITS.maxXmlChars)}`))).toMatchObject({
      code: 'EINVOICE_TOO_LARGE',
      rule: 'FILE_TOO_LARGE',
    });
    const manyLines = buildEInvoice({
      ...spec,
      lines: Array.from({ length: EINVOICE_LIMITS.maxLines + 1 }, () => line),
    });
    expect(refusal(() => readEInvoice(manyLines.xml))).toMatchObject({
      code: 'EINVOICE_TOO_LARGE',
      rule: 'TOO_MANY_LINES',
    });
    const atLimit = buildEInvoice({
      ...spec,
      lines: Array.from({ length: EINVOICE_LIMITS.maxLines }, () => line),
    });
    expect(readEInvoice(atLimit.xml).lines).toHaveLength(EINVOICE_LIMITS.maxLines);
    for (const syntax of ['UBL-Invoice', 'CII'] as const) {
      const many = buildEInvoice({
        ...spec,
        syntax,
        attachments: Array.from(
          { length: EINVOICE_LIMITS.maxAttachments + 1 },
          (_, i) => [`a${i}.pdf`, 10] as const,
        ),
      });
      expect(refusal(() => readEInvoice(many.xml))).toMatchObject({
        code: 'EINVOICE_TOO_LARGE',
        rule: 'ATTACHMENTS_TOO_LARGE',
      });
      const heavy = buildEInvoice({
        ...spec,
        syntax,
        attachments: [['big.pdf', EINVOICE_LIMITS.maxAttachmentBytes + 1]],
      });
      expect(refusal(() => readEInvoice(heavy.xml))).toMatchObject({
        code: 'EINVOICE_TOO_LARGE',
        rule: 'ATTACHMENTS_TOO_LARGE',
      });
      const allowed = buildEInvoice({ ...spec, syntax, attachments: [['ok.pdf', 1000]] });
      expect(readEInvoice(allowed.xml).attachments).toEqual([
        { filename: 'ok.pdf', mimeCode: 'application/pdf', bytes: 1000 },
      ]);
    }
  });
});

describe('what a file can make a run carry', () => {
  const spec = BATCH[0]?.[1] as EInvoiceSpec;

  it('refuses repeated groups past their limits, so what is read fits the run state', () => {
    const allowance = { amount: '0.01', reason: 'Promo', category: 'S', rate: '19' };
    // The spec carries one charge already.
    const many = buildEInvoice({
      ...spec,
      allowances: Array.from({ length: EINVOICE_LIMITS.maxAllowancesCharges }, () => allowance),
    });
    expect(refusal(() => readEInvoice(many.xml))).toMatchObject({
      code: 'EINVOICE_TOO_LARGE',
      rule: 'TOO_MANY_ELEMENTS',
    });
    const atLimit = buildEInvoice({
      ...spec,
      allowances: Array.from({ length: EINVOICE_LIMITS.maxAllowancesCharges - 1 }, () => allowance),
    });
    expect(checkEInvoiceArithmetic(readEInvoice(atLimit.xml))).toEqual([]);
  });

  it("clips a vendor's free text in the summary and leaves an over-long name out of the invoice fields", () => {
    const name = 'N'.repeat(5_000);
    const { invoice, eInvoice } = readingOf(
      readEInvoice(buildEInvoice({ ...spec, seller: { ...spec.seller, name } }).xml),
    );
    expect(invoice.vendorName).toBeNull();
    expect(eInvoice.seller.name).toHaveLength(SUMMARY_TEXT_CHARS);
    expect(JSON.stringify(eInvoice).length).toBeLessThan(10_000);
  });
});

describe('the request body', () => {
  const body = (xml: string) => ({ invoice: { xml } });
  const codeOf = (request: unknown) => {
    try {
      parseRunbookRequest(invoiceReconciliation, request);
      return 'accepted';
    } catch (error) {
      return error instanceof TollgateError ? error.code : 'thrown';
    }
  };

  it('takes UBL and CII and refuses anything else with a code', () => {
    const spec = BATCH[0]?.[1] as EInvoiceSpec;
    expect(codeOf(body(buildEInvoice(spec).xml))).toBe('accepted');
    expect(codeOf(body(buildEInvoice({ ...spec, syntax: 'CII' }).xml))).toBe('accepted');
    expect(codeOf(body('<Invoice/>'))).toBe('EINVOICE_INVALID');
    expect(codeOf(body(''))).toBe('EINVOICE_INVALID');
    expect(codeOf(body(`${buildEInvoice(spec).xml}${' '.repeat(EINVOICE_LIMITS.maxXmlChars)}`))).toBe(
      'EINVOICE_TOO_LARGE',
    );
    expect(codeOf({ invoice: { xml: buildEInvoice(spec).xml, text: 'also text' } })).toBe(
      'VALIDATION_FAILED',
    );
  });
});
