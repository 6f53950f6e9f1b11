import PDFDocument from 'pdfkit';
import {
  type Decimal,
  decimal,
  minus,
  plus,
  showDecimal,
  sumDecimals,
  times,
} from '#platform/core/decimal.ts';

/**
 * EN 16931 e-invoices built for tests, in UBL (Invoice, CreditNote) or CII, with their totals
 * computed exactly from the lines, allowances and charges — so a test can read back what it
 * wrote, or change one figure and expect the rule that catches it.
 */
export interface EInvoiceLineSpec {
  readonly quantity: string;
  /** Net price per `baseQuantity` units. */
  readonly price: string;
  readonly baseQuantity?: string;
  readonly name: string;
  readonly sku?: string;
  readonly category: string;
  /** Omitted for category O. */
  readonly rate?: string;
  readonly allowance?: string;
  readonly charge?: string;
}

export interface AdjustmentSpec {
  readonly amount: string;
  readonly reason: string;
  readonly category: string;
  readonly rate?: string;
}

export interface EInvoiceSpec {
  readonly syntax: 'UBL-Invoice' | 'UBL-CreditNote' | 'CII';
  readonly id: string;
  readonly issueDate: string;
  readonly dueDate?: string;
  readonly typeCode?: string;
  readonly currency: string;
  readonly poNumber?: string;
  readonly seller: { readonly name: string; readonly vatId?: string; readonly country: string };
  readonly buyer: { readonly name: string; readonly vatId?: string; readonly country: string };
  readonly iban?: string;
  readonly bic?: string;
  readonly lines: readonly EInvoiceLineSpec[];
  readonly allowances?: readonly AdjustmentSpec[];
  readonly charges?: readonly AdjustmentSpec[];
  readonly prepaid?: string;
  readonly rounding?: string;
  /** Figures written instead of the computed ones, to break a rule on purpose. */
  readonly override?: Partial<Record<keyof BuiltTotals, string>>;
  /** Embedded attachments: [filename, bytes]. */
  readonly attachments?: readonly (readonly [string, number])[];
  /** Namespace prefixes to write UBL with (default cac/cbc); '' writes the default namespace. */
  readonly prefixes?: { readonly cac: string; readonly cbc: string };
}

export interface BuiltTotals {
  lineExtension: string;
  allowanceTotal: string;
  chargeTotal: string;
  taxExclusive: string;
  taxAmount: string;
  taxInclusive: string;
  prepaid: string;
  rounding: string;
  payable: string;
}

export interface BuiltEInvoice {
  readonly xml: string;
  readonly totals: BuiltTotals;
  readonly lineAmounts: readonly string[];
  readonly breakdown: readonly { category: string; rate: string | null; taxable: string; tax: string }[];
}

const ZERO = decimal('0');

/** Half away from zero to cents. */
function cents(value: Decimal): Decimal {
  const scaled = value.numerator * 100n;
  const quotient = scaled / value.denominator;
  const remainder = scaled % value.denominator;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  return {
    numerator: quotient + (twice >= value.denominator ? (scaled < 0n ? -1n : 1n) : 0n),
    denominator: 100n,
  };
}

const show = (value: Decimal) => showDecimal(value, 2);
const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function lineNet(line: EInvoiceLineSpec): Decimal {
  const base = decimal(line.baseQuantity ?? '1');
  const gross = times(decimal(line.quantity), decimal(line.price));
  // qty × price ÷ base, rounded to cents once (cents() takes any denominator).
  const perBase = {
    numerator: gross.numerator * base.denominator,
    denominator: gross.denominator * base.numerator,
  };
  return plus(minus(cents(perBase), decimal(line.allowance ?? '0')), decimal(line.charge ?? '0'));
}

export function buildEInvoice(spec: EInvoiceSpec): BuiltEInvoice {
  const amounts = spec.lines.map(lineNet);
  const allowances = spec.allowances ?? [];
  const charges = spec.charges ?? [];
  const lineExtension = sumDecimals(amounts);
  const allowanceTotal = sumDecimals(allowances.map((a) => decimal(a.amount)));
  const chargeTotal = sumDecimals(charges.map((c) => decimal(c.amount)));
  const taxExclusive = plus(minus(lineExtension, allowanceTotal), chargeTotal);
  const keys = [
    ...new Map(
      [...spec.lines, ...allowances, ...charges].map((item) => [
        `${item.category}|${item.rate ?? ''}`,
        { category: item.category, rate: item.rate ?? null },
      ]),
    ).values(),
  ];
  const breakdown = keys.map(({ category, rate }) => {
    const inCategory = <T extends { category: string; rate?: string }>(items: readonly T[]) =>
      items.filter((item) => item.category === category && (item.rate ?? null) === rate);
    const taxable = plus(
      minus(
        sumDecimals(spec.lines.map((line, i) => (inCategory([line]).length ? (amounts[i] ?? ZERO) : ZERO))),
        sumDecimals(inCategory(allowances).map((a) => decimal(a.amount))),
      ),
      sumDecimals(inCategory(charges).map((c) => decimal(c.amount))),
    );
    const tax =
      rate === null
        ? ZERO
        : cents(
            times(taxable, {
              numerator: decimal(rate).numerator,
              denominator: decimal(rate).denominator * 100n,
            }),
          );
    return { category, rate, taxable: show(taxable), tax: show(tax) };
  });
  const taxAmount = sumDecimals(breakdown.map((b) => decimal(b.tax)));
  const taxInclusive = plus(taxExclusive, taxAmount);
  const prepaid = decimal(spec.prepaid ?? '0');
  const rounding = decimal(spec.rounding ?? '0');
  const payable = plus(minus(taxInclusive, prepaid), rounding);
  const totals: BuiltTotals = {
    lineExtension: show(lineExtension),
    allowanceTotal: show(allowanceTotal),
    chargeTotal: show(chargeTotal),
    taxExclusive: show(taxExclusive),
    taxAmount: show(taxAmount),
    taxInclusive: show(taxInclusive),
    prepaid: show(prepaid),
    rounding: show(rounding),
    payable: show(payable),
    ...spec.override,
  };
  const built = { totals, lineAmounts: amounts.map(show), breakdown };
  return { ...built, xml: spec.syntax === 'CII' ? cii(spec, built) : ubl(spec, built) };
}

type Built = Omit<BuiltEInvoice, 'xml'>;

function ubl(spec: EInvoiceSpec, built: Built): string {
  const credit = spec.syntax === 'UBL-CreditNote';
  const root = credit ? 'CreditNote' : 'Invoice';
  const prefixes = spec.prefixes ?? { cac: 'cac', cbc: 'cbc' };
  const a = (name: string) => (prefixes.cac ? `${prefixes.cac}:${name}` : name);
  const b = (name: string) => (prefixes.cbc ? `${prefixes.cbc}:${name}` : name);
  const el = (name: string, text: string, attrs = '') =>
    `<${b(name)}${attrs}>${escapeXml(text)}</${b(name)}>`;
  const amount = (name: string, value: string) => el(name, value, ` currencyID="${spec.currency}"`);
  const wrap = (name: string, inner: string) => `<${a(name)}>${inner}</${a(name)}>`;
  const category = (name: string, id: string, rate: string | undefined | null) =>
    wrap(
      name,
      `${el('ID', id)}${rate == null ? '' : el('Percent', rate)}${wrap('TaxScheme', el('ID', 'VAT'))}`,
    );
  const party = (p: EInvoiceSpec['seller']) =>
    wrap(
      'Party',
      `${wrap('PostalAddress', wrap('Country', el('IdentificationCode', p.country)))}${
        p.vatId
          ? wrap('PartyTaxScheme', `${el('CompanyID', p.vatId)}${wrap('TaxScheme', el('ID', 'VAT'))}`)
          : ''
      }${wrap('PartyLegalEntity', el('RegistrationName', p.name))}`,
    );
  const adjustment = (charge: boolean, adj: AdjustmentSpec) =>
    wrap(
      'AllowanceCharge',
      `${el('ChargeIndicator', String(charge))}${el('AllowanceChargeReason', adj.reason)}${amount('Amount', adj.amount)}${category('TaxCategory', adj.category, adj.rate)}`,
    );
  const lineAdjustment = (charge: boolean, value: string) =>
    wrap(
      'AllowanceCharge',
      `${el('ChargeIndicator', String(charge))}${el('AllowanceChargeReason', charge ? 'Handling' : 'Discount')}${amount('Amount', value)}`,
    );
  const t = built.totals;
  const namespaces = [
    `xmlns${prefixes.cac ? `:${prefixes.cac}` : ''}="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"`,
    `xmlns${prefixes.cbc ? `:${prefixes.cbc}` : ''}="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"`,
  ];
  // With a default namespace taken by cac or cbc, the root needs a prefix of its own.
  const rootName = prefixes.cac && prefixes.cbc ? root : `doc:${root}`;
  const rootNs = `xmlns${rootName === root ? '' : ':doc'}="urn:oasis:names:specification:ubl:schema:xsd:${root}-2"`;
  const lines = spec.lines
    .map((line, i) =>
      wrap(
        credit ? 'CreditNoteLine' : 'InvoiceLine',
        `${el('ID', String(i + 1))}${el(credit ? 'CreditedQuantity' : 'InvoicedQuantity', line.quantity, ' unitCode="C62"')}${amount('LineExtensionAmount', built.lineAmounts[i] ?? '0')}${
          line.allowance ? lineAdjustment(false, line.allowance) : ''
        }${line.charge ? lineAdjustment(true, line.charge) : ''}${wrap(
          'Item',
          `${el('Name', line.name)}${line.sku ? wrap('SellersItemIdentification', el('ID', line.sku)) : ''}${category('ClassifiedTaxCategory', line.category, line.rate)}`,
        )}${wrap('Price', `${amount('PriceAmount', line.price)}${line.baseQuantity ? el('BaseQuantity', line.baseQuantity, ' unitCode="C62"') : ''}`)}`,
      ),
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<${rootName} ${rootNs} ${namespaces.join(' ')}>${el('CustomizationID', 'urn:cen.eu:en16931:2017')}${el('ID', spec.id)}${el('IssueDate', spec.issueDate)}${
    !credit && spec.dueDate ? el('DueDate', spec.dueDate) : ''
  }${el(credit ? 'CreditNoteTypeCode' : 'InvoiceTypeCode', spec.typeCode ?? (credit ? '381' : '380'))}${el('DocumentCurrencyCode', spec.currency)}${
    spec.poNumber ? wrap('OrderReference', el('ID', spec.poNumber)) : ''
  }${(spec.attachments ?? [])
    .map(([name, bytes]) =>
      wrap(
        'AdditionalDocumentReference',
        `${el('ID', name)}${wrap('Attachment', el('EmbeddedDocumentBinaryObject', Buffer.alloc(bytes, 7).toString('base64'), ` mimeCode="application/pdf" filename="${name}"`))}`,
      ),
    )
    .join(
      '',
    )}${wrap('AccountingSupplierParty', party(spec.seller))}${wrap('AccountingCustomerParty', party(spec.buyer))}${
    spec.iban
      ? wrap(
          'PaymentMeans',
          `${el('PaymentMeansCode', '58')}${credit && spec.dueDate ? el('PaymentDueDate', spec.dueDate) : ''}${el('PaymentID', spec.id)}${wrap(
            'PayeeFinancialAccount',
            `${el('ID', spec.iban)}${spec.bic ? wrap('FinancialInstitutionBranch', el('ID', spec.bic)) : ''}`,
          )}`,
        )
      : ''
  }${(spec.allowances ?? []).map((x) => adjustment(false, x)).join('')}${(spec.charges ?? []).map((x) => adjustment(true, x)).join('')}${wrap(
    'TaxTotal',
    `${amount('TaxAmount', t.taxAmount)}${built.breakdown
      .map((v) =>
        wrap(
          'TaxSubtotal',
          `${amount('TaxableAmount', v.taxable)}${amount('TaxAmount', v.tax)}${category('TaxCategory', v.category, v.rate)}`,
        ),
      )
      .join('')}`,
  )}${wrap(
    'LegalMonetaryTotal',
    `${amount('LineExtensionAmount', t.lineExtension)}${amount('TaxExclusiveAmount', t.taxExclusive)}${amount('TaxInclusiveAmount', t.taxInclusive)}${amount('AllowanceTotalAmount', t.allowanceTotal)}${amount('ChargeTotalAmount', t.chargeTotal)}${amount('PrepaidAmount', t.prepaid)}${amount('PayableRoundingAmount', t.rounding)}${amount('PayableAmount', t.payable)}`,
  )}${lines}</${rootName}>`;
}

function cii(spec: EInvoiceSpec, built: Built): string {
  const ram = (name: string, inner: string, attrs = '') => `<ram:${name}${attrs}>${inner}</ram:${name}>`;
  const text = (name: string, value: string, attrs = '') => ram(name, escapeXml(value), attrs);
  const date = (value: string) =>
    `<udt:DateTimeString format="102">${value.replaceAll('-', '')}</udt:DateTimeString>`;
  const tax = (category: string, rate: string | null | undefined) =>
    `${text('TypeCode', 'VAT')}${text('CategoryCode', category)}${rate == null ? '' : text('RateApplicablePercent', rate)}`;
  const party = (name: string, p: EInvoiceSpec['seller']) =>
    ram(
      name,
      `${text('Name', p.name)}${ram('PostalTradeAddress', text('CountryID', p.country))}${
        p.vatId ? ram('SpecifiedTaxRegistration', text('ID', p.vatId, ' schemeID="VA"')) : ''
      }`,
    );
  const adjustment = (charge: boolean, adj: AdjustmentSpec, withTax = true) =>
    ram(
      'SpecifiedTradeAllowanceCharge',
      `${ram('ChargeIndicator', `<udt:Indicator>${charge}</udt:Indicator>`)}${text('ActualAmount', adj.amount)}${text('Reason', adj.reason)}${
        withTax ? ram('CategoryTradeTax', tax(adj.category, adj.rate)) : ''
      }`,
    );
  const t = built.totals;
  const lines = spec.lines
    .map((line, i) =>
      ram(
        'IncludedSupplyChainTradeLineItem',
        `${ram('AssociatedDocumentLineDocument', text('LineID', String(i + 1)))}${ram(
          'SpecifiedTradeProduct',
          `${line.sku ? text('SellerAssignedID', line.sku) : ''}${text('Name', line.name)}`,
        )}${ram(
          'SpecifiedLineTradeAgreement',
          ram(
            'NetPriceProductTradePrice',
            `${text('ChargeAmount', line.price)}${line.baseQuantity ? text('BasisQuantity', line.baseQuantity, ' unitCode="C62"') : ''}`,
          ),
        )}${ram('SpecifiedLineTradeDelivery', text('BilledQuantity', line.quantity, ' unitCode="C62"'))}${ram(
          'SpecifiedLineTradeSettlement',
          `${ram('ApplicableTradeTax', tax(line.category, line.rate))}${
            line.allowance
              ? adjustment(
                  false,
                  { amount: line.allowance, reason: 'Discount', category: line.category },
                  false,
                )
              : ''
          }${line.charge ? adjustment(true, { amount: line.charge, reason: 'Handling', category: line.category }, false) : ''}${ram(
            'SpecifiedTradeSettlementLineMonetarySummation',
            text('LineTotalAmount', built.lineAmounts[i] ?? '0'),
          )}`,
        )}`,
      ),
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"><rsm:ExchangedDocumentContext>${ram(
    'GuidelineSpecifiedDocumentContextParameter',
    text('ID', 'urn:cen.eu:en16931:2017'),
  )}</rsm:ExchangedDocumentContext><rsm:ExchangedDocument>${text('ID', spec.id)}${text('TypeCode', spec.typeCode ?? '380')}${ram(
    'IssueDateTime',
    date(spec.issueDate),
  )}</rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>${lines}${ram(
    'ApplicableHeaderTradeAgreement',
    `${party('SellerTradeParty', spec.seller)}${party('BuyerTradeParty', spec.buyer)}${
      spec.poNumber ? ram('BuyerOrderReferencedDocument', text('IssuerAssignedID', spec.poNumber)) : ''
    }${(spec.attachments ?? [])
      .map(([name, bytes]) =>
        ram(
          'AdditionalReferencedDocument',
          `${text('IssuerAssignedID', name)}${text('TypeCode', '916')}${text('AttachmentBinaryObject', Buffer.alloc(bytes, 7).toString('base64'), ` mimeCode="application/pdf" filename="${name}"`)}`,
        ),
      )
      .join('')}`,
  )}${ram('ApplicableHeaderTradeDelivery', '')}${ram(
    'ApplicableHeaderTradeSettlement',
    `${text('PaymentReference', spec.id)}${text('InvoiceCurrencyCode', spec.currency)}${
      spec.iban
        ? ram(
            'SpecifiedTradeSettlementPaymentMeans',
            `${text('TypeCode', '58')}${ram('PayeePartyCreditorFinancialAccount', text('IBANID', spec.iban))}${
              spec.bic ? ram('PayeeSpecifiedCreditorFinancialInstitution', text('BICID', spec.bic)) : ''
            }`,
          )
        : ''
    }${built.breakdown
      .map((v) =>
        ram(
          'ApplicableTradeTax',
          `${text('CalculatedAmount', v.tax)}${text('TypeCode', 'VAT')}${text('BasisAmount', v.taxable)}${text('CategoryCode', v.category)}${
            v.rate === null ? '' : text('RateApplicablePercent', v.rate)
          }`,
        ),
      )
      .join(
        '',
      )}${(spec.allowances ?? []).map((x) => adjustment(false, x)).join('')}${(spec.charges ?? []).map((x) => adjustment(true, x)).join('')}${
      spec.dueDate ? ram('SpecifiedTradePaymentTerms', ram('DueDateDateTime', date(spec.dueDate))) : ''
    }${ram(
      'SpecifiedTradeSettlementHeaderMonetarySummation',
      `${text('LineTotalAmount', t.lineExtension)}${text('ChargeTotalAmount', t.chargeTotal)}${text('AllowanceTotalAmount', t.allowanceTotal)}${text('TaxBasisTotalAmount', t.taxExclusive)}${text('TaxTotalAmount', t.taxAmount, ` currencyID="${spec.currency}"`)}${text('RoundingAmount', t.rounding)}${text('GrandTotalAmount', t.taxInclusive)}${text('TotalPrepaidAmount', t.prepaid)}${text('DuePayableAmount', t.payable)}`,
    )}`,
  )}</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>`;
}

/**
 * A PDF with printed lines and embedded files, as a Factur-X / ZUGFeRD invoice carries its XML
 * (pdfkit writes the files into the PDF's EmbeddedFiles name tree).
 */
export async function pdfWithFiles(
  lines: readonly string[],
  files: readonly (readonly [string, Uint8Array | string])[],
): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50 });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.font('Helvetica').fontSize(11);
  for (const line of lines) doc.text(line);
  for (const [name, content] of files) {
    doc.file(Buffer.from(content), {
      name,
      type: name.endsWith('.xml') ? 'text/xml' : 'application/octet-stream',
      description: name.endsWith('.xml') ? 'Factur-X invoice data' : 'attachment',
    });
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
