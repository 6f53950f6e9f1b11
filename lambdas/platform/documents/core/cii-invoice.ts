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

/** UN/CEFACT Cross Industry Invoice D16B as EN 16931 binds it (also Factur-X, ZUGFeRD 2, XRechnung CII). */
export const CII_NAMESPACES = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
} as const;

const rsm = (name: string) => [CII_NAMESPACES.rsm, name] as const;
const ram = (name: string) => [CII_NAMESPACES.ram, name] as const;
const udt = (name: string) => [CII_NAMESPACES.udt, name] as const;

function party(element: XmlElement | undefined): EInvoiceParty {
  const registrations = element?.all(...ram('SpecifiedTaxRegistration')) ?? [];
  const byScheme = (scheme: string) =>
    registrations
      .map((r) => r.optional(...ram('ID')))
      .find((id) => id?.attribute('schemeID') === scheme)
      ?.text() || null;
  return {
    name: element ? textAt(element, ram('Name')) : null,
    tradingName: element
      ? textAt(element, ram('SpecifiedLegalOrganization'), ram('TradingBusinessName'))
      : null,
    vatId: byScheme('VA'),
    taxRegistrationId: byScheme('FC'),
    legalId: element ? textAt(element, ram('SpecifiedLegalOrganization'), ram('ID')) : null,
    country: element ? textAt(element, ram('PostalTradeAddress'), ram('CountryID')) : null,
  };
}

const isCharge = (element: XmlElement) =>
  textAt(element, ram('ChargeIndicator'), udt('Indicator')) === 'true';

function allowanceCharge(element: XmlElement): EInvoiceAllowanceCharge {
  return {
    amount: requiredAmount(element.optional(...ram('ActualAmount')), `${element.path}/ActualAmount`),
    baseAmount: amountText(element.optional(...ram('BasisAmount'))),
    percent: textAt(element, ram('CalculationPercent')),
    reason: textAt(element, ram('Reason')),
    reasonCode: textAt(element, ram('ReasonCode')),
    vatCategory: textAt(element, ram('CategoryTradeTax'), ram('CategoryCode')),
    vatRate: textAt(element, ram('CategoryTradeTax'), ram('RateApplicablePercent')),
  };
}

function line(element: XmlElement): EInvoiceLine {
  const product = element.optional(...ram('SpecifiedTradeProduct'));
  const agreement = element.optional(...ram('SpecifiedLineTradeAgreement'));
  const settlement = element.required(...ram('SpecifiedLineTradeSettlement'));
  const quantity = element.required(...ram('SpecifiedLineTradeDelivery')).required(...ram('BilledQuantity'));
  const netPrice = agreement?.optional(...ram('NetPriceProductTradePrice'));
  const adjustments = settlement.all(...ram('SpecifiedTradeAllowanceCharge'));
  const amounts = (charge: boolean) =>
    adjustments
      .filter((a) => isCharge(a) === charge)
      .map((a) => requiredAmount(a.optional(...ram('ActualAmount')), `${a.path}/ActualAmount`));
  const total = settlement.optional(...ram('SpecifiedTradeSettlementLineMonetarySummation'));
  return {
    id: element
      .required(...ram('AssociatedDocumentLineDocument'))
      .required(...ram('LineID'))
      .text(),
    quantity: requiredAmount(quantity, quantity.path),
    unitCode: quantity.attribute('unitCode'),
    netAmount: requiredAmount(
      total?.optional(...ram('LineTotalAmount')),
      `${settlement.path}/LineTotalAmount`,
    ),
    netPrice: amountText(netPrice?.optional(...ram('ChargeAmount'))),
    baseQuantity: amountText(netPrice?.optional(...ram('BasisQuantity'))),
    name: product ? textAt(product, ram('Name')) : null,
    itemId: product ? (textAt(product, ram('SellerAssignedID')) ?? textAt(product, ram('GlobalID'))) : null,
    vatCategory: textAt(settlement, ram('ApplicableTradeTax'), ram('CategoryCode')),
    vatRate: textAt(settlement, ram('ApplicableTradeTax'), ram('RateApplicablePercent')),
    orderLineId: agreement ? textAt(agreement, ram('BuyerOrderReferencedDocument'), ram('LineID')) : null,
    allowances: amounts(false),
    charges: amounts(true),
  };
}

function payment(settlement: XmlElement): EInvoicePayment | null {
  const means = settlement.all(...ram('SpecifiedTradeSettlementPaymentMeans'));
  const accountOf = (m: XmlElement) =>
    textAt(m, ram('PayeePartyCreditorFinancialAccount'), ram('IBANID')) ??
    textAt(m, ram('PayeePartyCreditorFinancialAccount'), ram('ProprietaryID'));
  const chosen = means.find((m) => accountOf(m) !== null) ?? means[0];
  if (!chosen) return null;
  return {
    meansCode: textAt(chosen, ram('TypeCode')),
    reference: textAt(settlement, ram('PaymentReference')),
    account: accountOf(chosen),
    accountName: textAt(chosen, ram('PayeePartyCreditorFinancialAccount'), ram('AccountName')),
    bic: textAt(chosen, ram('PayeeSpecifiedCreditorFinancialInstitution'), ram('BICID')),
  };
}

/** Reads a CrossIndustryInvoice root into the EN 16931 invoice. */
export function readCii(root: XmlElement): EInvoice {
  const document = root.required(...rsm('ExchangedDocument'));
  const transaction = root.required(...rsm('SupplyChainTradeTransaction'));
  const lineElements = transaction.all(...ram('IncludedSupplyChainTradeLineItem'));
  checkLineCount(lineElements.length);
  const agreement = transaction.required(...ram('ApplicableHeaderTradeAgreement'));
  const settlement = transaction.required(...ram('ApplicableHeaderTradeSettlement'));
  const currency = currencyText(settlement.optional(...ram('InvoiceCurrencyCode')), 'InvoiceCurrencyCode');
  const taxCurrencyElement = settlement.optional(...ram('TaxCurrencyCode'));
  const taxCurrency = taxCurrencyElement ? currencyText(taxCurrencyElement, 'TaxCurrencyCode') : null;
  const summation = settlement.required(...ram('SpecifiedTradeSettlementHeaderMonetarySummation'));
  const money = (name: string) => amountText(summation.optional(...ram(name)));
  const need = (name: string) =>
    requiredAmount(summation.optional(...ram(name)), `${summation.path}/${name}`);
  // BT-110 is the TaxTotalAmount in the invoice currency, BT-111 the one in the tax currency.
  const taxTotals = summation.all(...ram('TaxTotalAmount'));
  const taxIn = (code: string | null) =>
    taxTotals.find((t) => t.attribute('currencyID') === code) ??
    (code === currency ? taxTotals.find((t) => t.attribute('currencyID') === null) : undefined);
  const adjustments = settlement.all(...ram('SpecifiedTradeAllowanceCharge'));
  const breakdown: EInvoiceVatBreakdown[] = settlement.all(...ram('ApplicableTradeTax')).map((tax) => ({
    category: tax.required(...ram('CategoryCode')).text(),
    rate: textAt(tax, ram('RateApplicablePercent')),
    taxableAmount: requiredAmount(tax.optional(...ram('BasisAmount')), `${tax.path}/BasisAmount`),
    taxAmount: requiredAmount(tax.optional(...ram('CalculatedAmount')), `${tax.path}/CalculatedAmount`),
    exemptionReason: textAt(tax, ram('ExemptionReason')),
    exemptionReasonCode: textAt(tax, ram('ExemptionReasonCode')),
  }));
  const terms = settlement.all(...ram('SpecifiedTradePaymentTerms'));
  const dueDate =
    terms
      .map((t) => dateText(t.at(ram('DueDateDateTime'), udt('DateTimeString')), '102'))
      .find((date) => date !== null) ?? null;
  return {
    syntax: 'CII',
    customizationId: textAt(
      root,
      rsm('ExchangedDocumentContext'),
      ram('GuidelineSpecifiedDocumentContextParameter'),
      ram('ID'),
    ),
    id: document.required(...ram('ID')).text(),
    issueDate:
      dateText(document.required(...ram('IssueDateTime')).required(...udt('DateTimeString')), '102') ?? '',
    typeCode: document.required(...ram('TypeCode')).text(),
    dueDate,
    currency,
    taxCurrency,
    buyerReference: textAt(agreement, ram('BuyerReference')),
    purchaseOrder: textAt(agreement, ram('BuyerOrderReferencedDocument'), ram('IssuerAssignedID')),
    precedingInvoice:
      settlement.all(...ram('InvoiceReferencedDocument')).map((d) => textAt(d, ram('IssuerAssignedID')))[0] ??
      null,
    seller: party(agreement.required(...ram('SellerTradeParty'))),
    buyer: party(agreement.required(...ram('BuyerTradeParty'))),
    lines: lineElements.map(line),
    allowances: adjustments.filter((a) => !isCharge(a)).map(allowanceCharge),
    charges: adjustments.filter(isCharge).map(allowanceCharge),
    vatBreakdown: breakdown,
    totals: {
      lineExtension: need('LineTotalAmount'),
      allowanceTotal: money('AllowanceTotalAmount'),
      chargeTotal: money('ChargeTotalAmount'),
      taxExclusive: need('TaxBasisTotalAmount'),
      taxAmount: amountText(taxIn(currency)),
      taxAmountInTaxCurrency: taxCurrency && taxCurrency !== currency ? amountText(taxIn(taxCurrency)) : null,
      taxInclusive: need('GrandTotalAmount'),
      prepaid: money('TotalPrepaidAmount'),
      rounding: money('RoundingAmount'),
      payable: need('DuePayableAmount'),
    },
    payment: payment(settlement),
    attachments: attachmentsOf(
      agreement
        .all(...ram('AdditionalReferencedDocument'))
        .flatMap((reference) => reference.all(...ram('AttachmentBinaryObject'))),
    ),
  };
}
