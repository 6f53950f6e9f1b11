import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeFiles, invoiceOf } from '../../../../bin/commands/intake.ts';
import { readSnapshot, seed } from '../../../../bin/commands/seed.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { SAMPLES, vendorOfPo } from '../../../support/ap-invoices.ts';
import { buildEInvoice, type EInvoiceSpec, pdfWithFiles } from '../../../support/e-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// `tollgate intake <dir>` on the real local stack: mixed files in, one run per distinct file,
// the same file under another name answered as the first one's run, refusals with their code.
const run = promisify(execFile);
let harness: Harness;
const inbox = mkdtempSync(join(tmpdir(), 'tollgate-intake-'));

const PO = 'PO-4501002';
const vendor = vendorOfPo(PO);
const eInvoice = (id: string, syntax: EInvoiceSpec['syntax']) =>
  buildEInvoice({
    syntax,
    id,
    issueDate: '2026-11-02',
    dueDate: '2026-12-02',
    currency: 'USD',
    poNumber: PO,
    seller: { name: vendor.name, vatId: vendor.taxId, country: 'US' },
    buyer: { name: 'Tollgate Sample Buyer Inc', country: 'US' },
    lines: [
      {
        quantity: '1',
        price: '27.30',
        name: 'Hard hat class E',
        sku: 'SKU-50445',
        category: 'S',
        rate: '10',
      },
    ],
  }).xml;

beforeAll(async () => {
  harness = await startHarness();
  await seed(readSnapshot(join(SAMPLES, 'erp.json')));
  mkdirSync(join(inbox, 'scans'));
  for (let n = 1; n <= 6; n++)
    writeFileSync(join(inbox, `einvoice-${n}.xml`), eInvoice(`INTAKE-${n}`, n % 2 ? 'UBL-Invoice' : 'CII'));
  // The same bytes under another name, in a sub-folder.
  copyFileSync(join(inbox, 'einvoice-1.xml'), join(inbox, 'scans', 'copy-of-einvoice-1.xml'));
  writeFileSync(
    join(inbox, 'scans', 'facturx.pdf'),
    await pdfWithFiles(['Invoice INTAKE-FX'], [['factur-x.xml', eInvoice('INTAKE-FX', 'CII')]]),
  );
  copyFileSync(join(SAMPLES, 'invoices', 'case-01-001.txt'), join(inbox, 'printed.txt'));
  copyFileSync(join(SAMPLES, 'invoices', 'case-01-003.json'), join(inbox, 'structured.json'));
  writeFileSync(join(inbox, 'not-an-invoice.xml'), '<html><body>hello</body></html>');
  writeFileSync(join(inbox, '.DS_Store'), 'hidden');
});
afterAll(async () => {
  await harness?.stop();
  rmSync(inbox, { recursive: true, force: true });
});

describe('tollgate intake', () => {
  it('reads each file as what its bytes are, not what its name says', () => {
    expect(Object.keys(invoiceOf(Buffer.from('%PDF-1.7 ...')))).toEqual(['pdfBase64']);
    expect(Object.keys(invoiceOf(Buffer.from('\uFEFF<?xml version="1.0"?><Invoice/>')))).toEqual(['xml']);
    expect(Object.keys(invoiceOf(Buffer.from('{"invoiceNumber":"1"}')))).toEqual(['structured']);
    expect(Object.keys(invoiceOf(Buffer.from('{ not json, an e-mail that starts with a brace')))).toEqual([
      'text',
    ]);
    expect(Object.keys(invoiceOf(Buffer.from('INVOICE 42')))).toEqual(['text']);
  });

  it('starts one run per distinct file, answers a copy with the first run, and refuses what is no invoice', async () => {
    const progress: number[] = [];
    const results = await intakeFiles({
      dataDir: harness.dataDir,
      user: 'avery.clerk',
      paths: [inbox],
      onProgress: (done, total) => {
        expect(total).toBe(11);
        progress.push(done);
      },
    });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const outcome = (suffix: string) => results.find((r) => r.file.endsWith(suffix));
    expect(results.filter((r) => r.outcome === 'STARTED')).toHaveLength(9);
    const copy = outcome('copy-of-einvoice-1.xml');
    expect(copy).toMatchObject({
      outcome: 'DUPLICATE',
      executionId: outcome('/einvoice-1.xml')?.executionId,
    });
    expect(outcome('not-an-invoice.xml')).toMatchObject({ outcome: 'REFUSED', code: 'EINVOICE_INVALID' });
    expect(results.some((r) => r.file.endsWith('.DS_Store'))).toBe(false);
    // What each run read.
    const facturX = await harness.waitForExecution(
      outcome('facturx.pdf')?.executionId ?? '',
      'finley.auditor',
    );
    expect(facturX.invoice.invoiceNumber).toBe('INTAKE-FX');
    expect(facturX.extraction.embeddedFile).toBe('factur-x.xml');
  });

  it('runs as a command: the same folder again starts nothing new, with a progress line per tenth', async () => {
    const result = await run(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'tollgate.ts'), 'intake', inbox, '--data-dir', harness.dataDir],
      { cwd: PROJECT_ROOT },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(result.stdout).toContain(
      '11 files: 0 started, 10 duplicates of a run already started, 1 refused.',
    );
    expect(result.stderr).toContain('intake [##############################] 11/11');
    // A refused file makes the command fail, so a script notices.
    expect((result as { code?: number }).code).toBe(1);
  });
});
