import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { bankFileInvalid, isIsoDate, MAX_FILE_CHARACTERS } from './payment-file.ts';

/**
 * Reading and writing ISO 20022 XML for bank files. Documents are read only in the default
 * namespace form (`<Document xmlns="urn:iso:…">`), which is what we write and what banks send
 * in practice; a prefixed document is refused by name rather than half read. Element order is
 * not checked on read: the parser keeps names, not sequence, and our builders write schema order.
 */

export type XmlObject = Record<string, unknown>;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: false,
});

/** Text stays text ("0001" is not 1, "10.50" is not 10.5); repeated elements come back as arrays. */
function parserFor(arrayTags: ReadonlySet<string>): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    // Character references (&#233;) are decoded so text reads as the bank wrote it.
    htmlEntities: true,
    isArray: (name) => arrayTags.has(name),
  });
}

export function writeXml(document: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document)}`;
}

/**
 * Parses a whole ISO 20022 document and returns its message element (e.g. CstmrCdtTrfInitn).
 * Refuses a DOCTYPE outright: bank messages never carry one, and entity declarations are how
 * XML expansion attacks arrive.
 */
export function readIso20022(
  xml: string,
  expected: { namespace: string; messageElement: string; arrayTags: ReadonlySet<string> },
): XmlObject {
  if (typeof xml !== 'string' || xml.length === 0) {
    throw bankFileInvalid('MALFORMED_XML', 'The bank file is empty; pass the whole XML document.');
  }
  if (xml.length > MAX_FILE_CHARACTERS) {
    throw bankFileInvalid(
      'FILE_TOO_LARGE',
      `The bank file has more than ${MAX_FILE_CHARACTERS} characters; split the payments into smaller files.`,
    );
  }
  if (xml.includes('<!DOCTYPE') || xml.includes('<!ENTITY')) {
    throw bankFileInvalid(
      'DOCTYPE_NOT_ALLOWED',
      'The XML declares a DOCTYPE or entities, which ISO 20022 messages never do; send the message without them.',
    );
  }
  const validity = XMLValidator.validate(xml);
  if (validity !== true) {
    throw bankFileInvalid(
      'MALFORMED_XML',
      `The bank file is not well-formed XML (line ${validity.err.line}: ${validity.err.msg}); regenerate it.`,
      { line: validity.err.line },
    );
  }
  const parsed = parserFor(expected.arrayTags).parse(xml) as XmlObject;
  const roots = Object.keys(parsed).filter((key) => !key.startsWith('?'));
  const document = parsed.Document;
  if (roots.length !== 1 || !isXmlObject(document)) {
    throw bankFileInvalid(
      'ROOT_ELEMENT',
      `The root element is ${roots.join(', ') || 'missing'}, not Document; this is not an ISO 20022 message in default-namespace form.`,
    );
  }
  if (document['@_xmlns'] !== expected.namespace) {
    throw bankFileInvalid(
      'NAMESPACE',
      `The document's namespace is "${String(document['@_xmlns'] ?? '')}", not ${expected.namespace}; send the expected message version.`,
    );
  }
  const message = document[expected.messageElement];
  if (!isXmlObject(message)) {
    throw bankFileInvalid(
      'MESSAGE_TYPE',
      `The document does not contain ${expected.messageElement}; it is another kind of message.`,
    );
  }
  return message;
}

function isXmlObject(value: unknown): value is XmlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missing(path: string): Error {
  return bankFileInvalid(
    'MISSING_ELEMENT',
    `${path} is required but missing; the bank would reject the file.`,
    {
      path,
    },
  );
}

function single(parent: XmlObject, name: string, path: string): unknown {
  const value = parent[name];
  if (Array.isArray(value)) {
    throw bankFileInvalid('REPEATED_ELEMENT', `${path} appears more than once where the schema allows one.`, {
      path,
    });
  }
  return value;
}

export function optionalElement(parent: XmlObject, name: string, path: string): XmlObject | undefined {
  const value = single(parent, name, path);
  if (value === undefined) return undefined;
  // An element written empty or with only text where children are expected has none of them.
  return isXmlObject(value) ? value : {};
}

export function element(parent: XmlObject, name: string, path: string): XmlObject {
  const value = optionalElement(parent, name, path);
  if (value === undefined) throw missing(path);
  return value;
}

/** A repeatable element (declared in arrayTags), bounded: more than `limit` is refused, not truncated. */
export function elements(parent: XmlObject, name: string, path: string, limit: number): XmlObject[] {
  const value = parent[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > limit) {
    throw bankFileInvalid('TOO_MANY_ELEMENTS', `${path} appears more than ${limit} times; split the file.`, {
      path,
    });
  }
  return list.map((item) => (isXmlObject(item) ? item : {}));
}

export function optionalText(parent: XmlObject, name: string, path: string): string | undefined {
  const value = single(parent, name, path);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isXmlObject(value)) {
    const text = value['#text'];
    const children = Object.keys(value).filter((key) => key !== '#text' && !key.startsWith('@_'));
    if (children.length === 0) return typeof text === 'string' ? text : '';
  }
  throw bankFileInvalid('UNEXPECTED_CONTENT', `${path} must hold text, not other elements.`, { path });
}

export function text(parent: XmlObject, name: string, path: string): string {
  const value = optionalText(parent, name, path);
  if (value === undefined) throw missing(path);
  return value;
}

export function attribute(parent: XmlObject, name: string, attributeName: string, path: string): string {
  const value = single(parent, name, path);
  const found = isXmlObject(value) ? value[`@_${attributeName}`] : undefined;
  if (typeof found !== 'string') throw missing(`${path}/@${attributeName}`);
  return found;
}

/** ISO 20022 MaxNText: 1 to `max` characters (code points, as the schema counts them). */
export function checkTextLength(value: string, max: number, path: string): void {
  const length = [...value].length;
  if (length < 1 || length > max) {
    throw bankFileInvalid(
      'FIELD_LENGTH',
      `${path} has ${length} characters; the schema allows 1 to ${max}. Shorten it.`,
      { path, max, length },
    );
  }
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))?$/;

/** xs:dateTime as ISO 20022's ISODateTime uses it, with a real calendar date and clock time. */
export function isIsoDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [, date = '', hours, minutes, seconds, offsetHours = '00', offsetMinutes = '00'] = match;
  return (
    isIsoDate(date) &&
    Number(hours) < 24 &&
    Number(minutes) < 60 &&
    Number(seconds) < 60 &&
    Number(offsetHours) <= 14 &&
    Number(offsetMinutes) < 60
  );
}

export function checkDateTime(value: string, path: string): void {
  if (!isIsoDateTime(value)) {
    throw bankFileInvalid(
      'DATE_TIME_FORMAT',
      `${path} is "${value}", not an ISO date-time like 2026-01-31T09:30:00Z.`,
      { path },
    );
  }
}

export function checkDate(value: string, path: string): void {
  if (!isIsoDate(value)) {
    throw bankFileInvalid('DATE_FORMAT', `${path} is "${value}", not a calendar date written YYYY-MM-DD.`, {
      path,
    });
  }
}

/** The creation stamp we write: UTC, whole seconds. */
export function isoDateTime(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw bankFileInvalid('DATE_TIME_FORMAT', 'The creation time is not a valid date; pass a Date.');
  }
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Characters XML 1.0 cannot carry, or that have no place in a bank field (line breaks, tabs). */
const CONTROL_CHARACTERS = /[\p{Cc}\ufffe\uffff]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function checkPlainText(value: string, path: string): void {
  if (CONTROL_CHARACTERS.test(value) || LONE_SURROGATE.test(value)) {
    throw bankFileInvalid(
      'CHARACTER_SET',
      `${path} contains control characters or broken Unicode; remove line breaks, tabs and invisible characters.`,
      { path },
    );
  }
}
