import { CII_NAMESPACES, readCii } from './cii-invoice.ts';
import { EINVOICE_LIMITS, type EInvoice, type EInvoiceSyntax, refuse } from './e-invoice.ts';
import { readUbl, UBL_NAMESPACES } from './ubl-invoice.ts';
import { parseXmlDocument, type XmlElement } from './xml-tree.ts';

/** The syntax a root element names, by its namespace and local name; undefined for anything else. */
export function syntaxOf(root: Pick<XmlElement, 'localName' | 'namespace'>): EInvoiceSyntax | undefined {
  if (root.localName === 'Invoice' && root.namespace === UBL_NAMESPACES.invoice) return 'UBL-Invoice';
  if (root.localName === 'CreditNote' && root.namespace === UBL_NAMESPACES.creditNote)
    return 'UBL-CreditNote';
  if (root.localName === 'CrossIndustryInvoice' && root.namespace === CII_NAMESPACES.rsm) return 'CII';
  return undefined;
}

/**
 * Reads an EN 16931 e-invoice: UBL 2.1 Invoice or CreditNote, or UN/CEFACT CII, told apart by
 * the root element and its namespace. Anything else, and any file that cannot be read whole,
 * is refused with EINVOICE_INVALID (or EINVOICE_TOO_LARGE) and the rule it broke.
 */
export function readEInvoice(xml: string): EInvoice {
  const root = parseXmlDocument(xml);
  const syntax = syntaxOf(root);
  switch (syntax) {
    case 'UBL-Invoice':
      return withinLimits(readUbl(root, 'Invoice'));
    case 'UBL-CreditNote':
      return withinLimits(readUbl(root, 'CreditNote'));
    case 'CII':
      return withinLimits(readCii(root));
    default:
      throw refuse(
        'NOT_AN_EINVOICE',
        `The XML is <${root.localName}> in ${root.namespace ?? 'no namespace'}, not an EN 16931 e-invoice: send a UBL 2.1 Invoice or CreditNote, or a UN/CEFACT CrossIndustryInvoice.`,
        { root: root.localName, namespace: root.namespace },
      );
  }
}

/** Repeated groups bounded like the lines are: what is read must fit a run's state. */
function withinLimits(invoice: EInvoice): EInvoice {
  const over = (what: string, count: number, limit: number) =>
    refuse('TOO_MANY_ELEMENTS', `The e-invoice has ${count} ${what}, over the limit of ${limit}.`, {
      element: what,
      limit,
      count,
    });
  const adjustments = invoice.allowances.length + invoice.charges.length;
  if (adjustments > EINVOICE_LIMITS.maxAllowancesCharges) {
    throw over('document-level allowances and charges', adjustments, EINVOICE_LIMITS.maxAllowancesCharges);
  }
  if (invoice.vatBreakdown.length > EINVOICE_LIMITS.maxVatBreakdowns) {
    throw over('VAT breakdowns', invoice.vatBreakdown.length, EINVOICE_LIMITS.maxVatBreakdowns);
  }
  const busiest = Math.max(0, ...invoice.lines.map((line) => line.allowances.length + line.charges.length));
  if (busiest > EINVOICE_LIMITS.maxLineAdjustments) {
    throw over('allowances and charges on one line', busiest, EINVOICE_LIMITS.maxLineAdjustments);
  }
  return invoice;
}
