import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { TollgateError } from '#platform/core/errors.ts';
import { PDF_ATTACHMENT_LIMITS, pdfAttachments } from '#platform/documents/adapters/pdf-attachments.ts';
import { embeddedEInvoice } from '#platform/documents/core/hybrid-invoice.ts';
import { pdfText } from '#platform/model/adapters/pdf-text.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { buildEInvoice, type EInvoiceSpec, pdfWithFiles } from '../../../support/e-invoices.ts';

const run = promisify(execFile);

// Factur-X / ZUGFeRD: a PDF that carries its invoice as embedded CII (or UBL) XML.
const spec: EInvoiceSpec = {
  syntax: 'CII',
  id: 'FX-2026-118',
  issueDate: '2026-11-03',
  dueDate: '2026-12-03',
  currency: 'EUR',
  seller: { name: 'Atelier Lumière SARL', vatId: 'FR40303265045', country: 'FR' },
  buyer: { name: 'Tollgate Test Buyer B.V.', vatId: 'NL123456789B01', country: 'NL' },
  iban: 'FR7630006000011234567890189',
  lines: [
    { quantity: '3', price: '420.00', name: 'Lamp restoration', category: 'S', rate: '20' },
    { quantity: '1', price: '35.00', name: 'Delivery', category: 'S', rate: '5.5' },
  ],
};
const built = buildEInvoice(spec);
const printed = ['FACTURE FX-2026-118', 'Atelier Lumière SARL', 'Total TTC: 1 999,99 EUR'];

const refusal = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    if (error instanceof TollgateError) return { code: error.code, rule: error.details?.rule };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('Factur-X and ZUGFeRD PDFs', () => {
  it('finds the embedded CII under its Factur-X name, and its figures win over the printed text', async () => {
    const pdf = await pdfWithFiles(printed, [['factur-x.xml', built.xml]]);
    const attachments = await pdfAttachments(pdf);
    expect(attachments.map((a) => a.filename)).toEqual(['factur-x.xml']);
    const found = embeddedEInvoice(attachments);
    expect(found?.filename).toBe('factur-x.xml');
    expect(found?.invoice).toMatchObject({ syntax: 'CII', id: 'FX-2026-118', currency: 'EUR' });
    expect(found?.invoice.totals.payable).toBe(built.totals.payable);
    expect(built.totals.payable).not.toBe('1999.99');
    // The text is still there to keep as evidence.
    expect(await pdfText(pdf)).toContain('Total TTC: 1 999,99 EUR');
  });

  it('takes a ZUGFeRD name, and a single XML attachment under any name only when its root is an invoice', async () => {
    const zugferd = await pdfWithFiles(printed, [['ZUGFeRD-invoice.xml', built.xml]]);
    expect(embeddedEInvoice(await pdfAttachments(zugferd))?.invoice.id).toBe('FX-2026-118');
    const ubl = buildEInvoice({ ...spec, syntax: 'UBL-Invoice' });
    const other = await pdfWithFiles(printed, [['rechnung-118.xml', ubl.xml]]);
    expect(embeddedEInvoice(await pdfAttachments(other))?.invoice.syntax).toBe('UBL-Invoice');
    const metadata = await pdfWithFiles(printed, [['metadata.xml', '<meta><a>1</a></meta>']]);
    expect(embeddedEInvoice(await pdfAttachments(metadata))).toBeUndefined();
    const plain = await pdfWithFiles(printed, []);
    expect(await pdfAttachments(plain)).toEqual([]);
  });

  it('refuses a hybrid PDF whose embedded invoice is broken, or that embeds past the limits', async () => {
    const broken = await pdfWithFiles(printed, [['factur-x.xml', built.xml.slice(0, 500)]]);
    expect(embeddedEInvoice.bind(null, await pdfAttachments(broken))).toThrow(TollgateError);
    expect(await refusal(async () => embeddedEInvoice(await pdfAttachments(broken)))).toEqual({
      code: 'EINVOICE_INVALID',
      rule: 'MALFORMED_XML',
    });
    const many = await pdfWithFiles(
      printed,
      Array.from(
        { length: PDF_ATTACHMENT_LIMITS.maxAttachments + 1 },
        (_, i) => [`note-${i}.txt`, 'x'] as const,
      ),
    );
    expect(await refusal(() => pdfAttachments(many))).toEqual({
      code: 'EINVOICE_TOO_LARGE',
      rule: 'ATTACHMENTS_TOO_LARGE',
    });
    const heavy = await pdfWithFiles(printed, [
      ['scan.bin', new Uint8Array(PDF_ATTACHMENT_LIMITS.maxBytes + 1)],
    ]);
    expect(await refusal(() => pdfAttachments(heavy))).toEqual({
      code: 'EINVOICE_TOO_LARGE',
      rule: 'ATTACHMENTS_TOO_LARGE',
    });
  });

  it('finds the embedded XML and reads the printed text from a Lambda-style bundle too, with no node_modules beside it', async () => {
    // The function bundles as the stack builds them: esbuild, ESM, everything inlined.
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-bundle-'));
    try {
      const pdf = join(dir, 'facturx.pdf');
      writeFileSync(pdf, await pdfWithFiles(printed, [['factur-x.xml', built.xml]]));
      await build({
        stdin: {
          contents: `import { readFileSync } from 'node:fs';
import { pdfAttachments } from '#platform/documents/adapters/pdf-attachments.ts';
import { pdfText } from '#platform/model/adapters/pdf-text.ts';
const bytes = new Uint8Array(readFileSync(process.argv[2]));
const found = await pdfAttachments(bytes);
const text = await pdfText(bytes);
process.stdout.write(JSON.stringify({ found: found.map((f) => [f.filename, f.bytes.length]), text }));`,
          resolveDir: PROJECT_ROOT,
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        outfile: join(dir, 'index.mjs'),
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
        logLevel: 'silent',
      });
      const { stdout } = await run(process.execPath, [join(dir, 'index.mjs'), pdf], { cwd: dir });
      const answer = JSON.parse(stdout);
      expect(answer.found).toEqual([['factur-x.xml', Buffer.byteLength(built.xml)]]);
      // The printed text, kept as evidence beside the XML, is read there too.
      expect(answer.text).toContain('Total TTC: 1 999,99 EUR');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
