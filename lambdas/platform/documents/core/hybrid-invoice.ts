import type { EInvoice } from './e-invoice.ts';
import { readEInvoice, syntaxOf } from './read-e-invoice.ts';
import { parseXmlDocument } from './xml-tree.ts';

/**
 * The names Factur-X, ZUGFeRD and XRechnung give the XML a hybrid PDF embeds. Compared without
 * case; an XML attachment under another name counts only when it is the PDF's one XML file and
 * its root is a UBL or CII invoice (any other XML, such as metadata, is left alone).
 */
export const HYBRID_XML_NAMES: readonly string[] = [
  'factur-x.xml',
  'zugferd-invoice.xml',
  'zugferd_2p0.xml',
  'xrechnung.xml',
];

export interface EmbeddedEInvoice {
  readonly filename: string;
  readonly xml: string;
  readonly invoice: EInvoice;
}

/**
 * The e-invoice a Factur-X / ZUGFeRD PDF carries, read by the e-invoice reader, or undefined when
 * the PDF embeds none. An embedded invoice that cannot be read is refused like any e-invoice
 * (EINVOICE_INVALID with the rule): a hybrid PDF whose XML is broken is a broken invoice.
 */
export function embeddedEInvoice(
  attachments: readonly { readonly filename: string; readonly bytes: Uint8Array }[],
): EmbeddedEInvoice | undefined {
  const named = attachments.find((a) => HYBRID_XML_NAMES.includes(a.filename.toLowerCase()));
  const xmlFiles = attachments.filter((a) => a.filename.toLowerCase().endsWith('.xml'));
  const chosen = named ?? (xmlFiles.length === 1 ? xmlFiles[0] : undefined);
  if (!chosen) return undefined;
  const xml = new TextDecoder('utf-8', { fatal: false }).decode(chosen.bytes);
  if (!named && !hasInvoiceRoot(xml)) return undefined;
  return { filename: chosen.filename, xml, invoice: readEInvoice(xml) };
}

function hasInvoiceRoot(xml: string): boolean {
  try {
    return syntaxOf(parseXmlDocument(xml)) !== undefined;
  } catch {
    return false;
  }
}
