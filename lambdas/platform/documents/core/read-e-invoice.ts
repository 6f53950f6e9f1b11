import { CII_NAMESPACES, readCii } from './cii-invoice.ts';
import { type EInvoice, type EInvoiceSyntax, refuse } from './e-invoice.ts';
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
      return readUbl(root, 'Invoice');
    case 'UBL-CreditNote':
      return readUbl(root, 'CreditNote');
    case 'CII':
      return readCii(root);
    default:
      throw refuse(
        'NOT_AN_EINVOICE',
        `The XML is <${root.localName}> in ${root.namespace ?? 'no namespace'}, not an EN 16931 e-invoice: send a UBL 2.1 Invoice or CreditNote, or a UN/CEFACT CrossIndustryInvoice.`,
        { root: root.localName, namespace: root.namespace },
      );
  }
}
