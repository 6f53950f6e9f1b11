import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseErpSnapshot, type Vendor } from '#platform/system-of-record/core/reference-data.ts';
import {
  assessInvoice,
  confusableCharacters,
  identifyVendor,
} from '#runbooks/invoice-reconciliation/core/assess-invoice.ts';
import { codingChecks } from '#runbooks/invoice-reconciliation/core/coding.ts';
import type { Invoice } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { failedCodes } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { boundAgentId, invoiceSubmissionSchema } from '#runbooks/invoice-reconciliation/core/submission.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { inMemorySystemOfRecord } from '../../../support/in-memory-system-of-record.ts';

// Vendor identity as an attacker would probe it: a look-alike name, a borrowed tax id.
const SAMPLES = join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices');
const erp = parseErpSnapshot(JSON.parse(readFileSync(join(SAMPLES, 'erp.json'), 'utf8')));
const sor = inMemorySystemOfRecord(erp);
const acme = erp.vendors.find((v) => v.vendorId === 'V-1102') as Vendor;
const other = erp.vendors.find((v) => v.vendorId === 'V-1103') as Vendor;

function invoiceFrom(vendorName: string | null, vendorTaxId: string | null): Invoice {
  return {
    invoiceNumber: 'ID-TEST-1',
    vendorName,
    vendorTaxId,
    invoiceDate: '2026-10-25',
    dueDate: '2026-11-30',
    currency: 'USD',
    poNumber: null,
    lines: [
      { lineNo: 1, sku: null, description: 'item', quantity: '1', unitPrice: '10.00', amount: '10.00' },
    ],
    subtotal: '10.00',
    tax: '0.00',
    total: '10.00',
    remitTo: { bankAccount: acme.bankAccount, routingNumber: acme.routingNumber },
    confidence: {},
  };
}

describe('vendor identity: tax id first, a look-alike name never on its own', () => {
  it('does not match a name with a Cyrillic look-alike letter and no tax id', async () => {
    // Prepare: 'Acme' with a Cyrillic 'е' (U+0435)
    const invoice = invoiceFrom('Acm\u0435 Industrial Supply LLC', null);

    // Act
    const identity = await identifyVendor(invoice, sor);
    const assessment = await assessInvoice(invoice, sor, erp.policy);

    // Assess
    expect(identity.vendor).toBeNull();
    expect(identity.vendor === null && identity.reason).toMatch(/mixes scripts.*U\+0435/);
    expect(failedCodes(assessment.results)).toContain('UNKNOWN_VENDOR');
  });

  it('flags mixed scripts after NFKC, and not a name in one script', () => {
    expect(confusableCharacters('\u0410cme')).toEqual(['U+0410']);
    expect(confusableCharacters('\uff21cme Industrial')).toEqual([]);
    expect(confusableCharacters('Acme Industrial Supply LLC')).toEqual([]);
  });

  it('matches the real tax id with a slightly different name', async () => {
    const invoice = invoiceFrom('ACME Industrial Supplies', acme.taxId);
    const identity = await identifyVendor(invoice, sor);
    expect(identity.vendor?.vendorId).toBe('V-1102');
  });

  it('matches an exact name (after normalisation) when no tax id is given', async () => {
    const invoice = invoiceFrom('acme  industrial supply, llc', null);
    const identity = await identifyVendor(invoice, sor);
    expect(identity.vendor?.vendorId).toBe('V-1102');
  });

  it("refuses another vendor's tax id under this vendor's name", async () => {
    // Prepare
    const invoice = invoiceFrom(acme.name, other.taxId);

    // Act
    const identity = await identifyVendor(invoice, sor);
    const assessment = await assessInvoice(invoice, sor, erp.policy);

    // Assess
    expect(identity.vendor).toBeNull();
    expect(failedCodes(assessment.results)).toContain('UNKNOWN_VENDOR');
  });

  it('refuses a tax id no vendor has, even with an exact vendor name', async () => {
    const invoice = invoiceFrom(acme.name, '99-0000000');
    const identity = await identifyVendor(invoice, sor);
    expect(identity.vendor).toBeNull();
  });
});

describe('the runbook is bound to one agent', () => {
  const schema = invoiceSubmissionSchema({ agentId: 'invoice-review-agent' });
  const invoice = { text: 'Invoice INV-1 from Acme Industrial Supply, total 10.00 USD' };

  it('refuses a request that names another agent', () => {
    const parsed = schema.safeParse({ invoice, agentId: 'trusted-big-agent' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('invoice-review-agent');
  });

  it('accepts the bound agent or none', () => {
    expect(schema.safeParse({ invoice, agentId: 'invoice-review-agent' }).success).toBe(true);
    expect(schema.safeParse({ invoice }).success).toBe(true);
  });

  it('reads the bound agent from the policy and refuses a policy without one', () => {
    expect(boundAgentId({ agentId: 'invoice-review-agent' })).toBe('invoice-review-agent');
    expect(() => boundAgentId({})).toThrow(/agentId/);
  });
});

describe('the agent is bound per entity', () => {
  const binding = {
    agentId: 'invoice-review-agent',
    agentsByEntity: { US01: 'invoice-review-agent', DE01: 'ap-agent-de' },
  };
  const schema = invoiceSubmissionSchema(binding);
  const invoice = { text: 'Invoice INV-1 from Acme Industrial Supply, total 10.00 USD' };

  it("binds each entity's own agent, and the runbook's agent when no entity is named", () => {
    expect(boundAgentId(binding, 'DE01')).toBe('ap-agent-de');
    expect(boundAgentId(binding, 'US01')).toBe('invoice-review-agent');
    expect(boundAgentId(binding)).toBe('invoice-review-agent');
    expect(schema.safeParse({ invoice, entity: 'DE01' }).success).toBe(true);
  });

  it("refuses a request that names an entity with another entity's agent", () => {
    // An attacker who knows DE01's agent has a larger pact names it for a US01 invoice.
    const parsed = schema.safeParse({ invoice, entity: 'US01', agentId: 'ap-agent-de' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['agentId']);
    expect(parsed.error?.issues[0]?.message).toContain('invoice-review-agent for US01');
  });

  it('refuses an entity the policy does not list, naming the ones it does', () => {
    const parsed = schema.safeParse({ invoice, entity: 'FR01' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('an entity this runbook works: US01, DE01');
    expect(
      invoiceSubmissionSchema({ agentId: 'invoice-review-agent' }).safeParse({ invoice, entity: 'US01' })
        .success,
    ).toBe(false);
  });
});

describe('proposed GL coding', () => {
  const purchaseOrder = { costCenter: 'CC-100', lines: [{ lineNo: 1, glAccount: '5000' }] };
  const lineMatches = [{ invoiceLineNo: 1, poLineNo: 1 }];
  const vendorCoding = { defaultGlAccount: '6100', allowedGlAccounts: ['6200'] };
  const codes = (results: readonly { passed: boolean; code: string }[]) => failedCodes(results as never);

  it('passes the PO line account, the vendor default and an allowed account', () => {
    for (const glAccount of ['5000', '6100', '6200']) {
      const results = codingChecks({
        coding: [{ lineNo: 1, glAccount, costCenter: 'CC-100' }],
        vendor: vendorCoding,
        purchaseOrder,
        lineMatches,
      });
      expect(codes(results)).toEqual([]);
    }
  });

  it('fails a line coded to an account neither the PO nor the vendor allows', () => {
    const results = codingChecks({
      coding: [{ lineNo: 1, glAccount: '9999', costCenter: 'CC-100' }],
      vendor: vendorCoding,
      purchaseOrder,
      lineMatches,
    });
    expect(codes(results)).toEqual(['CODING_NOT_ALLOWED']);
    expect(results[0]?.effect).toBe('approval');
  });

  it('fails an allowed account that is inactive in the chart, and a foreign cost center', () => {
    const inactive = codingChecks({
      coding: [{ lineNo: 1, glAccount: '6200', costCenter: 'CC-100' }],
      vendor: vendorCoding,
      purchaseOrder,
      lineMatches,
      chartOfAccounts: [
        { account: '5000', active: true },
        { account: '6200', active: false },
      ],
    });
    const foreignCostCenter = codingChecks({
      coding: [{ lineNo: 1, glAccount: '5000', costCenter: 'CC-EXEC' }],
      vendor: vendorCoding,
      purchaseOrder,
      lineMatches,
    });
    expect(codes(inactive)).toEqual(['CODING_NOT_ALLOWED']);
    expect(codes(foreignCostCenter)).toEqual(['CODING_NOT_ALLOWED']);
  });
});
