import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApproval, recordDecision } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { handler as sweep } from '#platform/approvals/handlers/approval-backlog.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { seed } from '../../../../bin/commands/seed.ts';
import { demoSubject } from '../../../../local/dev-identity.ts';
import { erp, structuredInvoice, submitInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// A decision written to the work room whose request then crashed (before its evidence and before
// SendTaskSuccess) is not left decided-but-never-applied: the scheduled sweep finishes it once.
let harness: Harness;
const chain = new DynamoDbEvidenceChain();
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

beforeAll(async () => {
  harness = await startHarness();
  await seed(erp);
});
afterAll(async () => {
  await harness?.stop();
});

/** An invoice priced over the PO's tolerance: it waits for an AP clerk. */
async function waitingInvoice(key: string, invoiceNumber: string) {
  const invoice = structuredInvoice('PO-4501017', invoiceNumber, [
    { lineNo: 2, sku: 'SKU-62242', quantity: '1' },
  ]);
  const line = invoice.lines[0] as { unitPrice: string; amount: string };
  const raised = (Number(line.unitPrice) * 1.2).toFixed(2);
  invoice.lines = [
    { ...invoice.lines[0], unitPrice: raised, amount: raised } as (typeof invoice.lines)[number],
  ];
  invoice.subtotal = raised;
  invoice.tax = '0.00';
  invoice.total = raised;
  const run = await submitInvoice(harness, key, { structured: invoice }, null);
  expect(run.approval?.status, JSON.stringify(run)).toBe('PENDING');
  return run;
}

describe('decisions recorded but never applied', () => {
  it('are finished by the sweep: evidence written, the run resumed, exactly once', async () => {
    // Prepare: the decision row is written, then the deciding request dies.
    const run = await waitingInvoice('unapplied-1', 'UNAP-1');
    const approvalId = run.approval.approvalId as string;
    const written = await recordDecision(approvalId, {
      decision: 'APPROVE',
      comment: 'Price rise agreed by phone with purchasing.',
      decidedBy: { userId: demoSubject('blake.clerk'), username: 'blake.clerk', role: 'ap_clerk' },
    });
    expect(written).toBe('recorded');
    const stuck = await harness.api('GET', `/executions/${run.executionId}`, { user: 'finley.auditor' });
    expect(stuck.body.status).toBe('RUNNING');
    expect(await chain.findEvent(run.executionId, 'Approval/1/decision')).toBeUndefined();

    // Act: the sweep runs; a decision younger than its settle time is left to its own request.
    const tooSoon = await sweep({ at: new Date().toISOString() });
    const first = await sweep({ at: later(3) });
    const second = await sweep({ at: later(3) });

    // Assess
    expect(tooSoon.unapplied).toEqual({});
    expect(first.unapplied).toEqual({ applied: 1 });
    expect(second.unapplied).toEqual({});
    const done = await harness.waitForExecution(run.executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.hold?.status).toBe('HELD');
    expect((await chain.findEvent(run.executionId, 'Approval/1/decision'))?.record.actor).toMatchObject({
      id: 'blake.clerk',
    });
    expect((await getApproval(approvalId))?.appliedAt).toBeDefined();
  });

  it('leaves a decision its own request applied alone, and the person may repeat the request harmlessly', async () => {
    // Prepare
    const run = await waitingInvoice('unapplied-2', 'UNAP-2');
    const decide = () =>
      harness.api('POST', `/approvals/${run.approval.approvalId}/decision`, {
        user: 'blake.clerk',
        body: { decision: 'APPROVE', comment: 'Price rise agreed.' },
      });

    // Act
    expect((await decide()).status).toBe(200);
    const swept = await sweep({ at: later(3) });
    const again = await decide();

    // Assess
    expect(swept.unapplied).toEqual({});
    expect(again.status).toBe(200);
    expect((await harness.waitForExecution(run.executionId, 'finley.auditor')).status).toBe('SUCCEEDED');
  });
});
