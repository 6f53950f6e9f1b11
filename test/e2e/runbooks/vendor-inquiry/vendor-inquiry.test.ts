import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { getException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { GENERIC_ACKNOWLEDGEMENT } from '#runbooks/vendor-inquiry/core/reply.ts';
import { seed } from '../../../../bin/commands/seed.ts';
import { erp, structuredInvoice, submitInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';
import { LABELLED_INQUIRIES, type LabelledInquiry } from './labelled-inquiries.ts';

// Vendor inquiries over HTTP on the local stack: the labelled set runs end to end, every reply is
// scanned for another vendor's invoices and for any number the facts do not hold, unknown senders
// learn nothing, bank-detail changes change nothing, and a reply outside the pact is a draft.
let harness: Harness;
const sor = new DynamoDbSystemOfRecord();
const ledger = new DynamoDbEscrowLedger();
const evidence = new DynamoDbEvidenceChain();
const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const PHONE = '+1 402 555 0100';
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** PFT-2201's release date, and PFT-7702's due date: ahead of today, whenever the test runs. */
const SCHEDULED = dayFromNow(13);
const DUE = dayFromNow(20);

/** Every invoice number the seeded world holds, by the vendor it belongs to. */
const INVOICES_OF: Readonly<Record<string, readonly string[]>> = {
  'V-1100': ['PFT-2199', 'PFT-2201', 'PFT-2202', 'PFT-2203', 'PFT-7701', 'PFT-7702'],
  'V-1101': ['LPS-3301', 'LPS-3302'],
  'V-1102': ['AIS-10514'],
  'V-1103': ['CNS-5501'],
};

async function seededHold(
  invoiceNumber: string,
  vendorId: string,
  amount: string,
  options: { releaseAt?: Date; paymentId?: string; post?: boolean; dispute?: boolean } = {},
) {
  const holdId = `AP-${vendorId}-${invoiceNumber.replace(/[^A-Z0-9]/g, '')}`;
  const now = new Date();
  await ledger.hold({
    operationId: `hold-${holdId}`,
    holdId,
    accountId: 'AP-USD-OPERATING',
    payee: vendorId,
    amount: money(amount, 'USD'),
    reason: `invoice ${invoiceNumber}`,
    ...(options.releaseAt ? { releaseAt: options.releaseAt } : {}),
    expiresAt: new Date(now.getTime() + 60 * DAY),
    initiatedBy: { kind: 'person', id: 'avery.clerk' },
    source: {
      runbook: 'invoice-reconciliation',
      executionId: `seeded-${invoiceNumber}`,
      document: invoiceNumber,
    },
    at: now,
  });
  if (options.paymentId)
    await ledger.startPayment({ operationId: `pay-${holdId}`, holdId, paymentId: options.paymentId });
  if (options.post) await ledger.post({ operationId: `post-${holdId}`, holdId });
  if (options.dispute) await ledger.dispute({ operationId: `dispute-${holdId}`, holdId });
}

function ask(key: string, message: { from: string; subject: string; body: string }, extra: object = {}) {
  return harness.api('POST', '/runbooks/vendor-inquiry/executions', {
    user: 'avery.clerk',
    body: { message, ...extra },
    headers: { 'Idempotency-Key': key },
  });
}

/** Waits until the run ends (a reply sent) or its draft waits for a clerk. */
async function settle(executionId: string): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await harness.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    if (body.status !== 'RUNNING' || body.awaiting?.status === 'PENDING') return body;
    if (Date.now() > deadline) throw new Error(`Still running: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function answered(key: string, message: { from: string; subject: string; body: string }, extra = {}) {
  const started = await ask(key, message, extra);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await settle(started.body.executionId);
  // A sent reply ends the run; a draft keeps it waiting in the work room for a clerk.
  if (done.reply?.status === 'DRAFT') {
    expect(done.status, JSON.stringify(done)).toBe('RUNNING');
    expect(done.awaiting).toMatchObject({ step: 'reply', status: 'PENDING', requiredRole: 'ap_clerk' });
  } else expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
  return done;
}

/** Tokens with a digit in them, as a reader would pick numbers, dates and references out of the text. */
function digitTokens(text: string): string[] {
  return (text.match(/[^\s,;()]+/g) ?? [])
    .map((t) => t.replace(/^[.:!?*_-]+|[.:!?*_-]+$/g, ''))
    .filter((t) => /\d/.test(t));
}

/** The strings a reply may contain digits from: the facts on its own case, taken apart by this test. */
function factStrings(facts: any): Set<string> {
  const out = new Set<string>();
  if (!facts) return out;
  const walk = (value: unknown) => {
    if (typeof value === 'string') for (const token of digitTokens(value)) out.add(token);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(facts.invoices);
  walk(facts.vendorName);
  return out;
}

/** The scan every reply passes: no other vendor's invoice, no number that is not a fact. */
function scanReply(view: any): void {
  const reply = view.reply;
  const own = view.vendor?.vendorId ?? null;
  for (const [vendorId, numbers] of Object.entries(INVOICES_OF)) {
    if (vendorId === own) continue;
    for (const number of numbers) expect(reply.text, `${number} in a reply to ${own}`).not.toContain(number);
  }
  const allowed = factStrings(reply.facts);
  for (const token of digitTokens(reply.text)) expect(allowed, `"${token}" is not a fact`).toContain(token);
  if (!own) {
    expect(reply.facts).toBeNull();
    expect(reply.text).toBe(GENERIC_ACKNOWLEDGEMENT);
  }
}

beforeAll(async () => {
  harness = await startHarness();
  await seed({
    ...erp,
    // Prairie has a number on file to be called back on; Lakeside has none.
    vendors: erp.vendors.map((v) => (v.vendorId === 'V-1100' ? { ...v, contactPhones: [PHONE] } : v)),
    processedInvoices: [
      ...erp.processedInvoices,
      {
        vendorId: 'V-1100',
        invoiceNumber: 'PFT-2199',
        invoiceDate: '2026-10-01',
        total: '410.00',
        status: 'REJECTED',
      },
    ],
  });
  const past = new Date(Date.now() - DAY);
  await seededHold('PFT-2201', 'V-1100', '1250.00', { releaseAt: new Date(`${SCHEDULED}T00:00:00Z`) });
  await seededHold('PFT-2202', 'V-1100', '980.40', {
    releaseAt: past,
    paymentId: 'E2E-PFT2202-01',
    post: true,
  });
  await seededHold('PFT-2203', 'V-1100', '310.00', { releaseAt: past, paymentId: 'E2E-PFT2203-01' });
  await seededHold('LPS-3301', 'V-1101', '2200.00', {
    releaseAt: past,
    paymentId: 'E2E-LPS3301-01',
    post: true,
  });
  await seededHold('LPS-3302', 'V-1101', '75.25');
  await seededHold('CNS-5501', 'V-1103', '640.00', { dispute: true });
  // Two real invoice runs: one over the agent's authority (waits for a person), one approved and held.
  const pending = await submitInvoice(harness, 'inquiry-invoice-7701', {
    structured: structuredInvoice('PO-4501004', 'PFT-7701', [
      { lineNo: 1, sku: 'SKU-75857', quantity: '4410' },
    ]),
  });
  expect(pending.approval?.status, JSON.stringify(pending)).toBe('PENDING');
  const approved = await submitInvoice(harness, 'inquiry-invoice-7702', {
    structured: {
      ...structuredInvoice('PO-4501004', 'PFT-7702', [{ lineNo: 2, sku: 'SKU-96390', quantity: '10' }]),
      dueDate: DUE,
    },
  });
  expect(approved.status, JSON.stringify(approved)).toBe('SUCCEEDED');
});
afterAll(async () => {
  await harness?.stop();
});

describe('vendor inquiry: before the agent has a pact', () => {
  it('keeps the reply as a draft for a clerk when the agent has no pact to send; only another clerk’s approval sends it, as checked', async () => {
    const done = await answered('inquiry-no-pact', {
      from: 'billing@prairie-fasteners.example',
      subject: 'Payment status',
      body: 'What is the status of invoice PFT-2201?',
    });
    expect(done.reply).toMatchObject({ status: 'DRAFT', draftReasons: ['OUTSIDE_PACT'], sentAt: null });
    expect(done.reply.facts.invoices).toEqual([
      {
        invoiceNumber: 'PFT-2201',
        status: 'SCHEDULED',
        amount: '1250.00',
        currency: 'USD',
        scheduledFor: SCHEDULED,
      },
    ]);
    const outbox = join(harness.dataDir, 'outbox', `${done.executionId}.eml`);
    expect(existsSync(outbox)).toBe(false);
    // The draft is in another clerk's work room, with the text and why it was not sent.
    const room = await harness.api('GET', '/approvals', { user: 'blake.clerk' });
    const draft = room.body.approvals.find((a: any) => a.approvalId === `${done.executionId}-reply`);
    expect(draft?.proposal).toMatchObject({
      kind: 'vendor_reply',
      to: 'billing@prairie-fasteners.example',
      text: done.reply.text,
      draftReasons: ['OUTSIDE_PACT'],
    });
    // The clerk who passed the message on may not send it; another clerk does, and it goes as checked.
    const own = await harness.api('POST', `/approvals/${done.executionId}-reply/decision`, {
      user: 'avery.clerk',
      body: { decision: 'APPROVE', comment: 'Send it.' },
    });
    expect(own.status).toBe(403);
    const approved = await harness.api('POST', `/approvals/${done.executionId}-reply/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'Checked against the ledger; send.' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const sent = await harness.waitForExecution(done.executionId, 'finley.auditor');
    expect(sent.status).toBe('SUCCEEDED');
    expect(sent.reply).toMatchObject({
      status: 'SENT',
      sentBy: 'blake.clerk',
      text: done.reply.text,
      review: { decision: 'APPROVE', by: 'blake.clerk' },
    });
    expect(readFileSync(outbox, 'utf8')).toContain(
      `Invoice PFT-2201: approved; 1250.00 USD is scheduled to be paid on ${SCHEDULED}.`,
    );
    const action = await evidence.findEvent(done.executionId, 'ApplyClerkDecision/action');
    expect(action?.record.actor).toMatchObject({ kind: 'person', id: 'blake.clerk' });
  });

  it('sends nothing when the clerk rejects the draft', async () => {
    const done = await answered('inquiry-no-pact-rejected', {
      from: 'billing@lakeside-printing.example',
      subject: 'Payment status',
      body: 'What is the status of invoice LPS-3302?',
    });
    expect(done.reply.status).toBe('DRAFT');
    const rejected = await harness.api('POST', `/approvals/${done.executionId}-reply/decision`, {
      user: 'blake.clerk',
      body: { decision: 'REJECT', comment: 'I will answer this one by phone.' },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const closed = await harness.waitForExecution(done.executionId, 'finley.auditor');
    expect(closed.status).toBe('SUCCEEDED');
    expect(closed.reply).toMatchObject({
      status: 'NOT_SENT',
      sentAt: null,
      review: { decision: 'REJECT', by: 'blake.clerk' },
    });
    expect(existsSync(join(harness.dataDir, 'outbox', `${done.executionId}.eml`))).toBe(false);
  });
});

describe('vendor inquiry: the labelled set, end to end', () => {
  beforeAll(async () => {
    await new DynamoDbTrustStore().registerAgent({
      agentId: 'vendor-inquiry-agent',
      displayName: 'Vendor inquiry agent',
      tier: 'bounded',
      pacts: [{ action: 'inquiry.reply', perActionLimit: '1.00', dailyLimit: '1.00', currency: 'USD' }],
    });
  });

  const results = new Map<string, any>();
  async function run(inquiry: LabelledInquiry) {
    const done = await answered(`labelled-${inquiry.id}`, {
      from: inquiry.from,
      subject: inquiry.subject,
      body: inquiry.body,
    });
    results.set(inquiry.id, done);
    return done;
  }

  it('holds 40 or more inquiries', () => {
    expect(LABELLED_INQUIRIES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(LABELLED_INQUIRIES.map((inquiry) => [inquiry.id, inquiry] as const))(
    '%s: expected intent, vendor and reply facts; no other vendor and no unsupported number in the reply',
    async (_id, inquiry) => {
      const done = await run(inquiry);
      const { expected } = inquiry;
      expect(done.intent).toBe(expected.intent);
      expect(done.vendor?.vendorId ?? null).toBe(expected.vendorId);
      expect(done.reply.status, JSON.stringify(done.reply)).toBe(expected.status);
      expect(done.reply.draftReasons).toEqual(expected.draftReasons ?? []);
      if (expected.vendorId) {
        expect(
          done.reply.facts.invoices.map((f: any) => ({ invoiceNumber: f.invoiceNumber, status: f.status })),
        ).toEqual(expected.facts);
        expect(done.reply.facts.notFound).toBe(expected.notFound ?? 0);
      }
      scanReply(done);
      const outbox = join(harness.dataDir, 'outbox', `${done.executionId}.eml`);
      if (done.reply.status === 'SENT') {
        expect(readFileSync(outbox, 'utf8')).toContain(done.reply.text.split('\n')[2] ?? done.reply.text);
        expect(done.reply).toMatchObject({ sentBy: 'vendor-inquiry-agent', to: expect.any(String) });
      } else expect(existsSync(outbox)).toBe(false);
    },
  );

  it('scans every reply: no invoice of another vendor and no number the system of record does not hold', () => {
    expect(results.size).toBe(LABELLED_INQUIRIES.length);
    for (const view of results.values()) scanReply(view);
  });

  it('sends an injected message to a clerk as a draft, answering only the sender’s own invoices', () => {
    for (const id of [
      'injection-ignore-instructions',
      'injection-system-tag',
      'injection-other-vendors',
      'injection-in-subject',
    ]) {
      const view = results.get(id);
      expect(view.reply.status, id).toBe('DRAFT');
      expect(view.reply.draftReasons, id).toContain('SUSPICIOUS_MESSAGE');
      expect(view.reply.sentAt, id).toBeNull();
      for (const fact of view.reply.facts.invoices)
        expect(INVOICES_OF[view.vendor.vendorId], id).toContain(fact.invoiceNumber);
    }
  });

  it('states paid, scheduled and in-payment invoices with the dates, amounts and references the system of record holds', () => {
    const text = results.get('status-three-invoices')?.reply.text as string;
    expect(text).toContain(
      `Invoice PFT-2201: approved; 1250.00 USD is scheduled to be paid on ${SCHEDULED}.`,
    );
    expect(text).toContain(
      `Invoice PFT-2202: paid 980.40 USD on ${today()}, payment reference E2E-PFT2202-01.`,
    );
    expect(text).toContain(
      'Invoice PFT-2203: 310.00 USD has been sent to our bank for payment, reference E2E-PFT2203-01.',
    );
    const approved = results.get('status-approved-real-run')?.reply.facts.invoices[0];
    expect(approved).toEqual({
      invoiceNumber: 'PFT-7702',
      status: 'SCHEDULED',
      amount: '67.50',
      currency: 'USD',
      scheduledFor: DUE,
    });
  });

  it('says an invoice awaits approval without any internal reason', () => {
    const text = results.get('status-pending-approval')?.reply.text as string;
    expect(text).toContain('Invoice PFT-7701: received and awaiting approval.');
    expect(text).not.toMatch(/OVER_AUTHORITY|authority|limit|controller|19183/i);
  });

  it('tells an unknown or look-alike sender nothing, and asks a person to review', async () => {
    for (const id of [
      'unknown-sender',
      'lookalike-domain-letter',
      'lookalike-domain-suffix',
      'lookalike-domain-homoglyph',
      'shared-mail-domain',
      'spoofed-display-address',
      'injection-unknown-sender',
    ]) {
      const view = results.get(id);
      expect(view.reply.text, id).toBe(GENERIC_ACKNOWLEDGEMENT);
      expect(view.reply.facts, id).toBeNull();
      expect(view.vendor, id).toBeNull();
      expect(await getException(`VENDOR_INQUIRY_UNKNOWN_SENDER:${view.executionId}`), id).toMatchObject({
        status: 'OPEN',
      });
      // Nothing was read for it: the facts step records that it consulted nothing.
      const gathered = await evidence.findEvent(view.executionId, 'GatherFacts/rule_result');
      expect(gathered?.record.details).toMatchObject({ consulted: [], facts: null });
    }
    expect(results.get('lookalike-domain-homoglyph').identity.reason).toBe('NON_ASCII_ADDRESS');
    expect(results.get('shared-mail-domain').identity.reason).toBe('SHARED_MAIL_DOMAIN');
  });

  it('changes no bank details from a message: it starts the vendor bank-change runbook, which waits for a call-back, and the master is unchanged', async () => {
    const vendor = await sor.getVendor('V-1100');
    const original = erp.vendors.find((v) => v.vendorId === 'V-1100');
    expect(vendor?.bankAccount).toBe(original?.bankAccount);
    expect(vendor?.routingNumber).toBe(original?.routingNumber);
    const view = results.get('bank-change-iban');
    expect(view.reply.text).not.toMatch(/\d/);
    expect(view.reply.text).toContain('call you back on a telephone number we already hold');
    // The bank-change run compares, flags the e-mail origin, and waits for a call-back on the number on file.
    expect(view.bankChange).toMatchObject({ status: 'STARTED' });
    const change = await harness.api('GET', `/executions/${view.bankChange.executionId}`, {
      user: 'gray.admin',
    });
    expect(change.body).toMatchObject({ runbook: 'vendor-bank-change', vendorId: 'V-1100' });
    const waiting = await (async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { body } = await harness.api('GET', `/executions/${view.bankChange.executionId}`, {
          user: 'gray.admin',
        });
        if (body.awaiting?.step === 'verification' || body.status !== 'RUNNING') return body;
        if (Date.now() > deadline) throw new Error(JSON.stringify(body));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect(waiting.awaiting).toMatchObject({ step: 'verification', requiredRole: 'ap_clerk' });
    expect(waiting.riskFlags.map((f: any) => f.code)).toContain('ORIGIN_NOT_AUTHENTICATED');
    expect(await getException(`VENDOR_BANK_DETAIL_CHANGE:${view.executionId}`)).toMatchObject({
      status: 'OPEN',
      requiredRole: 'ap_clerk',
      refs: {
        vendorId: 'V-1100',
        executionId: view.executionId,
        bankChangeExecutionId: view.bankChange.executionId,
      },
    });
    // Lakeside has no number on file to call back on: the bank-change runbook refuses, a clerk takes it.
    expect(results.get('bank-change-ach').bankChange).toMatchObject({
      status: 'REFUSED',
      reason: 'NO_CALLBACK_NUMBER',
    });
    // Nobody identified, nothing started.
    expect(results.get('bank-change-unknown-sender').bankChange).toBeNull();
    expect((await sor.getVendor('V-1101'))?.bankAccount).toBe(
      erp.vendors.find((v) => v.vendorId === 'V-1101')?.bankAccount,
    );
  });

  it('opens a case for a clerk on a short-payment dispute', async () => {
    const view = results.get('dispute-short-paid');
    expect(await getException(`VENDOR_SHORT_PAYMENT_DISPUTE:${view.executionId}`)).toMatchObject({
      status: 'OPEN',
      kind: 'VENDOR_SHORT_PAYMENT_DISPUTE',
    });
    expect(view.reply.text).not.toContain('900.00');
  });

  it('leaves evidence of the message hash, who the vendor is and how, the facts, and the reply with who sent it', async () => {
    const view = results.get('status-where-is-payment');
    const identify = await evidence.findEvent(view.executionId, 'Identify/rule_result');
    expect(identify?.record.details).toMatchObject({
      senderAddress: 'ar@prairie-fasteners.example',
      identified: true,
      method: 'CONTACT_ADDRESS',
      messageHash: view.message.messageHash,
    });
    const action = await evidence.findEvent(view.executionId, 'Reply/action');
    expect(action?.record.actor).toEqual({ kind: 'agent', id: 'vendor-inquiry-agent' });
    expect(action?.record.details).toMatchObject({
      action: 'vendor_reply_sent',
      messageHash: view.message.messageHash,
      identifiedVendor: 'V-1100',
      identifiedBy: 'CONTACT_ADDRESS',
      reply: view.reply.text,
      sentBy: 'vendor-inquiry-agent',
      factsConsulted: view.reply.facts,
    });
    const classify = await evidence.findEvent(view.executionId, 'Classify/model_call');
    expect(classify?.record.details).toMatchObject({
      modelId: 'tollgate-local-deterministic@1',
      local: true,
      classification: { intent: 'PAYMENT_STATUS', invoiceNumbers: ['PFT-2202'] },
    });
    expect(results.get('status-by-domain').vendor).toMatchObject({
      vendorId: 'V-1101',
      identifiedBy: 'CONTACT_DOMAIN',
    });
  });
});

describe('vendor inquiry: bad input and who may start it', () => {
  it('refuses a sender that is no address, an empty body and unknown fields with 400, starting nothing', async () => {
    const before = (
      await harness.api('GET', '/executions?runbook=vendor-inquiry&limit=100', { user: 'gray.admin' })
    ).body.executions.length;
    const bad = [
      { message: { from: 'Prairie Fasteners', subject: 's', body: 'status of invoice PFT-2202?' } },
      { message: { from: 'a@b.example, c@d.example', subject: 's', body: 'status?' } },
      { message: { from: 'billing@prairie-fasteners.example', subject: 's', body: '   ' } },
      { message: { from: 'billing@prairie-fasteners.example', subject: 's', body: 'x', vendorId: 'V-1101' } },
      { message: { from: 'billing@prairie-fasteners.example', subject: 's', body: 'x' }, vendorId: 'V-1101' },
    ];
    for (const [i, body] of bad.entries()) {
      const response = await harness.api('POST', '/runbooks/vendor-inquiry/executions', {
        user: 'avery.clerk',
        body,
        headers: { 'Idempotency-Key': `inquiry-bad-${i}` },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const after = (
      await harness.api('GET', '/executions?runbook=vendor-inquiry&limit=100', { user: 'gray.admin' })
    ).body.executions.length;
    expect(after).toBe(before);
  });

  it('refuses an auditor with 403', async () => {
    const response = await harness.api('POST', '/runbooks/vendor-inquiry/executions', {
      user: 'finley.auditor',
      body: { message: { from: 'billing@prairie-fasteners.example', subject: 's', body: 'status?' } },
      headers: { 'Idempotency-Key': 'inquiry-auditor' },
    });
    expect(response.status).toBe(403);
  });

  it('counts the response time from when the message was received', async () => {
    const receivedAt = new Date(Date.now() - 180_000).toISOString();
    const done = await answered(
      'inquiry-response-time',
      { from: 'billing@prairie-fasteners.example', subject: 'Status', body: 'Status of invoice PFT-2201?' },
      { receivedAt },
    );
    expect(done.reply.status).toBe('SENT');
    expect(done.message.receivedAt).toBe(receivedAt);
    expect(done.reply.responseSeconds).toBeGreaterThanOrEqual(180);
  });
});
