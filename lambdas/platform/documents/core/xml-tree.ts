import { XMLValidator } from 'fast-xml-parser';
import { untrustedXmlParser } from '#platform/core/xml-parser.ts';
import { EINVOICE_LIMITS, refuse } from './e-invoice.ts';

/**
 * A namespace-aware view of a parsed XML document. Elements are found by namespace URI and
 * local name, whatever prefix a file chose (UBL files use `cbc:`, a default namespace, or none
 * of the usual prefixes), with declarations scoped as XML scopes them. Text is kept exactly as
 * written; nothing is converted to a number.
 */

type XmlNode = Record<string, unknown>;

const parser = untrustedXmlParser();

export class XmlElement {
  readonly localName: string;
  readonly namespace: string | null;
  readonly path: string;
  private readonly node: XmlNode;
  private readonly scope: ReadonlyMap<string, string>;

  constructor(name: string, node: XmlNode, parentScope: ReadonlyMap<string, string>, parentPath: string) {
    const declared = new Map(parentScope);
    for (const key of Object.keys(node)) {
      if (key === '@_xmlns') declared.set('', String(node[key]));
      else if (key.startsWith('@_xmlns:')) declared.set(key.slice('@_xmlns:'.length), String(node[key]));
    }
    this.scope = declared;
    this.node = node;
    const colon = name.indexOf(':');
    this.localName = colon >= 0 ? name.slice(colon + 1) : name;
    this.namespace = declared.get(colon >= 0 ? name.slice(0, colon) : '') ?? null;
    this.path = `${parentPath}/${this.localName}`;
  }

  /** Child elements with this namespace and local name, in document order within each name. */
  all(namespace: string, localName: string): XmlElement[] {
    const found: XmlElement[] = [];
    for (const key of Object.keys(this.node)) {
      if (key.startsWith('@_') || key.startsWith('#')) continue;
      const colon = key.indexOf(':');
      if ((colon >= 0 ? key.slice(colon + 1) : key) !== localName) continue;
      const value = this.node[key];
      for (const item of Array.isArray(value) ? value : [value]) {
        const child = new XmlElement(
          key,
          typeof item === 'object' && item !== null ? (item as XmlNode) : { '#text': String(item) },
          this.scope,
          this.path,
        );
        if (child.namespace === namespace) found.push(child);
      }
    }
    return found;
  }

  /** The one child of that name, or undefined; more than one where the standard allows one is refused. */
  optional(namespace: string, localName: string): XmlElement | undefined {
    const found = this.all(namespace, localName);
    if (found.length > 1) {
      throw refuse(
        'REPEATED_ELEMENT',
        `${this.path}/${localName} appears ${found.length} times where EN 16931 allows one; ask the vendor for a corrected file.`,
        { element: `${this.path}/${localName}` },
      );
    }
    return found[0];
  }

  required(namespace: string, localName: string): XmlElement {
    const found = this.optional(namespace, localName);
    if (!found) {
      throw refuse(
        'MISSING_ELEMENT',
        `${this.path}/${localName} is missing and EN 16931 requires it; ask the vendor for a complete file.`,
        { element: `${this.path}/${localName}` },
      );
    }
    return found;
  }

  /** First child by path of [namespace, localName] steps, undefined when any step is absent. */
  at(...steps: readonly (readonly [string, string])[]): XmlElement | undefined {
    let current: XmlElement | undefined = this;
    for (const [namespace, localName] of steps) {
      current = current?.optional(namespace, localName);
      if (!current) return undefined;
    }
    return current;
  }

  text(): string {
    const value = this.node['#text'];
    return typeof value === 'string' ? value.trim() : '';
  }

  attribute(name: string): string | null {
    const value = this.node[`@_${name}`];
    return typeof value === 'string' ? value.trim() : null;
  }
}

/** Text of a child path, null when absent or empty. */
export function textAt(element: XmlElement, ...steps: readonly (readonly [string, string])[]): string | null {
  const found = element.at(...steps);
  const value = found?.text() ?? '';
  return value === '' ? null : value;
}

/** Parses a document and returns its one root element; anything not well-formed is refused. */
export function parseXmlDocument(xml: string): XmlElement {
  if (typeof xml !== 'string' || xml.trim().length === 0) {
    throw refuse('NOT_AN_EINVOICE', 'The e-invoice is empty; send the XML document itself.');
  }
  if (xml.length > EINVOICE_LIMITS.maxXmlChars) {
    throw refuse(
      'FILE_TOO_LARGE',
      `The e-invoice has ${xml.length} characters, over the ${EINVOICE_LIMITS.maxXmlChars} limit; ask the vendor to send attachments separately.`,
      { limit: EINVOICE_LIMITS.maxXmlChars, size: xml.length },
    );
  }
  // EN 16931 files never carry a DTD; one could define the invoice number as an entity, or expand without end.
  if (xml.includes('<!DOCTYPE')) {
    throw refuse(
      'DTD_NOT_ALLOWED',
      'The e-invoice carries a document type declaration (DTD), which EN 16931 files never do; ask the vendor for the plain XML.',
    );
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw refuse(
      'MALFORMED_XML',
      `The e-invoice is not well-formed XML (${validation.err.msg}, line ${validation.err.line}); ask the vendor to resend it.`,
      { line: validation.err.line, column: validation.err.col },
    );
  }
  let tree: XmlNode;
  try {
    tree = parser.parse(xml) as XmlNode;
  } catch (error) {
    throw refuse('MALFORMED_XML', `The e-invoice could not be read as XML (${(error as Error).message}).`);
  }
  const roots = Object.keys(tree).filter((key) => !key.startsWith('?') && !key.startsWith('#'));
  const rootName = roots.length === 1 ? roots[0] : undefined;
  const value = rootName === undefined ? undefined : tree[rootName];
  const nodes = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const node = nodes.length === 1 ? nodes[0] : undefined;
  if (rootName === undefined || typeof node !== 'object' || node === null) {
    throw refuse('NOT_AN_EINVOICE', 'The XML has no single root element; send one e-invoice per document.');
  }
  return new XmlElement(rootName, node as XmlNode, new Map(), '');
}
