import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  MAX_DOCUMENT_BODY_BYTES,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '#platform/documents/core/body-limits.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { readSnapshot, seed } from '../../../../bin/commands/seed.ts';
import { SAMPLES, structuredInvoice, vendorOfPo } from '../../../support/ap-invoices.ts';
import { buildEInvoice, type EInvoiceSpec, pdfWithFiles } from '../../../support/e-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// EN 16931 e-invoices over HTTP on the local stack: `{ "invoice": { "xml": "…" } }` on the
// invoice runbook's route, read without a model, decided by the same rules, shown by
// GET /executions/{id}; credit notes never paid; anything else refused with a code.

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await seed(readSnapshot(join(SAMPLES, 'erp.json')));
});
afterAll(async () => {
  await harness?.stop();
});

/** PO-4501002: 230 hard hats at 27.30 received, tax agreed at 10%. */
const PO = 'PO-4501002';
const vendor = vendorOfPo(PO);

function onPo(id: string, quantity: string, extra: Partial<EInvoiceSpec> = {}): EInvoiceSpec {
  return {
    syntax: 'UBL-Invoice',
    id,
    issueDate: '2026-11-02',
    dueDate: '2026-12-02',
    currency: 'USD',
    poNumber: PO,
    seller: { name: vendor.name, vatId: vendor.taxId, country: 'US' },
    buyer: { name: 'Tollgate Sample Buyer Inc', country: 'US' },
    lines: [
      { quantity, price: '27.30', name: 'Hard hat class E', sku: 'SKU-50445', category: 'S', rate: '10' },
    ],
    ...extra,
  };
}

async function start(key: string, xml: string) {
  return startWith(key, { xml });
}

async function startWith(key: string, invoice: { xml: string } | { pdfBase64: string }) {
  return harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
    user: 'avery.clerk',
    body: { invoice },
    headers: { 'Idempotency-Key': key },
  });
}

/** Waits for the run's decision: its end, or its approval waiting in the work room. */
async function decided(executionId: string): Promise<any> {
  return harness.waitForDecision(executionId);
}

async function run(key: string, xml: string): Promise<any> {
  const response = await start(key, xml);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return decided(response.body.executionId);
}

describe('EN 16931 e-invoices over HTTP', () => {
  it('approves a UBL invoice on its PO without a model and shows what was read', async () => {
    const built = buildEInvoice(onPo('EI-UBL-1', '10'));
    const result = await run('e-invoice-ubl-1', built.xml);
    expect(result.proposedDecision, JSON.stringify(result.reasons)).toBe('AUTO_APPROVED');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.extraction).toMatchObject({ source: 'xml', syntax: 'UBL-Invoice', modelId: null });
    expect(result.invoice).toMatchObject({ invoiceNumber: 'EI-UBL-1', total: '300.30', tax: '27.30' });
    expect(result.eInvoice).toMatchObject({
      syntax: 'UBL-Invoice',
      seller: { name: vendor.name, vatId: vendor.taxId },
      buyer: { name: 'Tollgate Sample Buyer Inc' },
      vatBreakdown: [{ category: 'S', rate: '10', taxableAmount: '273.00', taxAmount: '27.30' }],
      totals: { payable: '300.30', taxInclusive: '300.30' },
      lineCount: 1,
      credit: null,
      ruleBreaks: [],
    });
    expect(result.hold).toMatchObject({ amount: '300.30', currency: 'USD', status: 'HELD' });
  });

  it('holds the amount due of a CII invoice with a prepayment, not its total', async () => {
    const built = buildEInvoice(onPo('EI-CII-2', '20', { syntax: 'CII', prepaid: '100.00' }));
    expect(built.totals).toMatchObject({ taxInclusive: '600.60', payable: '500.60' });
    const result = await run('e-invoice-cii-2', built.xml);
    expect(result.proposedDecision, JSON.stringify(result.reasons)).toBe('AUTO_APPROVED');
    expect(result.eInvoice.totals).toMatchObject({ prepaid: '100.00', payable: '500.60' });
    const hold = await new DynamoDbEscrowLedger().getHold(result.hold.holdId);
    expect(hold?.amount).toEqual({ minor: 50060n, currency: 'USD' });
  });

  it('never pays a credit note: rejected, no hold, and an exception for AP to set it off', async () => {
    const built = buildEInvoice(onPo('EI-CN-3', '4', { syntax: 'UBL-CreditNote' }));
    const result = await run('e-invoice-credit-3', built.xml);
    expect(result.proposedDecision).toBe('REJECTED');
    expect(result.reasonCodes).toContain('CREDIT_NOTE');
    expect(result.hold).toBeNull();
    expect(result.eInvoice.credit).toBe('CREDIT_NOTE');
    const exceptions = await harness.api('GET', '/exceptions', { user: 'avery.clerk' });
    expect(exceptions.status).toBe(200);
    const open = JSON.stringify(exceptions.body);
    expect(open).toContain('EI-CN-3');
    expect(open).toContain('CREDIT_NOTE');
  });

  it('never pays a negative invoice in any form: a structured one with a negative total is a credit too', async () => {
    const invoice = structuredInvoice(PO, 'NEG-STRUCT-7', [{ lineNo: 1, sku: 'SKU-50445', quantity: '-2' }]);
    expect(invoice.total?.startsWith('-')).toBe(true);
    const response = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
      user: 'avery.clerk',
      body: { invoice: { structured: invoice } },
      headers: { 'Idempotency-Key': 'negative-structured-7' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    const result = await decided(response.body.executionId);
    expect(result.proposedDecision).toBe('REJECTED');
    expect(result.reasonCodes).toContain('CREDIT_NOTE');
    expect(result.hold).toBeNull();
    const exceptions = JSON.stringify(
      (await harness.api('GET', '/exceptions', { user: 'avery.clerk' })).body,
    );
    expect(exceptions).toContain('Negative invoice NEG-STRUCT-7');
  });

  it('sends an e-invoice whose amount due breaks BR-CO-16 to a person, naming the rule', async () => {
    const built = buildEInvoice(onPo('EI-BAD-4', '5', { override: { payable: '250.15' } }));
    const result = await run('e-invoice-bad-4', built.xml);
    expect(result.proposedDecision).toBe('PENDING_APPROVAL');
    expect(result.reasonCodes).toContain('EN16931_ARITHMETIC');
    const reason = result.reasons.find((r: { code: string }) => r.code === 'EN16931_ARITHMETIC');
    expect(reason.text).toMatch(/^BR-CO-16: .*150\.15.*250\.15/);
    expect(result.eInvoice.ruleBreaks.map((b: { rule: string }) => b.rule)).toEqual(['BR-CO-16']);
  });

  it('refuses anything that is not UBL or CII with 400 EINVOICE_INVALID, and a file past a limit with 413, starting nothing', async () => {
    const line = onPo('x', '1').lines[0];
    if (!line) throw new Error('line');
    const refused = [
      ['<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>', 400, 'EINVOICE_INVALID'],
      ['<Invoice><ID>1</ID></Invoice>', 400, 'EINVOICE_INVALID'],
      ['not xml at all', 400, 'EINVOICE_INVALID'],
      [
        buildEInvoice(onPo('EI-201', '1', { lines: Array.from({ length: 201 }, () => line) })).xml,
        413,
        'EINVOICE_TOO_LARGE',
      ],
    ] as const;
    for (const [index, [xml, status, code]] of refused.entries()) {
      const response = await start(`e-invoice-refused-${index}`, xml);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toMatch(/invoice\.xml: /);
    }
    // Nothing started under those keys: the same key with a good file starts a run.
    const good = await start('e-invoice-refused-0', buildEInvoice(onPo('EI-OK-5', '1')).xml);
    expect(good.status).toBe(202);
  });

  it('reads a Factur-X PDF by its embedded CII, not its printed text, and keeps the text as evidence', async () => {
    const built = buildEInvoice(onPo('EI-FX-6', '3', { syntax: 'CII' }));
    // The printed page says another number and another total: the embedded XML decides.
    const pdf = await pdfWithFiles(
      [`Invoice EI-PRINTED-6`, `Vendor: ${vendor.name}`, `PO Number: ${PO}`, 'Amount due: USD 9,999.00'],
      [['factur-x.xml', built.xml]],
    );
    const response = await startWith('e-invoice-facturx-6', { pdfBase64: pdf.toString('base64') });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    const result = await decided(response.body.executionId);
    expect(result.extraction).toMatchObject({
      source: 'pdf',
      embeddedFile: 'factur-x.xml',
      syntax: 'CII',
      modelId: null,
    });
    expect(result.invoice).toMatchObject({ invoiceNumber: 'EI-FX-6', total: built.totals.payable });
    expect(result.proposedDecision, JSON.stringify(result.reasons)).toBe('AUTO_APPROVED');
    expect(result.hold).toMatchObject({ amount: built.totals.payable });
    const found = await new DynamoDbEvidenceChain().findEvent(
      response.body.executionId,
      'ExtractInvoice/e_invoice',
    );
    const payloads = found?.record.payloads ?? [];
    expect(payloads.map((p) => p.name).sort()).toEqual(['embedded-e-invoice', 'pdf-text']);
    const text = payloads.find((p) => p.name === 'pdf-text');
    const stored = text ? await S3EvidenceStore.fromEnvironment().get(text.key) : undefined;
    expect(new TextDecoder().decode(stored?.body)).toContain('Amount due: USD 9,999.00');
  });

  it('refuses a PDF that embeds past the limits (413) or a Factur-X XML that does not read (400), starting nothing', async () => {
    const count = async () =>
      (
        await harness.api('GET', '/executions?runbook=invoice-reconciliation&limit=100', {
          user: 'finley.auditor',
        })
      ).body.executions.length;
    const before = await count();
    const many = await pdfWithFiles(
      ['Invoice with many attachments'],
      Array.from({ length: 11 }, (_, i) => [`page-${i}.txt`, 'x'] as const),
    );
    const tooMany = await startWith('e-invoice-pdf-many', { pdfBase64: many.toString('base64') });
    expect(tooMany.status, JSON.stringify(tooMany.body)).toBe(413);
    expect(tooMany.body.error.code).toBe('EINVOICE_TOO_LARGE');
    const broken = await pdfWithFiles(
      ['Invoice'],
      [['factur-x.xml', '<rsm:CrossIndustryInvoice xmlns:rsm="x">']],
    );
    const unreadable = await startWith('e-invoice-pdf-broken', { pdfBase64: broken.toString('base64') });
    expect(unreadable.status, JSON.stringify(unreadable.body)).toBe(400);
    expect(unreadable.body.error.code).toBe('EINVOICE_INVALID');
    expect(await count()).toBe(before);
  });

  it('answers 413 PAYLOAD_TOO_LARGE past the body limits, with the message the WAF sends in AWS', async () => {
    const big = await startWith('e-invoice-too-big', { xml: 'x'.repeat(MAX_DOCUMENT_BODY_BYTES) });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({
      error: { code: PAYLOAD_TOO_LARGE, message: payloadTooLargeMessage(MAX_DOCUMENT_BODY_BYTES) },
    });
    // Just under the limit reaches the handler (and is read as XML, which it is not).
    const under = await startWith('e-invoice-just-under', { xml: 'x'.repeat(MAX_DOCUMENT_BODY_BYTES - 100) });
    expect(under.status).toBe(413);
    expect(under.body.error.code).toBe('EINVOICE_TOO_LARGE');
    // Any other route takes at most the WAF's inspection limit.
    const other = await harness.api('POST', '/runbooks/payment-run/executions', {
      user: 'casey.controller',
      body: { accountId: 'A'.repeat(MAX_BODY_BYTES) },
      headers: { 'Idempotency-Key': 'payment-run-too-big' },
    });
    expect(other.status).toBe(413);
    expect(other.body).toEqual({
      error: { code: PAYLOAD_TOO_LARGE, message: payloadTooLargeMessage(MAX_BODY_BYTES) },
    });
  });
});
