import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SAMPLES_DIR,
  DEMO_REJECTS,
  type DemoSummary,
  readCases,
  runDemo,
} from '../../../bin/commands/demo.ts';
import { evidenceSource, runExport } from '../../../bin/evidence-commands.ts';
import { type Harness, startHarness } from '../../support/local-stack-harness.ts';

// The demo on the real local stack: the AP sample set seeded, submitted, decided and verified.
let harness: Harness;
let summary: DemoSummary;
const cases = readCases(DEFAULT_SAMPLES_DIR);
const expectedCount = (decision: string) => cases.filter((c) => c.expected.decision === decision).length;

beforeAll(async () => {
  harness = await startHarness();
  summary = await runDemo({ stack: harness.stack });
}, 180_000);
afterAll(async () => {
  await harness?.stop();
});

describe('runDemo on the AP sample set', () => {
  it('processes every invoice and reaches the decisions cases.json expects', () => {
    // Assess
    expect(summary.invoices).toBe(cases.length);
    expect(summary.decisions).toEqual({
      AUTO_APPROVED: expectedCount('AUTO_APPROVED'),
      PENDING_APPROVAL: expectedCount('PENDING_APPROVAL'),
      REJECTED: expectedCount('REJECTED'),
    });
    expect(summary.automationRate).toBeCloseTo(expectedCount('AUTO_APPROVED') / cases.length, 10);
    for (const sample of cases) {
      const outcome = summary.cases.find((c) => c.caseId === sample.caseId);
      expect(outcome?.decision, sample.caseId).toBe(sample.expected.decision);
      expect(outcome?.requiredRole, sample.caseId).toBe(sample.expected.requiredRole);
    }
  });

  it('has each approval decided by the required role, price variances and currency mismatches rejected', () => {
    // Prepare
    const pending = cases.filter((c) => c.expected.decision === 'PENDING_APPROVAL');
    const byRole = (role: string) => pending.filter((c) => c.expected.requiredRole === role);
    const rejected = (role: string) =>
      byRole(role).filter((c) => c.expected.reasonCodes.some((code) => DEMO_REJECTS.includes(code))).length;

    // Assess
    for (const role of ['ap_clerk', 'controller']) {
      expect(summary.approvalsByRole[role]).toEqual({
        approved: byRole(role).length - rejected(role),
        rejected: rejected(role),
      });
    }
    const deciders = summary.cases.flatMap((c) => (c.approval ? [c.approval.decidedBy] : []));
    expect(deciders).not.toContain('avery.clerk');
  });

  it('verifies the evidence it wrote, with a digest covering the run', () => {
    // Assess
    expect(summary.evidence.exitCode).toBe(0);
    expect(summary.evidence.invalid).toBe(0);
    expect(summary.evidence.valid).toBeGreaterThan(cases.length);
    expect(summary.evidenceFolder.startsWith(harness.dataDir)).toBe(true);
  });

  it('reports the money held in escrow for every approved invoice that ended approved', () => {
    // Prepare
    const held = summary.cases.filter((c) => c.finalStatus === 'APPROVED').length;

    // Assess
    expect(summary.escrowOpenHolds).toBe(held);
    expect(summary.agentEscrowOpenHolds).toBe(expectedCount('AUTO_APPROVED'));
  });

  it('goes on past the approvals: pays what is due, has the bank answer, reconciles, and keeps escrow whole', () => {
    // Assess
    const payments = summary.payments;
    expect(payments?.problems).toEqual([]);
    const usd = payments?.currencies.find((c) => c.currency === 'USD');
    // One payment bounced by the simulated bank (closed account), the rest posted.
    expect(usd?.rejected.count).toBe(1);
    expect(usd?.paid.count).toBeGreaterThan(0);
    expect(usd?.reconciled.debits).toBe(usd?.paid.amount);
    // A customer short by 12.50 is written off by the agent; short by 400.00 goes to a person.
    expect(usd?.writtenOff).toEqual({ count: 1, amount: '12.50' });
    expect(payments?.exceptionsByKind).toMatchObject({
      PAYMENT_REJECTED: 1,
      UNMATCHED_DEBIT: 1,
      SHORT_PAYMENT_ABOVE_THRESHOLD: 1,
    });
    expect(payments?.invariantChecks).toBeGreaterThanOrEqual(4);
    // One held payment was disputed by a controller and voided by another before any run.
    expect(payments?.dispute).toMatchObject({ resolution: 'void', currency: 'USD' });
    expect(payments?.dispute?.resolvedBy).not.toBe(payments?.dispute?.filedBy);
    // A support agent's refund within its pact was held, then paid by a run (or bounced back by the bank).
    expect(payments?.refund).toMatchObject({ outcome: 'HELD', orderId: 'ORD-5001' });
    expect(['POSTED', 'VOIDED']).toContain(payments?.refund?.afterRuns);
    // A vendor's bank-detail change taken by one clerk, verified by another, approved by a controller.
    const change = payments?.bankChange;
    expect(change).toMatchObject({
      outcome: 'CHANGED',
      requestedBy: 'avery.clerk',
      verifiedBy: 'blake.clerk',
    });
    expect(new Set([change?.requestedBy, change?.verifiedBy, change?.approvedBy]).size).toBe(3);
  });

  it('lets an auditor export the money that left without an approved invoice, and the write-offs by who approved them', async () => {
    // Prepare
    const source = evidenceSource({ dataDir: harness.dataDir });
    const today = new Date().toISOString().slice(0, 10);
    const outDir = join(harness.dataDir, 'exports');

    // Act
    const unapproved = await runExport(source, 'payments-without-approved-invoice', {
      from: today,
      to: today,
      format: 'json',
      outDir,
      engine: 'duckdb',
    });
    const writeOffs = await runExport(source, 'write-offs-by-approver', {
      from: today,
      to: today,
      format: 'csv',
      outDir,
      engine: 'duckdb',
    });
    const byInvoiceDate = runExport(source, 'write-offs-by-approver', {
      from: today,
      to: today,
      format: 'csv',
      outDir,
      engine: 'duckdb',
      dateBy: 'invoice',
    });

    // Assess: the simulated bank's stray debit, and nothing the invoice runbook approved
    expect(unapproved.rows.map((r) => [r.finding, r.amount])).toEqual([['UNMATCHED_DEBIT', '125.00']]);
    expect(writeOffs.rows.map((r) => [r.approver_kind, r.approver_id, r.amount])).toEqual([
      ['agent', 'bank-reconciliation-agent', '12.50'],
    ]);
    await expect(byInvoiceDate).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers vendors about their invoices afterwards, and drafts one for a clerk', () => {
    // Assess: two answered from the system of record, an unknown sender acknowledged, one drafted
    const inquiries = summary.inquiries;
    expect(inquiries?.problems).toEqual([]);
    expect(inquiries?.inquiries.map((q) => q.status)).toEqual(['SENT', 'SENT', 'SENT', 'DRAFT']);
    expect(inquiries?.inquiries[0]?.says).toMatch(/^Invoice \S+: /);
    expect(inquiries?.inquiries[2]?.vendorId).toBeNull();
    expect(inquiries?.inquiries[3]?.draftReasons).toContain('SUSPICIOUS_MESSAGE');
    // The draft waited for another clerk, who sent nothing.
    expect(inquiries?.inquiries[3]?.review).toEqual({
      by: 'blake.clerk',
      decision: 'REJECT',
      reply: 'NOT_SENT',
    });
  });
});
