import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seed } from '../../../../bin/commands/seed.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { erp, structuredInvoice, submitInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Who the invoice is from and whose authority decides it, attacked over HTTP on the local
// stack: a look-alike vendor name, a borrowed tax id, a requester choosing the agent.
const PO_NUMBER = 'PO-4501001';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await seed(erp);
});
afterAll(async () => {
  await harness?.stop();
});

/** Submits as an AP clerk and waits for the decision (a pending run waits for a person). */
function decide(key: string, invoice: { structured: unknown } | { text: string }): Promise<any> {
  return submitInvoice(harness, key, invoice, null);
}

describe('vendor identity: tax id first, a look-alike name never on its own', () => {
  it('rejects a Cyrillic look-alike vendor name with no tax id as UNKNOWN_VENDOR', async () => {
    // Prepare: the vendor's name with a Cyrillic 'е' (U+0435), no tax id
    const invoice = structuredInvoice(PO_NUMBER, 'IDC-LOOKALIKE-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '1' },
    ]);
    const forged = { ...invoice, vendorName: invoice.vendorName.replace('e', '\u0435'), vendorTaxId: null };

    // Act
    const result = await decide('idc-lookalike-0001', { structured: forged });

    // Assess
    expect(result.proposedDecision).toBe('REJECTED');
    expect(result.reasonCodes).toContain('UNKNOWN_VENDOR');
  });

  it("does not auto-approve another vendor's tax id under this vendor's name", async () => {
    // Prepare
    const invoice = structuredInvoice(PO_NUMBER, 'IDC-BORROWED-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '1' },
    ]);
    const other = erp.vendors.find((v) => v.name !== invoice.vendorName);
    const forged = { ...invoice, vendorTaxId: other?.taxId ?? null };

    // Act
    const result = await decide('idc-borrowed-0001', { structured: forged });

    // Assess
    expect(result.proposedDecision).toBe('REJECTED');
    expect(result.reasonCodes).toContain('UNKNOWN_VENDOR');
  });
});

describe('the requester does not choose whose authority applies', () => {
  it('refuses a request naming another agent with 400 and starts nothing', async () => {
    // Prepare
    const invoice = structuredInvoice(PO_NUMBER, 'IDC-AGENT-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '1' },
    ]);
    const key = 'idc-agent-other-0001';

    // Act
    const refused = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
      user: 'avery.clerk',
      body: { invoice: { structured: invoice }, agentId: 'trusted-big-agent' },
      headers: { 'Idempotency-Key': key },
    });
    // The same key with a valid body starts a run: the refused request claimed nothing.
    const retried = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
      user: 'avery.clerk',
      body: { invoice: { structured: invoice } },
      headers: { 'Idempotency-Key': key },
    });

    // Assess
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('invoice-review-agent');
    expect(refused.body.executionId).toBeUndefined();
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
  });

  it('decides with the bound agent when the request names none', async () => {
    // Prepare
    const invoice = structuredInvoice(PO_NUMBER, 'IDC-AGENT-2', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '1' },
    ]);

    // Act
    const result = await decide('idc-agent-none-0001', { structured: invoice });

    // Assess
    expect(result.proposedDecision, JSON.stringify(result)).toBe('AUTO_APPROVED');
    expect(result.reasonCodes).toEqual([]);
  });
});

describe('the proposed GL coding is checked, never taken on trust', () => {
  it('sends a line the model codes to a foreign account to an AP clerk as CODING_NOT_ALLOWED', async () => {
    // Prepare: the model codes every line to an account neither the PO nor the vendor allows
    // The local stack loads handlers by file URL, so the spy goes on the class it loads.
    const { LocalModelProvider } = (await import(
      pathToFileURL(join(PROJECT_ROOT, 'lambdas/runbooks/invoice-reconciliation/adapters/local-model.ts'))
        .href
    )) as typeof import('#runbooks/invoice-reconciliation/adapters/local-model.ts');
    const original = LocalModelProvider.prototype.proposeCoding;
    const spy = vi.spyOn(LocalModelProvider.prototype, 'proposeCoding').mockImplementation(async function (
      this: unknown,
      request,
    ) {
      const call = await original.call(this as never, request);
      return { ...call, value: call.value.map((line) => ({ ...line, glAccount: '9999-OWNERS-DRAW' })) };
    });
    const invoice = structuredInvoice(PO_NUMBER, 'IDC-CODING-1', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '1' },
    ]);

    // Act
    let result: any;
    let calls = 0;
    try {
      result = await decide('idc-coding-foreign-0001', { structured: invoice });
      calls = spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }

    // Assess
    expect(calls).toBeGreaterThan(0);
    expect(result.proposedDecision, JSON.stringify(result)).toBe('PENDING_APPROVAL');
    expect(result.reasonCodes).toEqual(['CODING_NOT_ALLOWED']);
    expect(result.requiredRole).toBe('ap_clerk');
  });
});
