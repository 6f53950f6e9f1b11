import { type Decimal, decimal } from '#platform/core/decimal.ts';
import { EINVOICE_LIMITS, type EInvoiceAttachment, refuse } from './e-invoice.ts';
import type { XmlElement } from './xml-tree.ts';

/** xs:decimal as EN 16931 writes amounts: optional sign, digits, optional fraction (".5" and "5." too). */
const XS_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CII_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The exact decimal of an amount string as written; the string itself stays untouched in the invoice. */
export function decimalOf(text: string): Decimal {
  if (!XS_DECIMAL.test(text)) throw new TypeError(`"${text}" is not a decimal number.`);
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [whole = '', fraction = ''] = unsigned.split('.');
  const value = decimal(`${whole || '0'}${fraction ? `.${fraction}` : ''}`);
  return negative ? { numerator: -value.numerator, denominator: value.denominator } : value;
}

/** An amount element's text, checked to be a decimal; null when absent. */
export function amountText(element: XmlElement | undefined): string | null {
  if (!element) return null;
  const value = element.text();
  if (!XS_DECIMAL.test(value)) {
    throw refuse(
      'AMOUNT_INVALID',
      `${element.path} is "${value.slice(0, 40)}", not a decimal amount; ask the vendor for a corrected file.`,
      { element: element.path },
    );
  }
  return value;
}

export function requiredAmount(element: XmlElement | undefined, path: string): string {
  const value = amountText(element);
  if (value === null) {
    throw refuse('MISSING_ELEMENT', `${path} is missing and EN 16931 requires it.`, { element: path });
  }
  return value;
}

/** A real calendar date, from ISO (UBL) or format 102 (CII, YYYYMMDD). */
export function dateText(element: XmlElement | undefined, form: 'iso' | '102'): string | null {
  if (!element) return null;
  const value = element.text();
  const match = (form === 'iso' ? ISO_DATE : CII_DATE).exec(value);
  const iso = match ? `${match[1]}-${match[2]}-${match[3]}` : '';
  const date = new Date(`${iso}T00:00:00Z`);
  if (!match || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    throw refuse(
      'DATE_INVALID',
      `${element.path} is "${value.slice(0, 40)}", not a date${form === '102' ? ' in format 102 (YYYYMMDD)' : ''}.`,
      { element: element.path },
    );
  }
  return iso;
}

export function currencyText(element: XmlElement | undefined, path: string): string {
  const value = element?.text() ?? '';
  if (!CURRENCY.test(value)) {
    throw refuse('CURRENCY_INVALID', `${path} is "${value.slice(0, 10)}", not an ISO 4217 currency code.`, {
      element: path,
    });
  }
  return value;
}

/** Base64 bytes of an embedded attachment, counted without decoding the whole of it. */
function base64Bytes(text: string): number {
  let length = 0;
  let padding = 0;
  for (const character of text) {
    if (character === '=') padding++;
    else if (character.trim() !== '') length++;
  }
  return Math.floor(((length + padding) * 3) / 4) - padding;
}

/** Embedded attachments, refused when there are too many or they are too large together. */
export function attachmentsOf(objects: readonly XmlElement[]): EInvoiceAttachment[] {
  if (objects.length > EINVOICE_LIMITS.maxAttachments) {
    throw refuse(
      'ATTACHMENTS_TOO_LARGE',
      `The e-invoice embeds ${objects.length} attachments, over the limit of ${EINVOICE_LIMITS.maxAttachments}; ask the vendor to send supporting documents separately.`,
      { limit: EINVOICE_LIMITS.maxAttachments, count: objects.length },
    );
  }
  const attachments = objects.map((object) => ({
    filename: object.attribute('filename'),
    mimeCode: object.attribute('mimeCode'),
    bytes: base64Bytes(object.text()),
  }));
  const total = attachments.reduce((sum, a) => sum + a.bytes, 0);
  if (total > EINVOICE_LIMITS.maxAttachmentBytes) {
    throw refuse(
      'ATTACHMENTS_TOO_LARGE',
      `The e-invoice embeds ${total} bytes of attachments, over the limit of ${EINVOICE_LIMITS.maxAttachmentBytes}; ask the vendor to send supporting documents separately.`,
      { limit: EINVOICE_LIMITS.maxAttachmentBytes, bytes: total },
    );
  }
  return attachments;
}

export function checkLineCount(count: number): void {
  if (count === 0) {
    throw refuse(
      'MISSING_ELEMENT',
      'The e-invoice has no invoice lines; EN 16931 requires at least one (BR-16).',
      {
        element: 'InvoiceLine',
      },
    );
  }
  if (count > EINVOICE_LIMITS.maxLines) {
    throw refuse(
      'TOO_MANY_LINES',
      `The e-invoice has ${count} lines, over the limit of ${EINVOICE_LIMITS.maxLines}; ask the vendor to split it.`,
      { limit: EINVOICE_LIMITS.maxLines, lines: count },
    );
  }
}
