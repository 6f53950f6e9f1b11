import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { pendingBankChange } from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import { seed } from '../../../../bin/commands/seed.ts';
import { evidenceSource, runExport } from '../../../../bin/evidence-commands.ts';
import { erp, structuredInvoice, submitInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Vendor bank-detail changes over HTTP on the local stack: three different people (requester,
// call-back verifier, controller) change the master, which starts the payment cooling-off; any
// overlap of those roles, a rejection or bad input changes nothing.
const PHONE = '+1 402 555 0100';
const NEW_ACH = { bankAccount: '555000111222', routingNumber: '021000021' };
const CALLED = `Called Jordan Lee (AR manager) on ${PHONE}, the number in the vendor master, at 10:05; confirmed the new account ending 1222.`;

let harness: Harness;
const sor = new DynamoDbSystemOfRecord();
const evidence = new DynamoDbEvidenceChain();
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  harness = await startHarness();
  // The sample vendor master has no phone numbers; these vendors get one to be called back on.
  await seed({
    ...erp,
    vendors: erp.vendors.map((v) => (v.vendorId === 'V-1109' ? v : { ...v, contactPhones: [PHONE] })),
  });
  await new DynamoDbTrustStore().registerAgent({
    agentId: 'payment-run-agent',
    displayName: 'Payment run agent',
    tier: 'bounded',
    pacts: [
      {
        action: 'payment.release',
        perActionLimit: '5000.00',
        dailyLimit: '20000.00',
        currency: 'USD',
        requiredEvidence: ['action'],
      },
    ],
  });
});
afterAll(async () => {
  await harness?.stop();
});

function change(vendorId: string, overrides: Record<string, unknown> = {}) {
  return {
    vendorId,
    newBankDetails: NEW_ACH,
    origin: {
      channel: 'email',
      sender: 'payments@prairie-fasteners-billing.example',
      receivedAt: '2026-12-01T09:00:00Z',
    },
    reason: 'Vendor says they moved banks.',
    ...overrides,
  };
}

function start(key: string, body: unknown, user = 'avery.clerk') {
  return harness.api('POST', '/runbooks/vendor-bank-change/executions', {
    user,
    body,
    headers: { 'Idempotency-Key': key },
  });
}

/** Waits until the run ends or waits for the given step. */
async function settle(executionId: string, step?: 'verification' | 'approval'): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await harness.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    if (body.status !== 'RUNNING' || (step && body.awaiting?.step === step)) return body;
    if (Date.now() > deadline) throw new Error(`Still running: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until a payment run ends or waits for a controller. */
async function settlePaymentRun(executionId: string): Promise<any> {
  return harness.waitForDecision(executionId);
}

function decide(
  executionId: string,
  step: 'verification' | 'approval',
  user: string,
  decision: string,
  comment: string,
) {
  return harness.api('POST', `/approvals/${executionId}-${step}/decision`, {
    user,
    body: { decision, comment },
  });
}

async function startedChange(key: string, vendorId: string, user = 'avery.clerk') {
  const started = await start(key, change(vendorId), user);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const executionId = started.body.executionId as string;
  const waiting = await settle(executionId, 'verification');
  expect(waiting.awaiting, JSON.stringify(waiting)).toMatchObject({
    step: 'verification',
    requiredRole: 'ap_clerk',
  });
  return { executionId, waiting };
}

async function countRuns(): Promise<number> {
  const listed = await harness.api('GET', '/executions?runbook=vendor-bank-change&limit=100', {
    user: 'gray.admin',
  });
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  return listed.body.executions.length;
}

describe('vendor bank change: requester, verifier and controller are three people', () => {
  it('changes the master after a call-back and a controller approval, and the next payment run holds the vendor back', async () => {
    const before = await sor.getVendor('V-1100');
    const { executionId, waiting } = await startedChange('bank-change-happy-1', 'V-1100');
    expect(waiting.vendorId).toBe('V-1100');
    expect(waiting.differences.map((d: any) => d.field).sort()).toEqual(['bankAccount', 'routingNumber']);
    expect(waiting.riskFlags.map((f: any) => f.code)).toEqual(
      expect.arrayContaining(['ORIGIN_NOT_AUTHENTICATED', 'ORIGIN_DOMAIN_NOT_ON_FILE', 'BANK_CHANGED']),
    );
    // The work room shows the verifier the numbers on file, never one from the request.
    const room = await harness.api('GET', '/approvals', { user: 'blake.clerk' });
    const task = room.body.approvals.find((a: any) => a.approvalId === `${executionId}-verification`);
    expect(task?.proposal.callBackNumbers).toEqual([PHONE]);
    expect(await pendingBankChange('V-1100')).toMatchObject({ executionId });
    // A second change for the same vendor while this one is pending is refused.
    const second = await start(
      'bank-change-happy-2',
      change('V-1100', { newBankDetails: { iban: 'DE89370400440532013000' } }),
    );
    expect(second.status).toBe(409);
    expect(second.body.error.reason).toBe('BANK_CHANGE_PENDING');

    expect((await decide(executionId, 'verification', 'blake.clerk', 'APPROVE', CALLED)).status).toBe(200);
    const approving = await settle(executionId, 'approval');
    expect(approving.verification).toMatchObject({
      by: 'blake.clerk',
      decision: 'VERIFIED',
      calledOn: PHONE,
    });
    expect((await sor.getVendor('V-1100'))?.bankAccount).toBe(before?.bankAccount);

    expect(
      (await decide(executionId, 'approval', 'casey.controller', 'APPROVE', 'Call-back recorded; approved.'))
        .status,
    ).toBe(200);
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.outcome).toMatchObject({
      status: 'CHANGED',
      verifiedBy: 'blake.clerk',
      approvedBy: 'casey.controller',
      bankDetailsChangedAt: today(),
    });
    expect(done.approval).toMatchObject({ by: 'casey.controller', decision: 'APPROVE' });
    const after = await sor.getVendor('V-1100');
    expect(after).toMatchObject({ ...NEW_ACH, bankDetailsChangedAt: today() });
    expect(await pendingBankChange('V-1100')).toBeUndefined();
    // The write is conditional: the same change again is recognised, a change over stale details writes nothing.
    const old = { bankAccount: before?.bankAccount ?? '', routingNumber: before?.routingNumber ?? '' };
    const again = { vendorId: 'V-1100', expected: old, next: NEW_ACH, changedAt: today() };
    expect(await sor.changeVendorBankDetails({ ...again, changeId: executionId })).toBe('already');
    expect(
      await sor.changeVendorBankDetails({
        ...again,
        changeId: 'another-change',
        next: { bankAccount: '999999999', routingNumber: '021000021' },
      }),
    ).toBe('details_changed');
    expect(await sor.getVendor('V-1100')).toEqual(after);
    const applied = await evidence.findEvent(executionId, 'ApplyChange/action');
    expect(applied?.record.actor).toMatchObject({ kind: 'person', id: 'casey.controller' });

    // A due hold for the vendor is left out of the next payment run while the cooling-off lasts.
    const now = new Date();
    await new DynamoDbEscrowLedger().hold({
      operationId: 'bank-change-hold-1',
      holdId: 'bank-change-hold-1',
      accountId: 'AP-USD-OPERATING',
      payee: 'V-1100',
      amount: money('250.00', 'USD'),
      reason: 'invoice after a bank change',
      releaseAt: new Date(now.getTime() - 3_600_000),
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      initiatedBy: { kind: 'person', id: 'avery.clerk' },
      at: now,
    });
    const run = await harness.api('POST', '/runbooks/payment-run/executions', {
      user: 'casey.controller',
      body: { accountId: 'AP-USD-OPERATING', asOf: today() },
      headers: { 'Idempotency-Key': 'bank-change-payrun-1' },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const paid = await harness.waitForExecution(run.body.executionId, 'finley.auditor');
    expect(paid.proposal.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          holdId: 'bank-change-hold-1',
          vendorId: 'V-1100',
          code: 'BANK_DETAILS_COOLING_OFF',
        }),
      ]),
    );

    // After the cooling-off, the first payment to the new account still waits for a controller.
    const later = new Date(now.getTime() + 11 * 86_400_000).toISOString().slice(0, 10);
    const next = await harness.api('POST', '/runbooks/payment-run/executions', {
      user: 'casey.controller',
      body: { accountId: 'AP-USD-OPERATING', asOf: later },
      headers: { 'Idempotency-Key': 'bank-change-payrun-2' },
    });
    expect(next.status, JSON.stringify(next.body)).toBe(202);
    const firstPayment = await settlePaymentRun(next.body.executionId);
    expect(firstPayment.decision, JSON.stringify(firstPayment)).toBe('PENDING_APPROVAL');
    expect(firstPayment.proposal.firstTimePayees).toEqual(['V-1100']);
    expect(firstPayment.reasons.map((r: any) => r.code)).toContain('FIRST_TIME_PAYEE');
  });

  it('refuses the requester as verifier: the platform refuses the decision and the run ends without a change', async () => {
    const before = await sor.getVendor('V-1102');
    const { executionId } = await startedChange('bank-change-self-verify-1', 'V-1102');
    const own = await decide(executionId, 'verification', 'avery.clerk', 'APPROVE', CALLED);
    expect(own.status).toBe(403);
    expect(own.body.error.reason).toBe('REQUESTER_MAY_NOT_DECIDE');
    expect((await getApproval(`${executionId}-verification`))?.status).toBe('PENDING');
    expect(
      (
        await decide(
          executionId,
          'verification',
          'blake.clerk',
          'REJECT',
          'The requester tried to verify it.',
        )
      ).status,
    ).toBe(200);
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.outcome).toMatchObject({ status: 'REJECTED', stage: 'verification', masterUnchanged: true });
    expect(await sor.getVendor('V-1102')).toEqual(before);
    expect(await pendingBankChange('V-1102')).toBeUndefined();
  });

  it('refuses a controller who verified the change as its approver: the run fails closed and nothing changes', async () => {
    const before = await sor.getVendor('V-1103');
    const { executionId } = await startedChange('bank-change-verifier-approves-1', 'V-1103', 'gray.admin');
    expect((await decide(executionId, 'verification', 'dana.controller', 'APPROVE', CALLED)).status).toBe(
      200,
    );
    await settle(executionId, 'approval');
    expect(
      (await decide(executionId, 'approval', 'dana.controller', 'APPROVE', 'I verified it, so approved.'))
        .status,
    ).toBe(200);
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status).toBe('FAILED');
    expect(done.outcome).toMatchObject({
      status: 'FAILED',
      error: 'SeparationOfDutiesError',
      masterUnchanged: true,
    });
    expect(done.outcome.reason).toContain('the approving controller is the verifier');
    expect(await sor.getVendor('V-1103')).toEqual(before);
    expect(await pendingBankChange('V-1103')).toBeUndefined();
    const refused = await evidence.findEvent(executionId, 'Read/approval/rule_result');
    expect(refused?.record.details).toMatchObject({
      separationOfDuties: 'the approving controller is the verifier',
    });
  });

  it('leaves the master unchanged when the controller rejects, and records why', async () => {
    const before = await sor.getVendor('V-1104');
    const { executionId } = await startedChange('bank-change-reject-1', 'V-1104');
    expect((await decide(executionId, 'verification', 'blake.clerk', 'APPROVE', CALLED)).status).toBe(200);
    await settle(executionId, 'approval');
    expect(
      (
        await decide(
          executionId,
          'approval',
          'casey.controller',
          'REJECT',
          'Sender domain is not the vendor.',
        )
      ).status,
    ).toBe(200);
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.outcome).toMatchObject({
      status: 'REJECTED',
      stage: 'approval',
      decidedBy: 'casey.controller',
      reason: 'Sender domain is not the vendor.',
    });
    expect(await sor.getVendor('V-1104')).toEqual(before);
    const closed = await evidence.findEvent(executionId, 'Close/action');
    expect(closed?.record.business).toMatchObject({ vendorId: 'V-1104', decision: 'REJECTED' });
  });

  it('does not count a call-back on a number that is not in the vendor master: NOT_VERIFIED, nothing changes', async () => {
    const before = await sor.getVendor('V-1106');
    const { executionId } = await startedChange('bank-change-wrong-number-1', 'V-1106');
    const comment = 'Called the number in their e-mail, +1 312 555 0199; they confirmed.';
    expect((await decide(executionId, 'verification', 'blake.clerk', 'APPROVE', comment)).status).toBe(200);
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.verification).toMatchObject({ by: 'blake.clerk', decision: 'NOT_VERIFIED' });
    expect(done.outcome).toMatchObject({
      status: 'NOT_VERIFIED',
      stage: 'verification',
      masterUnchanged: true,
    });
    expect(await sor.getVendor('V-1106')).toEqual(before);
  });

  it('refuses bad input with 400 and starts nothing', async () => {
    const runs = await countRuns();
    const cases: [string, unknown, string][] = [
      ['unknown', change('V-9999'), 'UNKNOWN_VENDOR'],
      [
        'same',
        // V-1101's details as the master holds them, written with spaces.
        change('V-1101', { newBankDetails: { bankAccount: '9166 5687 61', routingNumber: '132845751' } }),
        'SAME_BANK_DETAILS',
      ],
      ['nophone', change('V-1109'), 'NO_CALLBACK_NUMBER'],
    ];
    for (const [key, body, reason] of cases) {
      const refused = await start(`bank-change-bad-${key}`, body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', reason });
    }
    const malformed: [string, unknown][] = [
      [
        'aba',
        change('V-1105', { newBankDetails: { bankAccount: '555000111222', routingNumber: '021000022' } }),
      ],
      ['iban', change('V-1105', { newBankDetails: { iban: 'DE89370400440532013001' } })],
      ['extra', { ...change('V-1105'), approvedBy: 'casey.controller' }],
      ['channel', change('V-1105', { origin: { channel: 'fax', receivedAt: '2026-12-01T09:00:00Z' } })],
    ];
    for (const [key, body] of malformed) {
      const refused = await start(`bank-change-bad-${key}`, body);
      expect(refused.status, `${key}: ${JSON.stringify(refused.body)}`).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await start('bank-change-bad-role', change('V-1105'), 'emery.fpa')).status).toBe(403);
    expect(await countRuns()).toBe(runs);
    expect(await pendingBankChange('V-1105')).toBeUndefined();
  });
});

describe('vendor bank change: invoices while a change is pending', () => {
  it('sends an invoice of a vendor with a pending bank change to a controller, though its remit-to matches the master', async () => {
    // Prepare: a change for V-1101 waits for its call-back
    const { executionId } = await startedChange('bank-change-pending-invoice-1', 'V-1101');
    const invoice = structuredInvoice('PO-4501017', 'BCP-PENDING-1', [
      { lineNo: 2, sku: 'SKU-62242', quantity: '1' },
    ]);

    // Act
    const run = await submitInvoice(
      harness,
      'bank-change-pending-invoice-inv-1',
      { structured: invoice },
      null,
    );

    // Assess
    expect(run.proposedDecision).toBe('PENDING_APPROVAL');
    expect(run.requiredRole).toBe('controller');
    expect(run.reasonCodes).toContain('BANK_DETAILS_MISMATCH');
    expect(run.reasons.find((r: any) => r.code === 'BANK_DETAILS_MISMATCH')?.text).toMatch(/pending/);

    // The change is rejected at its call-back; the next invoice of the vendor is its own again.
    expect(
      (await decide(executionId, 'verification', 'blake.clerk', 'REJECT', 'Vendor denies asking.')).status,
    ).toBe(200);
    await settle(executionId);
    expect(await pendingBankChange('V-1101')).toBeUndefined();
    const after = await submitInvoice(
      harness,
      'bank-change-pending-invoice-inv-2',
      {
        structured: structuredInvoice('PO-4501017', 'BCP-PENDING-2', [
          { lineNo: 2, sku: 'SKU-62242', quantity: '1' },
        ]),
      },
      null,
    );
    expect(after.reasonCodes).not.toContain('BANK_DETAILS_MISMATCH');
  });

  it('starts a change from an invoice that shows a new remit-to, with the invoice as its unauthenticated origin', async () => {
    // Prepare: an invoice asking to be paid to an account the vendor master does not hold.
    const invoice = structuredInvoice('PO-4501017', 'BCP-REMIT-1', [
      { lineNo: 2, sku: 'SKU-62242', quantity: '1' },
    ]);
    invoice.remitTo = { bankAccount: '777000333444', routingNumber: '021000021' };
    const vendorId = erp.purchaseOrders.find((p) => p.poNumber === 'PO-4501017')?.vendorId as string;
    const invoiceRun = await submitInvoice(harness, 'bank-change-remit-inv-1', { structured: invoice }, null);
    expect(invoiceRun.reasonCodes).toContain('BANK_DETAILS_MISMATCH');

    // Act
    const started = await start('bank-change-from-invoice-1', {
      fromInvoice: { executionId: invoiceRun.executionId },
    });

    // Assess
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const waiting = await settle(started.body.executionId, 'verification');
    expect(waiting.vendorId).toBe(vendorId);
    expect(waiting.riskFlags.map((f: any) => f.code)).toContain('ORIGIN_NOT_AUTHENTICATED');
    const approval = await getApproval(`${started.body.executionId}-verification`);
    expect(approval?.proposal).toMatchObject({ origin: { channel: 'invoice' } });
    // Rejected at the call-back, the master keeps its details.
    const before = await sor.getVendor(vendorId);
    expect(
      (await decide(started.body.executionId, 'verification', 'blake.clerk', 'REJECT', 'Vendor never asked.'))
        .status,
    ).toBe(200);
    await settle(started.body.executionId);
    expect(await sor.getVendor(vendorId)).toEqual(before);
  });

  it('refuses to start from an invoice run that shows no new remit-to, or from a run that is no invoice', async () => {
    const plain = await submitInvoice(
      harness,
      'bank-change-remit-inv-2',
      {
        structured: structuredInvoice('PO-4501003', 'BCP-REMIT-2', [
          { lineNo: 1, sku: 'SKU-40681', quantity: '1' },
        ]),
      },
      null,
    );
    const same = await start('bank-change-from-invoice-2', {
      fromInvoice: { executionId: plain.executionId },
    });
    expect(same.status).toBe(400);
    expect(same.body.error.reason).toBe('NO_NEW_REMIT_TO');
    const none = await start('bank-change-from-invoice-3', { fromInvoice: { executionId: 'no-such-run' } });
    expect(none.status).toBe(400);
    expect(none.body.error.reason).toBe('UNKNOWN_INVOICE_RUN');
  });

  it('lists each applied change in the auditor export with its verifier and approver, and no refused one', async () => {
    // Prepare: the happy-path change above was verified by blake.clerk and approved by casey.controller.
    const source = evidenceSource({ dataDir: harness.dataDir });
    const outDir = join(harness.dataDir, 'exports');
    // Exports read only what a signed digest lists.
    await harness.stack.digestNow({ final: true });

    // Act
    const exported = await runExport(source, 'bank-detail-changes', {
      from: today(),
      to: today(),
      format: 'json',
      outDir,
      engine: 'duckdb',
    });

    // Assess
    const rows = exported.rows;
    expect(readFileSync(exported.outputFile, 'utf8')).toContain('casey.controller');
    const applied = rows.filter((r) => r.vendor_id === 'V-1100' && r.outcome === 'CHANGED');
    expect(applied, JSON.stringify(rows)).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      verifier_id: 'blake.clerk',
      verifier_role: 'ap_clerk',
      approver_id: 'casey.controller',
      approver_role: 'controller',
    });
    // Rejected and refused changes applied nothing, so they are not rows.
    expect(rows.every((r) => r.approver_id !== r.verifier_id)).toBe(true);
    expect(rows.filter((r) => r.vendor_id === 'V-1101')).toEqual([]);
  });
});
