import { XMLParser } from 'fast-xml-parser';

/**
 * The parser every document Tollgate reads from outside goes through (e-invoices, bank
 * statements): text stays text ("0001" is not 1, "10.50" is not 10.5), every element comes back
 * as an array so one and many read alike, attributes under `@_`, and entity expansion bounded as
 * a second line behind refusing a DTD before parsing.
 */
export function untrustedXmlParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    alwaysCreateTextNode: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    trimValues: true,
    isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
    // Numeric character references (&#229;) appear in names; the parser reads them only with this on.
    htmlEntities: true,
    processEntities: {
      enabled: true,
      maxEntitySize: 1_000,
      maxEntityCount: 10,
      maxExpansionDepth: 2,
      maxTotalExpansions: 100,
      maxExpandedLength: 10_000,
    },
  });
}
