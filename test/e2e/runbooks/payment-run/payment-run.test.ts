import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { bankFilesBucketName } from '#platform/aws/resource-env.ts';
import { s3 } from '#platform/aws/s3-client.ts';
import { stepFunctions } from '#platform/aws/sfn-client.ts';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { TransientStoreError } from '#platform/core/errors.ts';
import { formatMoney, money, subtract } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import {
  DynamoDbSystemOfRecord,
  referenceKeys,
} from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import {
  markPayeePaid,
  paidBefore,
  runPayments,
} from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { validateNacha } from '#runbooks/payment-run/core/bank-files/nacha.ts';
import { validatePain001 } from '#runbooks/payment-run/core/bank-files/pain001.ts';
import type { Originator } from '#runbooks/payment-run/core/payment-policy.ts';
import { creditorAccount } from '#runbooks/payment-run/core/select-payments.ts';
import { startScheduledRuns } from '#runbooks/payment-run/handlers/schedule-runs.ts';
import { TREASURY_SEED } from '../../../../bin/commands/demo-payments.ts';
import { readSnapshot, seed } from '../../../../bin/commands/seed.ts';
import { erp, structuredInvoice, submitInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The payment run over HTTP on the local stack: invoices approved by the invoice runbook are
// held in escrow; a controller starts a run on the USD account; the run is released by a second
// controller (first-time payees) or by the agent within its pact, and one NACHA file is written.
const ACCOUNT = 'AP-USD-OPERATING';
const AS_OF = '2026-12-31';

let harness: Harness;
const ledger = new DynamoDbEscrowLedger();
const evidence = new DynamoDbEvidenceChain();
let sequence = 0;

/** The account the USD originator pays a sample vendor at, as the payment run derives it. */
function usdAccountOf(vendorId: string) {
  const vendor = erp.vendors.find((v) => v.vendorId === vendorId);
  const account = vendor && creditorAccount(vendor, PAYMENT_RUN_POLICY.originators[ACCOUNT] as Originator);
  if (!account) throw new Error(`No usable USD account for ${vendorId}.`);
  return account;
}

beforeAll(async () => {
  harness = await startHarness();
  await seed(erp);
  // The payment-run agent (payment.release up to 250,000.00 USD), the EUR account and vendor.
  await seed(readSnapshot(TREASURY_SEED));
});
afterAll(async () => {
  await harness?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** An approved, held invoice on a sample PO whose vendor has routable bank details. */
async function heldInvoice(poNumber: string, sku: string, quantity: string) {
  sequence += 1;
  const invoice = structuredInvoice(poNumber, `PAYRUN-${sequence}`, [{ lineNo: 1, sku, quantity }]);
  const run = await submitInvoice(harness, `payrun-invoice-${sequence}`, { structured: invoice }, null);
  expect(run.status, JSON.stringify(run)).toBe('SUCCEEDED');
  expect(run.hold?.status).toBe('HELD');
  return { run, holdId: run.hold.holdId as string, total: invoice.total };
}

async function startRun(
  key: string,
  user = 'casey.controller',
  body: unknown = { accountId: ACCOUNT, asOf: AS_OF },
) {
  return harness.api('POST', '/runbooks/payment-run/executions', {
    user,
    body,
    headers: { 'Idempotency-Key': key },
  });
}

/** Waits until the run ends or waits for a controller. */
async function settle(executionId: string): Promise<any> {
  return harness.waitForDecision(executionId);
}

async function outboundKeys(): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bankFilesBucketName(), Prefix: 'outbound/' }));
  return (out.Contents ?? []).map((o) => o.Key as string).sort();
}

async function outboundFile(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bankFilesBucketName(), Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

async function expectLedgerInvariants() {
  const account = await ledger.getAccount(ACCOUNT);
  if (!account) throw new Error(`No escrow account ${ACCOUNT}.`);
  expect(formatMoney(account.available)).toBe(
    formatMoney(subtract(subtract(account.funded, account.posted), account.held)),
  );
  expect(account.available.minor >= 0n).toBe(true);
}

describe('payment run: first-time payees go to a second controller, and one checked bank file pays them', () => {
  let first: Awaited<ReturnType<typeof heldInvoice>>;
  let second: Awaited<ReturnType<typeof heldInvoice>>;
  let executionId: string;

  it('proposes the due holds with their totals and asks a controller, naming the first-time payees', async () => {
    first = await heldInvoice('PO-4501003', 'SKU-40681', '1');
    second = await heldInvoice('PO-4501017', 'SKU-62242', '2');
    const started = await startRun('payrun-first-0001');
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    executionId = started.body.executionId;
    const waiting = await settle(executionId);
    expect(waiting.approval?.status).toBe('PENDING');
    expect(waiting.decision).toBe('PENDING_APPROVAL');
    expect(waiting.reasons.map((r: any) => r.code)).toContain('FIRST_TIME_PAYEE');
    expect(waiting.proposal).toMatchObject({
      accountId: ACCOUNT,
      currency: 'USD',
      format: 'nacha',
      payments: 2,
    });
    expect(waiting.proposal.firstTimePayees.sort()).toEqual(['V-1101', 'V-1109']);
    const expected = (Number(first.total) * 100 + Number(second.total) * 100) / 100;
    expect(waiting.proposal.total).toBe(expected.toFixed(2));
    // Nothing moved yet: both holds are still HELD and reserved.
    expect((await ledger.getHold(first.holdId))?.status).toBe('HELD');
    await expectLedgerInvariants();
  });

  it('refuses the controller who started the run, an AP clerk, and a decision without a comment', async () => {
    const approvals = await harness.api('GET', '/approvals', { user: 'dana.controller' });
    const approval = approvals.body.approvals.find((a: any) => a.runbook === 'payment-run');
    expect(approval).toMatchObject({ requiredRole: 'controller', currency: 'USD' });
    const own = await harness.api('POST', `/approvals/${approval.approvalId}/decision`, {
      user: 'casey.controller',
      body: { decision: 'APPROVE', comment: 'my own run' },
    });
    expect(own.status).toBe(403);
    const clerk = await harness.api('POST', `/approvals/${approval.approvalId}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'fine' },
    });
    expect(clerk.status).toBe(403);
    const bare = await harness.api('POST', `/approvals/${approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE' },
    });
    expect(bare.status).toBe(400);
  });

  it('on approval moves each hold into payment once and writes one NACHA file that passes its validator', async () => {
    const approvals = await harness.api('GET', '/approvals', { user: 'dana.controller' });
    const approval = approvals.body.approvals.find((a: any) => a.runbook === 'payment-run');
    const decided = await harness.api('POST', `/approvals/${approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE', comment: 'Vendors verified by call-back.' },
    });
    expect(decided.status).toBe(200);
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.finalStatus).toBe('RELEASED');
    expect(done.release).toMatchObject({
      payments: 2,
      currency: 'USD',
      releasedBy: 'dana.controller',
      withdrawn: 0,
    });
    expect(done.release.file).toMatch(new RegExp(`^outbound/${AS_OF}/`));

    const file = await outboundFile(done.release.file);
    const checked = validateNacha(file);
    expect(checked.numberOfTransactions).toBe(2);
    expect(formatMoney(checked.controlSum)).toBe(done.release.total);

    const payments = await runPayments(executionId);
    expect(payments.map((p) => p.status)).toEqual(['SENT', 'SENT']);
    for (const payment of payments) {
      const hold = await ledger.getHold(payment.holdId);
      expect(hold).toMatchObject({ status: 'IN_PAYMENT', paymentId: payment.paymentId });
      // Every payment links back to its invoice run.
      expect(payment.sourceExecutionId).toBe(
        [first, second].find((h) => h.holdId === payment.holdId)?.run.executionId,
      );
    }
    const record = await evidence.findEvent(executionId, 'ReleaseRun/action');
    expect(record?.record.actor).toMatchObject({ kind: 'person', id: 'dana.controller' });
    await expectLedgerInvariants();
  });

  it('never proposes a hold already in payment: the next run finds nothing due', async () => {
    const started = await startRun('payrun-first-0002');
    const done = await harness.waitForExecution(started.body.executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.decision).toBe('NOTHING_DUE');
    expect(done.finalStatus).toBe('NOTHING_DUE');
  });
});

describe('payment run: the agent within its pact, a rejected run, a crash mid-release', () => {
  it('releases alone within its pact when every payee was paid before, charging its daily room', async () => {
    await markPayeePaid('V-1109', usdAccountOf('V-1109'), 'P-EARLIER', new Date().toISOString());
    const held = await heldInvoice('PO-4501002', 'SKU-50445', '10');
    const started = await startRun('payrun-agent-0001');
    const done = await harness.waitForExecution(started.body.executionId, 'finley.auditor');
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.decision).toBe('AUTO_RELEASE');
    expect(done.approval).toBeNull();
    expect(done.release).toMatchObject({ payments: 1, releasedBy: 'payment-run-agent' });
    expect((await ledger.getHold(held.holdId))?.status).toBe('IN_PAYMENT');
    const record = await evidence.findEvent(started.body.executionId, 'ReleaseRun/action');
    expect(record?.record.actor).toMatchObject({ kind: 'agent', id: 'payment-run-agent' });
  });

  it('keeps the holds HELD when the controller rejects, and proposes them again next time', async () => {
    const held = await heldInvoice('PO-4501017', 'SKU-77749', '3');
    const started = await startRun('payrun-reject-0001');
    const waiting = await settle(started.body.executionId);
    expect(waiting.approval?.status).toBe('PENDING');
    const decided = await harness.api('POST', `/approvals/${waiting.approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'REJECT', comment: 'Hold until the credit note arrives.' },
    });
    expect(decided.status).toBe(200);
    const done = await harness.waitForExecution(started.body.executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.finalStatus).toBe('REJECTED');
    expect(done.outcome).toMatchObject({ decidedBy: 'dana.controller' });
    expect((await ledger.getHold(held.holdId))?.status).toBe('HELD');
    expect((await runPayments(started.body.executionId)).map((p) => p.status)).toEqual(['PROPOSED']);

    const again = await startRun('payrun-reject-0002');
    const next = await settle(again.body.executionId);
    expect(next.proposal.payments).toBe(1);
    await harness.api('POST', `/approvals/${next.approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'REJECT', comment: 'Still waiting for the credit note.' },
    });
    await harness.waitForExecution(again.body.executionId, 'finley.auditor');
  });

  it('writes no second file and moves no hold twice when the release is retried after a crash', async () => {
    const held = await heldInvoice('PO-4501003', 'SKU-49747', '1');
    const before = await outboundKeys();
    // The first attempt writes its file and then dies; the runbook retries the step.
    const real = S3BankFiles.prototype.putOutbound;
    const put = vi.spyOn(S3BankFiles.prototype, 'putOutbound').mockImplementationOnce(async function (
      this: S3BankFiles,
      ...args
    ) {
      await real.apply(this, args);
      throw new TransientStoreError('the connection dropped after the write');
    });
    const startPayment = vi.spyOn(DynamoDbEscrowLedger.prototype, 'startPayment');
    const started = await startRun('payrun-crash-0001');
    const waiting = await settle(started.body.executionId);
    await harness.api('POST', `/approvals/${waiting.approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE', comment: 'Approved for payment.' },
    });
    const done = await harness.waitForExecution(started.body.executionId, 'finley.auditor');
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(put).toHaveBeenCalledTimes(2);
    const after = await outboundKeys();
    expect(after.filter((key) => !before.includes(key))).toEqual([done.release.file]);
    // Each hold went into payment by one operation; the retry replayed it.
    const operations = startPayment.mock.calls.map(([request]) => request.operationId);
    expect(operations.length).toBeGreaterThanOrEqual(2);
    expect(new Set(operations).size).toBe(done.release.payments);
    expect((await ledger.getHold(held.holdId))?.status).toBe('IN_PAYMENT');
    expect(validateNacha(await outboundFile(done.release.file)).numberOfTransactions).toBe(
      done.release.payments,
    );
    await expectLedgerInvariants();
  });
});

describe('payment run: bad requests start nothing', () => {
  it('refuses an AP clerk, an account the policy cannot pay from, and an empty body', async () => {
    const clerk = await startRun('payrun-bad-0001', 'avery.clerk');
    expect(clerk.status).toBe(403);
    const unknown = await startRun('payrun-bad-0002', 'casey.controller', { accountId: 'AP-GBP-OPERATING' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.message).toMatch(/AP-USD-OPERATING/);
    const empty = await startRun('payrun-bad-0003', 'casey.controller', {});
    expect(empty.status).toBe(400);
    const extra = await startRun('payrun-bad-0004', 'casey.controller', {
      accountId: ACCOUNT,
      agentId: 'rogue-agent',
    });
    expect(extra.status).toBe(400);
  });
});

describe('payment run: the business-day schedule', () => {
  it('starts one run per funding account for the day, and a redelivered event starts nothing twice', async () => {
    await ledger.ensureAccount('AP-EUR-OPERATING', 'EUR');
    const at = new Date('2027-01-04T06:00:00Z');
    const first = await startScheduledRuns(at);
    expect(first.map((r) => [r.accountId, r.replayed])).toEqual([
      ['AP-EUR-OPERATING', false],
      ['AP-USD-OPERATING', false],
    ]);
    const again = await startScheduledRuns(at);
    expect(again.map((r) => r.executionId)).toEqual(first.map((r) => r.executionId));
    expect(again.every((r) => r.replayed)).toBe(true);
    const eur = await harness.waitForExecution(first[0]?.executionId as string, 'finley.auditor');
    expect(eur.status, JSON.stringify(eur)).toBe('SUCCEEDED');
    expect(eur.finalStatus).toBe('NOTHING_DUE');
    expect(eur.proposal).toMatchObject({ currency: 'EUR', format: 'pain.001', payments: 0 });
    // Every USD hold went out in the runs above: the day's USD run has nothing to pay.
    const usd = await harness.waitForExecution(first[1]?.executionId as string, 'finley.auditor');
    expect(usd.finalStatus).toBe('NOTHING_DUE');
    expect(
      (await harness.api('GET', `/executions/${usd.executionId}`, { user: 'finley.auditor' })).body,
    ).toMatchObject({
      requestedBy: { username: 'tollgate-payment-scheduler' },
    });
  });
});

describe('payment run: an insider with the task token', () => {
  it('pays nothing when an insider resumes a waiting run with a forged "APPROVE" for its own undecided approval', async () => {
    // Prepare: a run waiting for a controller
    const held = await heldInvoice('PO-4501017', 'SKU-30213', '1');
    const before = await outboundKeys();
    const started = await startRun('payrun-insider-0001');
    const waiting = await settle(started.body.executionId);
    const approvalId = waiting.approval.approvalId as string;
    const token = (await getApproval(approvalId))?.taskToken as string;

    // Act: complete the waiting task as if a controller had approved
    await stepFunctions.send(
      new SendTaskSuccessCommand({
        taskToken: token,
        output: JSON.stringify({
          approvalId,
          decision: 'APPROVE',
          decidedBy: { username: 'dana.controller', role: 'controller' },
        }),
      }),
    );
    const run = await harness.waitForExecution(started.body.executionId, 'finley.auditor');

    // Assess: the decision was read from the work room, where nobody decided
    expect(run.status).toBe('FAILED');
    expect(run.finalStatus).toBe('FAILED');
    expect(run.outcome).toMatchObject({ error: 'ApprovalNotDecidedError' });
    expect(run.release).toBeNull();
    expect((await ledger.getHold(held.holdId))?.status).toBe('HELD');
    expect(await outboundKeys()).toEqual(before);
    await expectLedgerInvariants();
  });
});

describe('payment run: a new bank account is a new payee', () => {
  it('asks a controller for the first payment to a vendor whose bank account changed, though the old one was paid', async () => {
    // Prepare: V-1109 was paid at its old account (above); its invoice is held, then its bank details change
    expect(await paidBefore('V-1109', usdAccountOf('V-1109'))).toBe(true);
    const held = await heldInvoice('PO-4501002', 'SKU-50445', '2');
    const vendor = erp.vendors.find((v) => v.vendorId === 'V-1109');
    await new DynamoDbSystemOfRecord().put(referenceKeys.vendor('V-1109'), {
      ...vendor,
      bankAccount: '5550001111',
      routingNumber: '021000021',
      bankDetailsChangedAt: '2026-01-05',
    });

    // Act
    const started = await startRun('payrun-newaccount-0001');
    const waiting = await settle(started.body.executionId);

    // Assess
    expect(waiting.approval?.status).toBe('PENDING');
    expect(waiting.proposal.firstTimePayees).toContain('V-1109');
    expect(waiting.reasons.map((r: any) => r.code)).toContain('FIRST_TIME_PAYEE');
    await harness.api('POST', `/approvals/${waiting.approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'REJECT', comment: 'Verify the new account first.' },
    });
    await harness.waitForExecution(started.body.executionId, 'finley.auditor');
    expect((await ledger.getHold(held.holdId))?.status).toBe('HELD');
  });
});

describe('payment run: SEPA from the EUR account', () => {
  it('pays a EUR hold by one pain.001 that passes its validator, with the payment id as end-to-end id', async () => {
    // Prepare: a EUR hold due to the treasury supplement's EUR vendor
    const { hold } = await ledger.hold({
      operationId: 'hold:EUR-SEPA-1',
      holdId: 'EUR-SEPA-1',
      accountId: 'AP-EUR-OPERATING',
      payee: 'V-3100',
      amount: money('1234.56', 'EUR'),
      reason: 'AP invoice FA-2026-118 from Atelier Lumiere SARL',
      expiresAt: new Date('2027-03-01T00:00:00Z'),
      releaseAt: new Date('2026-12-15T00:00:00Z'),
      initiatedBy: { kind: 'person', id: 'dana.controller', role: 'controller' },
      source: { runbook: 'invoice-reconciliation', executionId: 'eur-invoice-run', document: 'FA-2026-118' },
    });
    expect(hold.status).toBe('HELD');

    // Act
    const started = await startRun('payrun-eur-0001', 'casey.controller', {
      accountId: 'AP-EUR-OPERATING',
      asOf: AS_OF,
    });
    const waiting = await settle(started.body.executionId);
    await harness.api('POST', `/approvals/${waiting.approval.approvalId}/decision`, {
      user: 'dana.controller',
      body: { decision: 'APPROVE', comment: 'New supplier verified by call-back.' },
    });
    const done = await harness.waitForExecution(started.body.executionId, 'finley.auditor');

    // Assess
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.release).toMatchObject({
      format: 'pain.001.001.09',
      payments: 1,
      total: '1234.56',
      currency: 'EUR',
    });
    const [payment] = await runPayments(started.body.executionId);
    const checked = validatePain001(await outboundFile(done.release.file));
    expect(checked.endToEndIds).toEqual([payment?.paymentId]);
    expect(formatMoney(checked.controlSum)).toBe('1234.56');
    expect(payment?.creditor).toMatchObject({ kind: 'iban', iban: 'FR1420041010050500013M02606' });
    expect((await ledger.getHold('EUR-SEPA-1'))?.status).toBe('IN_PAYMENT');
  });
});
