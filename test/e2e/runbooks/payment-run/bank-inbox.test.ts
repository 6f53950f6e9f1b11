import { readFileSync } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { money, sum } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import type { AccountView } from '#platform/escrow/core/escrow-ledger.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { getException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { executionIdFor } from '#platform/runs/core/executions.ts';
import {
  findPayment,
  getBankFileMarker,
  moveSentPayment,
  paidBefore,
  saveProposal,
} from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { runMessageId } from '#runbooks/payment-run/core/bank-file-for-run.ts';
import { PAIN001_MESSAGE } from '#runbooks/payment-run/core/bank-files/pain001.ts';
import { buildPain002 } from '#runbooks/payment-run/core/bank-files/pain002.ts';
import { type ProposedPayment, paymentIdFor } from '#runbooks/payment-run/core/select-payments.ts';
import { bankFileId } from '#runbooks/payment-run/core/status-report.ts';
import { BANK_INBOX, handler } from '#runbooks/payment-run/handlers/bank-inbox.ts';
import { LOCAL_BANK_FILES_BUCKET } from '../../../../local/local-stack.ts';
import { s3ClientFor } from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The bank's answers applied against the real local stack: DynamoDB Local for the work and
// escrow tables, s3rver for the bank-files and evidence buckets. Payments are set up the way the
// release step leaves them (hold in payment, payment SENT), without running the whole runbook.

const ACCOUNT = 'AP-EUR-OPERATING';
const DAY = 86_400_000;
const CREATED = new Date('2026-12-02T07:00:00Z');

let harness: Harness;
let ledger: DynamoDbEscrowLedger;
let bankFiles: S3BankFiles;
let s3: S3Client;
const chain = new DynamoDbEvidenceChain();
let deliveries = 0;

beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  ledger = new DynamoDbEscrowLedger();
  bankFiles = S3BankFiles.fromEnvironment();
  s3 = s3ClientFor(harness);
  await ledger.ensureAccount(ACCOUNT, 'EUR');
  await ledger.fund({ operationId: 'inbox-fund', accountId: ACCOUNT, amount: money('100000.00', 'EUR') });
});
afterAll(async () => {
  s3?.destroy();
  await harness?.stop();
});

interface SentRun {
  readonly runId: string;
  readonly messageId: string;
  readonly payments: readonly ProposedPayment[];
}

/** Holds placed and moved into payment, the run's payments saved and marked SENT, as ReleaseRun leaves them. */
async function sentRun(tag: string, amounts: readonly string[]): Promise<SentRun> {
  const runId = `run-${tag}`;
  const payments: ProposedPayment[] = [];
  for (const [index, amount] of amounts.entries()) {
    const holdId = `${tag}-hold-${index}`;
    const { hold } = await ledger.hold({
      operationId: `${tag}-hold-op-${index}`,
      holdId,
      accountId: ACCOUNT,
      payee: `V-${tag}-${index}`,
      amount: money(amount, 'EUR'),
      reason: `invoice INV-${tag}-${index}`,
      expiresAt: new Date(Date.now() + 30 * DAY),
      initiatedBy: { kind: 'person', id: 'avery.clerk' },
      source: {
        runbook: 'invoice-reconciliation',
        executionId: `inv-${tag}-${index}`,
        document: `INV-${tag}-${index}`,
      },
    });
    payments.push({
      paymentId: paymentIdFor(runId, holdId),
      holdId,
      vendorId: `V-${tag}-${index}`,
      vendorName: `Vendor ${tag} ${index}`,
      creditor: { kind: 'iban', iban: 'DE89370400440532013000' },
      amount: hold.amount,
      document: `INV-${tag}-${index}`,
      source: hold.source,
    });
  }
  const total = sum(
    payments.map((p) => p.amount),
    'EUR',
  );
  await saveProposal(runId, '2026-12-01', '2026-12-01T09:00:00.000Z', {
    accountId: ACCOUNT,
    currency: 'EUR',
    format: 'pain.001',
    payments,
    excluded: [],
    vendors: [],
    total,
  });
  const messageId = runMessageId(runId);
  for (const payment of payments) {
    await ledger.startPayment({
      operationId: `pay:${payment.paymentId}`,
      holdId: payment.holdId,
      paymentId: payment.paymentId,
    });
    await moveSentPayment({ runId, paymentId: payment.paymentId, accountId: ACCOUNT }, 'PROPOSED', 'SENT', {
      at: '2026-12-01T10:00:00.000Z',
      executionDate: '2026-12-02',
      fileKey: `outbound/2026-12-01/${messageId}.pain001.xml`,
    });
  }
  return { runId, messageId, payments };
}

function statusReport(
  run: SentRun,
  transactions: { endToEndId: string; status: 'ACCEPTED' | 'REJECTED'; reasonCode?: string }[],
  reportId = `RPT-${run.runId}`,
): string {
  return buildPain002({
    messageId: reportId,
    createdAt: CREATED,
    originalMessageId: run.messageId,
    originalMessageType: PAIN001_MESSAGE,
    transactions,
  });
}

/** The report with the original amount quoted back on its first transaction, as banks may. */
function quotingAmount(xml: string, amount: string, currency = 'EUR'): string {
  return xml.replace(
    '</TxInfAndSts>',
    `<OrgnlTxRef><Amt><InstdAmt Ccy="${currency}">${amount}</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>`,
  );
}

/** Delivers a file under inbound/ as the bank connector would, each under a name of its own. */
async function deliver(
  body: string,
  name = `report-${String(++deliveries).padStart(3, '0')}.xml`,
): Promise<string> {
  return (await bankFiles.putInbound(name, body, 'application/xml', { date: '2026-12-02' })).key;
}

async function account(): Promise<AccountView> {
  return (await ledger.getAccount(ACCOUNT)) as AccountView;
}

/** available = funded − posted − held ≥ 0. */
function expectBalanced(view: AccountView): void {
  expect(view.available.minor).toBe(view.funded.minor - view.posted.minor - view.held.minor);
  expect(view.available.minor >= 0n).toBe(true);
}

/** Everything a refused file must leave as it was: the account, every hold and every payment. */
async function snapshot(run: SentRun) {
  return {
    account: await account(),
    holds: await Promise.all(run.payments.map((p) => ledger.getHold(p.holdId))),
    payments: await Promise.all(run.payments.map((p) => findPayment(p.paymentId))),
  };
}

async function evidenceOf(executionId: string, fileKey: string, body: string, prefix: string) {
  const event = await chain.findEvent(executionId, `${prefix}/${bankFileId(fileKey, sha256Hex(body))}`);
  return event?.record;
}

describe('payment bank inbox: pain.002 status reports (local stack)', () => {
  it('posts the holds of settled payments: posted grows, held shrinks, available stays, the payee is paid', async () => {
    // Prepare
    const run = await sentRun('acc', ['1200.00', '300.50']);
    const before = await account();
    const xml = statusReport(
      run,
      run.payments.map((p) => ({ endToEndId: p.paymentId, status: 'ACCEPTED' as const })),
    );
    const key = await deliver(xml);

    // Act
    const result = await handler({});

    // Assess
    const after = await account();
    const total = money('1500.50', 'EUR').minor;
    expect(result.applied).toContain(key);
    expect(after.posted.minor - before.posted.minor).toBe(total);
    expect(before.held.minor - after.held.minor).toBe(total);
    expect(after.available.minor).toBe(before.available.minor);
    expectBalanced(after);
    for (const payment of run.payments) {
      expect((await ledger.getHold(payment.holdId))?.status).toBe('POSTED');
      expect((await findPayment(payment.paymentId))?.status).toBe('POSTED');
      expect(await paidBefore(payment.vendorId, payment.creditor)).toBe(true);
    }
    expect(await getBankFileMarker(key, sha256Hex(xml))).toMatchObject({
      outcome: 'APPLIED',
      runId: run.runId,
    });
    const record = await evidenceOf(run.runId, key, xml, 'BankStatusReport');
    expect(record).toMatchObject({
      runbook: 'payment-run',
      recordType: 'action',
      details: { action: 'bank_status_applied', post: 2, void: 0, transactions: 2 },
      business: { decision: 'BANK_STATUS_APPLIED', amount: '1500.50', currency: 'EUR' },
    });
    expect(record?.runbookVersion).toMatch(/^[a-f0-9]{64}$/);
  });

  it('voids a rejected payment back to available, opens an exception for an AP clerk and reopens the invoice case', async () => {
    // Prepare
    const run = await sentRun('rej', ['250.00', '75.25']);
    const [settled, bounced] = run.payments as [ProposedPayment, ProposedPayment];
    const before = await account();
    const xml = statusReport(run, [
      { endToEndId: settled.paymentId, status: 'ACCEPTED' },
      { endToEndId: bounced.paymentId, status: 'REJECTED', reasonCode: 'AC04' },
    ]);
    const key = await deliver(xml);

    // Act
    const result = await handler({});

    // Assess
    const after = await account();
    expect(result.applied).toContain(key);
    expect(after.available.minor - before.available.minor).toBe(money('75.25', 'EUR').minor);
    expect(before.held.minor - after.held.minor).toBe(money('325.25', 'EUR').minor);
    expect(after.posted.minor - before.posted.minor).toBe(money('250.00', 'EUR').minor);
    expectBalanced(after);
    expect((await ledger.getHold(bounced.holdId))?.status).toBe('VOIDED');
    expect(await findPayment(bounced.paymentId)).toMatchObject({
      status: 'REJECTED',
      statusReason: 'AC04 Closed account number',
    });
    expect(await paidBefore(bounced.vendorId, bounced.creditor)).toBe(false);
    expect(await getException(`payment-rejected:${bounced.paymentId}`)).toMatchObject({
      kind: 'PAYMENT_REJECTED',
      status: 'OPEN',
      requiredRole: 'ap_clerk',
      executionId: run.runId,
      amount: '75.25',
      currency: 'EUR',
      refs: { paymentId: bounced.paymentId, holdId: bounced.holdId, invoiceExecutionId: 'inv-rej-1' },
    });
    expect(await getCase('inv-rej-1')).toMatchObject({
      payment: { status: 'REJECTED', reason: 'AC04 Closed account number', paymentId: bounced.paymentId },
    });
    expect(await getCase('inv-rej-0')).toBeUndefined();
    expect((await evidenceOf(run.runId, key, xml, 'BankStatusReport'))?.business).toMatchObject({
      reasonCodes: ['AC04'],
    });
  });

  it('applies the same report once: again under its key, re-delivered under another, or new bytes under the same key', async () => {
    // Prepare
    const run = await sentRun('dup', ['90.00', '10.00']);
    const [first, second] = run.payments as [ProposedPayment, ProposedPayment];
    const xml = statusReport(run, [
      { endToEndId: first.paymentId, status: 'ACCEPTED' },
      { endToEndId: second.paymentId, status: 'REJECTED', reasonCode: 'AC01' },
    ]);
    const key = await deliver(xml);
    await handler({});
    const applied = await snapshot(run);
    const exception = await getException(`payment-rejected:${second.paymentId}`);

    // Act
    const again = await handler({});
    const redeliveredKey = await deliver(xml);
    const redelivered = await handler({});
    // A second report repeating the statuses, written over the first file's key (only the connector does this).
    const repeat = statusReport(
      run,
      [
        { endToEndId: first.paymentId, status: 'ACCEPTED' },
        { endToEndId: second.paymentId, status: 'REJECTED', reasonCode: 'AC01' },
      ],
      `RPT-${run.runId}-2`,
    );
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_BANK_FILES_BUCKET, Key: key, Body: repeat }));
    const overwritten = await handler({});

    // Assess
    expect(again.applied).toEqual([]);
    expect(again.alreadyProcessed).toBeGreaterThanOrEqual(1);
    expect(redelivered.applied).toEqual([redeliveredKey]);
    expect(overwritten.applied).toEqual([key]);
    expect(await snapshot(run)).toEqual(applied);
    expect(await getException(`payment-rejected:${second.paymentId}`)).toEqual(exception);
    expect(await getBankFileMarker(key, sha256Hex(xml))).toMatchObject({ outcome: 'APPLIED' });
    expect(await getBankFileMarker(key, sha256Hex(repeat))).toMatchObject({ outcome: 'APPLIED' });
    expect((await evidenceOf(run.runId, key, repeat, 'BankStatusReport'))?.details).toMatchObject({
      post: 0,
      void: 0,
      alreadyApplied: 2,
    });
  });

  it('refuses a second report that contradicts a settled payment, changing nothing, once', async () => {
    // Prepare
    const run = await sentRun('conf', ['500.00', '20.00']);
    const [settled, other] = run.payments as [ProposedPayment, ProposedPayment];
    await deliver(statusReport(run, [{ endToEndId: settled.paymentId, status: 'ACCEPTED' }]));
    await handler({});
    const before = await snapshot(run);
    const conflicting = statusReport(
      run,
      [
        { endToEndId: other.paymentId, status: 'ACCEPTED' },
        { endToEndId: settled.paymentId, status: 'REJECTED', reasonCode: 'AM04' },
      ],
      `RPT-${run.runId}-late`,
    );
    const key = await deliver(conflicting);

    // Act
    const result = await handler({});
    const again = await handler({});

    // Assess
    expect(result.refused).toEqual([{ fileKey: key, code: 'STATUS_CONFLICT' }]);
    expect(again.refused).toEqual([]);
    expect(await snapshot(run)).toEqual(before);
    expect((await findPayment(other.paymentId))?.status).toBe('SENT');
    expect(await getBankFileMarker(key, sha256Hex(conflicting))).toMatchObject({
      outcome: 'REFUSED',
      code: 'STATUS_CONFLICT',
    });
    const fileId = bankFileId(key, sha256Hex(conflicting));
    expect(await getException(`bank-file-refused:${fileId}`)).toMatchObject({
      kind: 'BANK_FILE_REFUSED',
      executionId: run.runId,
      refs: { code: 'STATUS_CONFLICT', paymentId: settled.paymentId, runId: run.runId },
    });
    expect(await evidenceOf(run.runId, key, conflicting, 'BankFileRefused')).toMatchObject({
      recordType: 'escalation',
      details: { code: 'STATUS_CONFLICT', endToEndId: settled.paymentId },
      business: { decision: 'REFUSED', reasonCodes: ['STATUS_CONFLICT'] },
    });
  });

  it('refuses malformed XML, an unknown end-to-end id and a wrong amount, each whole, with nothing changed', async () => {
    // Prepare
    const run = await sentRun('bad', ['60.00', '40.00']);
    const [first, second] = run.payments as [ProposedPayment, ProposedPayment];
    const before = await snapshot(run);
    const accepted = [
      { endToEndId: first.paymentId, status: 'ACCEPTED' as const },
      { endToEndId: second.paymentId, status: 'ACCEPTED' as const },
    ];
    const malformed = statusReport(run, accepted).replace('</CstmrPmtStsRpt>', '');
    const unknown = statusReport(run, [...accepted, { endToEndId: 'PNOTSENTBYUS01', status: 'ACCEPTED' }]);
    const wrongAmount = quotingAmount(statusReport(run, accepted), '60.01');
    const keys = {
      malformed: await deliver(malformed),
      unknown: await deliver(unknown),
      wrongAmount: await deliver(wrongAmount),
    };

    // Act
    const result = await handler({});

    // Assess
    expect(result.refused).toEqual([
      { fileKey: keys.malformed, code: 'MALFORMED_REPORT' },
      { fileKey: keys.unknown, code: 'UNKNOWN_END_TO_END_ID' },
      { fileKey: keys.wrongAmount, code: 'AMOUNT_MISMATCH' },
    ]);
    expect(result.applied).toEqual([]);
    expect(await snapshot(run)).toEqual(before);
    // Nothing in a malformed file names a run: it is recorded under an execution of its own.
    const orphan = `bank-file-${bankFileId(keys.malformed, sha256Hex(malformed))}`;
    expect(await evidenceOf(orphan, keys.malformed, malformed, 'BankFileRefused')).toMatchObject({
      details: { code: 'MALFORMED_REPORT', rule: 'MALFORMED_XML' },
    });
    expect(await evidenceOf(run.runId, keys.unknown, unknown, 'BankFileRefused')).toMatchObject({
      details: { code: 'UNKNOWN_END_TO_END_ID', endToEndId: 'PNOTSENTBYUS01' },
    });
    expect(
      await getException(`bank-file-refused:${bankFileId(keys.wrongAmount, sha256Hex(wrongAmount))}`),
    ).toMatchObject({
      refs: { code: 'AMOUNT_MISMATCH', paymentId: first.paymentId },
    });

    // A correct report for the same payments still applies afterwards.
    const correct = quotingAmount(statusReport(run, accepted, `RPT-${run.runId}-ok`), '60.00');
    const correctKey = await deliver(correct);
    const retried = await handler({});
    expect(retried.applied).toEqual([correctKey]);
    expect((await findPayment(first.paymentId))?.status).toBe('POSTED');
  });

  it('finishes a report a crash left half applied, moving each hold exactly once', async () => {
    // Prepare: an earlier attempt posted one hold and voided the other, then stopped before the payments moved.
    const run = await sentRun('crash', ['80.00', '15.00']);
    const [settled, bounced] = run.payments as [ProposedPayment, ProposedPayment];
    const before = await account();
    await ledger.post({ operationId: `bank-post:${settled.paymentId}`, holdId: settled.holdId });
    await ledger.void({
      operationId: `bank-void:${bounced.paymentId}`,
      holdId: bounced.holdId,
      reason: `bank rejected payment ${bounced.paymentId}`,
    });
    const xml = statusReport(run, [
      { endToEndId: settled.paymentId, status: 'ACCEPTED' },
      { endToEndId: bounced.paymentId, status: 'REJECTED', reasonCode: 'AC06' },
    ]);
    const key = await deliver(xml);

    // Act
    const result = await handler({});

    // Assess
    const after = await account();
    expect(result.applied).toEqual([key]);
    expect(after.posted.minor - before.posted.minor).toBe(money('80.00', 'EUR').minor);
    expect(after.available.minor - before.available.minor).toBe(money('15.00', 'EUR').minor);
    expectBalanced(after);
    expect((await findPayment(settled.paymentId))?.status).toBe('POSTED');
    expect((await findPayment(bounced.paymentId))?.status).toBe('REJECTED');
    expect((await getException(`payment-rejected:${bounced.paymentId}`))?.status).toBe('OPEN');
  });

  it('starts no file when too little time is left, and takes it on the next pass', async () => {
    // Prepare
    const run = await sentRun('late', ['5.00']);
    const [only] = run.payments as [ProposedPayment];
    const key = await deliver(statusReport(run, [{ endToEndId: only.paymentId, status: 'ACCEPTED' }]));
    const noTime = { getRemainingTimeInMillis: () => 1_000 } as Context;

    // Act
    const starved = await handler({}, noTime);
    const next = await handler({});

    // Assess
    expect(starved).toMatchObject({ examined: 0, applied: [] });
    expect((await findPayment(only.paymentId))?.status).toBe('POSTED');
    expect(next.applied).toEqual([key]);
  });

  it('hands each camt statement to one bank reconciliation run, leaves it unmarked, and refuses a file of no known kind', async () => {
    // Prepare
    const statement = readFileSync('test/support/bank-statements/camt053-hand-built.xml', 'utf8');
    const statementKey = await deliver(statement, 'statement-20261130.xml');
    const achKey = await deliver('101 021000021 1234567890', 'returns.ach');

    // Act
    const first = await handler({});
    const second = await handler({});

    // Assess
    expect(first.statements).toContain(statementKey);
    expect(second.statements).toContain(statementKey);
    // Seen once by its entity tag, the statement is not downloaded again; nothing else is new.
    expect(second.read).toBe(0);
    expect(await getBankFileMarker(statementKey, sha256Hex(statement))).toBeUndefined();
    expect(first.refused).toEqual([{ fileKey: achKey, code: 'UNKNOWN_FILE_TYPE' }]);
    expect(second.refused).toEqual([]);
    // The statement started one reconciliation, keyed by its content and requested by the inbox.
    const executionId = executionIdFor(
      BANK_INBOX,
      'bank-reconciliation',
      `statement:${sha256Hex(statement)}`,
    );
    const started = await harness.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      runbook: 'bank-reconciliation',
      requestedBy: { username: 'tollgate-bank-inbox' },
    });
  });
});
