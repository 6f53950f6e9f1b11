import type {
  EInvoice,
  EInvoiceAllowanceCharge,
  EInvoiceLine,
  EInvoiceParty,
  EInvoicePayment,
  EInvoiceVatBreakdown,
} from './e-invoice.ts';
import {
  amountText,
  attachmentsOf,
  checkLineCount,
  currencyText,
  dateText,
  requiredAmount,
} from './e-invoice-fields.ts';
import { textAt, type XmlElement } from './xml-tree.ts';

/** UBL 2.1 as EN 16931 binds it (the Peppol BIS Billing 3.0 syntax binding). */
export const UBL_NAMESPACES = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
} as const;

const cac = (name: string) => [UBL_NAMESPACES.cac, name] as const;
const cbc = (name: string) => [UBL_NAMESPACES.cbc, name] as const;

function party(element: XmlElement | undefined): EInvoiceParty {
  const node = element?.at(cac('Party'));
  const schemes = node?.all(...cac('PartyTaxScheme')) ?? [];
  const scheme = (vat: boolean) =>
    schemes
      .filter((s) => (textAt(s, cac('TaxScheme'), cbc('ID')) === 'VAT') === vat)
      .map((s) => textAt(s, cbc('CompanyID')))
      .find((id) => id !== null) ?? null;
  const legalName = node ? textAt(node, cac('PartyLegalEntity'), cbc('RegistrationName')) : null;
  const tradingName = node?.all(...cac('PartyName')).map((n) => textAt(n, cbc('Name')))[0] ?? null;
  return {
    name: legalName ?? tradingName,
    tradingName: legalName !== null ? tradingName : null,
    vatId: scheme(true),
    taxRegistrationId: scheme(false),
    legalId: node ? textAt(node, cac('PartyLegalEntity'), cbc('CompanyID')) : null,
    country: node ? textAt(node, cac('PostalAddress'), cac('Country'), cbc('IdentificationCode')) : null,
  };
}

function allowanceCharge(element: XmlElement, category: readonly [string, string]): EInvoiceAllowanceCharge {
  return {
    amount: requiredAmount(element.optional(...cbc('Amount')), `${element.path}/Amount`),
    baseAmount: amountText(element.optional(...cbc('BaseAmount'))),
    percent: textAt(element, cbc('MultiplierFactorNumeric')),
    reason: textAt(element, cbc('AllowanceChargeReason')),
    reasonCode: textAt(element, cbc('AllowanceChargeReasonCode')),
    vatCategory: textAt(element, category, cbc('ID')),
    vatRate: textAt(element, category, cbc('Percent')),
  };
}

const isCharge = (element: XmlElement) => textAt(element, cbc('ChargeIndicator')) === 'true';

function line(element: XmlElement, quantityName: string): EInvoiceLine {
  const item = element.optional(...cac('Item'));
  const quantity = element.required(...cbc(quantityName));
  const adjustments = element.all(...cac('AllowanceCharge'));
  const amounts = (charge: boolean) =>
    adjustments
      .filter((a) => isCharge(a) === charge)
      .map((a) => requiredAmount(a.optional(...cbc('Amount')), `${a.path}/Amount`));
  return {
    id: element.required(...cbc('ID')).text(),
    quantity: requiredAmount(quantity, quantity.path),
    unitCode: quantity.attribute('unitCode'),
    netAmount: requiredAmount(
      element.optional(...cbc('LineExtensionAmount')),
      `${element.path}/LineExtensionAmount`,
    ),
    netPrice: amountText(element.at(cac('Price'), cbc('PriceAmount'))),
    baseQuantity: amountText(element.at(cac('Price'), cbc('BaseQuantity'))),
    name: item ? textAt(item, cbc('Name')) : null,
    itemId: item
      ? (textAt(item, cac('SellersItemIdentification'), cbc('ID')) ??
        textAt(item, cac('StandardItemIdentification'), cbc('ID')))
      : null,
    vatCategory: item ? textAt(item, cac('ClassifiedTaxCategory'), cbc('ID')) : null,
    vatRate: item ? textAt(item, cac('ClassifiedTaxCategory'), cbc('Percent')) : null,
    orderLineId: textAt(element, cac('OrderLineReference'), cbc('LineID')),
    allowances: amounts(false),
    charges: amounts(true),
  };
}

function payment(root: XmlElement): EInvoicePayment | null {
  const means = root.all(...cac('PaymentMeans'));
  if (means.length === 0) return null;
  const chosen = means.find((m) => m.at(cac('PayeeFinancialAccount'), cbc('ID'))) ?? means[0];
  if (!chosen) return null;
  return {
    meansCode: textAt(chosen, cbc('PaymentMeansCode')),
    reference: textAt(chosen, cbc('PaymentID')),
    account: textAt(chosen, cac('PayeeFinancialAccount'), cbc('ID')),
    accountName: textAt(chosen, cac('PayeeFinancialAccount'), cbc('Name')),
    bic: textAt(chosen, cac('PayeeFinancialAccount'), cac('FinancialInstitutionBranch'), cbc('ID')),
  };
}

/**
 * BT-110 is the TaxTotal in the invoice currency (the one with the breakdown); BT-111 the one
 * in the tax currency, when the file gives a different tax currency.
 */
function taxTotals(root: XmlElement, currency: string, taxCurrency: string | null) {
  const totals = root.all(...cac('TaxTotal'));
  const amountOf = (t: XmlElement) => t.optional(...cbc('TaxAmount'));
  const inCurrency = (code: string) => totals.filter((t) => amountOf(t)?.attribute('currencyID') === code);
  const main =
    totals.find((t) => t.all(...cac('TaxSubtotal')).length > 0) ?? inCurrency(currency)[0] ?? totals[0];
  const other =
    taxCurrency && taxCurrency !== currency ? inCurrency(taxCurrency).find((t) => t !== main) : undefined;
  const breakdown: EInvoiceVatBreakdown[] = (main?.all(...cac('TaxSubtotal')) ?? []).map((subtotal) => ({
    category: subtotal
      .required(...cac('TaxCategory'))
      .required(...cbc('ID'))
      .text(),
    rate: textAt(subtotal, cac('TaxCategory'), cbc('Percent')),
    taxableAmount: requiredAmount(
      subtotal.optional(...cbc('TaxableAmount')),
      `${subtotal.path}/TaxableAmount`,
    ),
    taxAmount: requiredAmount(subtotal.optional(...cbc('TaxAmount')), `${subtotal.path}/TaxAmount`),
    exemptionReason: textAt(subtotal, cac('TaxCategory'), cbc('TaxExemptionReason')),
    exemptionReasonCode: textAt(subtotal, cac('TaxCategory'), cbc('TaxExemptionReasonCode')),
  }));
  return {
    taxAmount: main ? amountText(amountOf(main)) : null,
    taxAmountInTaxCurrency: other ? amountText(amountOf(other)) : null,
    breakdown,
  };
}

/** Reads a UBL Invoice or CreditNote root into the EN 16931 invoice. */
export function readUbl(root: XmlElement, kind: 'Invoice' | 'CreditNote'): EInvoice {
  const lineName = kind === 'Invoice' ? 'InvoiceLine' : 'CreditNoteLine';
  const lineElements = root.all(...cac(lineName));
  checkLineCount(lineElements.length);
  const currency = currencyText(root.optional(...cbc('DocumentCurrencyCode')), 'DocumentCurrencyCode');
  const taxCurrencyElement = root.optional(...cbc('TaxCurrencyCode'));
  const taxCurrency = taxCurrencyElement ? currencyText(taxCurrencyElement, 'TaxCurrencyCode') : null;
  const monetary = root.required(...cac('LegalMonetaryTotal'));
  const money = (name: string) => amountText(monetary.optional(...cbc(name)));
  const need = (name: string) => requiredAmount(monetary.optional(...cbc(name)), `${monetary.path}/${name}`);
  const adjustments = root.all(...cac('AllowanceCharge'));
  const taxes = taxTotals(root, currency, taxCurrency);
  // A credit note's due date is in its payment means (UBL 2.1 CreditNote has no DueDate).
  const dueDate =
    dateText(root.optional(...cbc('DueDate')), 'iso') ??
    dateText(root.all(...cac('PaymentMeans'))[0]?.optional(...cbc('PaymentDueDate')), 'iso');
  return {
    syntax: kind === 'Invoice' ? 'UBL-Invoice' : 'UBL-CreditNote',
    customizationId: textAt(root, cbc('CustomizationID')),
    id: root.required(...cbc('ID')).text(),
    issueDate: dateText(root.required(...cbc('IssueDate')), 'iso') ?? '',
    typeCode: root.required(...cbc(kind === 'Invoice' ? 'InvoiceTypeCode' : 'CreditNoteTypeCode')).text(),
    dueDate,
    currency,
    taxCurrency,
    buyerReference: textAt(root, cbc('BuyerReference')),
    purchaseOrder: textAt(root, cac('OrderReference'), cbc('ID')),
    precedingInvoice:
      root
        .all(...cac('BillingReference'))
        .map((b) => textAt(b, cac('InvoiceDocumentReference'), cbc('ID')))[0] ?? null,
    seller: party(root.required(...cac('AccountingSupplierParty'))),
    buyer: party(root.required(...cac('AccountingCustomerParty'))),
    lines: lineElements.map((element) =>
      line(element, kind === 'Invoice' ? 'InvoicedQuantity' : 'CreditedQuantity'),
    ),
    allowances: adjustments.filter((a) => !isCharge(a)).map((a) => allowanceCharge(a, cac('TaxCategory'))),
    charges: adjustments.filter(isCharge).map((a) => allowanceCharge(a, cac('TaxCategory'))),
    vatBreakdown: taxes.breakdown,
    totals: {
      lineExtension: need('LineExtensionAmount'),
      allowanceTotal: money('AllowanceTotalAmount'),
      chargeTotal: money('ChargeTotalAmount'),
      taxExclusive: need('TaxExclusiveAmount'),
      taxAmount: taxes.taxAmount,
      taxAmountInTaxCurrency: taxes.taxAmountInTaxCurrency,
      taxInclusive: need('TaxInclusiveAmount'),
      prepaid: money('PrepaidAmount'),
      rounding: money('PayableRoundingAmount'),
      payable: need('PayableAmount'),
    },
    payment: payment(root),
    attachments: attachmentsOf(
      root
        .all(...cac('AdditionalDocumentReference'))
        .flatMap((reference) => reference.all(...cac('Attachment')))
        .flatMap((attachment) => attachment.all(...cbc('EmbeddedDocumentBinaryObject'))),
    ),
  };
}
