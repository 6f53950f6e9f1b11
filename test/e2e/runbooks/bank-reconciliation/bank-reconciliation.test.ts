import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { money } from '#platform/core/money.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { getException, openExceptions } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import type { StatementEntry } from '#runbooks/bank-reconciliation/core/statement.ts';
import { buildCamt053, closingBalanceFor } from '#runbooks/bank-reconciliation/core/statement-writer.ts';
import {
  findPayment,
  moveSentPayment,
  type ReconcilablePayment,
  saveProposal,
} from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { readSnapshot, seed } from '../../../../bin/commands/seed.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The bank-reconciliation runbook over HTTP on the real local stack: a camt.053 for the USD
// operating account with a debit for a payment Tollgate sent, a debit nobody approved, and
// customer credits paid in full, short within the write-off threshold and short above it.
const DAY = '2026-12-01';
const ACCOUNT = 'AP-USD-OPERATING';
const SENT_PAYMENT = 'P00000000000A01';
const usd = (amount: string) => money(amount, 'USD');
const TREASURY = join(PROJECT_ROOT, 'local', 'seed', 'treasury.json');

let harness: Harness;
const sor = new DynamoDbSystemOfRecord();
const chain = new DynamoDbEvidenceChain();

function entry(fields: Partial<StatementEntry> & Pick<StatementEntry, 'entryRef' | 'amount' | 'direction'>) {
  return {
    status: 'BOOKED',
    bookingDate: DAY,
    valueDate: DAY,
    endToEndId: null,
    counterparty: { name: null, iban: null },
    remittance: { unstructured: [], creditorReference: null },
    bankReference: null,
    reversal: false,
    ...fields,
  } satisfies StatementEntry;
}

const entries: StatementEntry[] = [
  entry({
    entryRef: 'D-SENT',
    amount: usd('1250.00'),
    direction: 'DEBIT',
    endToEndId: SENT_PAYMENT,
    counterparty: { name: 'Prairie Fasteners & Tools', iban: null },
  }),
  entry({
    entryRef: 'D-STRAY',
    amount: usd('999.99'),
    direction: 'DEBIT',
    counterparty: { name: 'Unknown Payee Ltd', iban: null },
  }),
  entry({
    entryRef: 'C-FULL',
    amount: usd('12500.00'),
    direction: 'CREDIT',
    counterparty: { name: 'Harbor Logistics Inc', iban: null },
    remittance: { unstructured: [], creditorReference: 'RF33AR20260101' },
  }),
  entry({
    entryRef: 'C-SHORT',
    amount: usd('4808.25'),
    direction: 'CREDIT',
    counterparty: { name: 'Northwind Retail LLC', iban: null },
    remittance: { unstructured: [], creditorReference: 'RF06AR20260102' },
  }),
  entry({
    entryRef: 'C-SHORT-OVER-PACT',
    amount: usd('2235.40'),
    direction: 'CREDIT',
    counterparty: { name: 'Bluestem Foods Co', iban: null },
    remittance: { unstructured: [], creditorReference: 'RF49AR20260104' },
  }),
  entry({
    entryRef: 'C-SHORT-BIG',
    amount: usd('9200.00'),
    direction: 'CREDIT',
    counterparty: { name: 'Northwind Retail LLC', iban: null },
    remittance: { unstructured: ['AR-2026-0103'], creditorReference: null },
  }),
];

function camt053(statementId: string): string {
  const opening = usd('100000.00');
  return buildCamt053({
    messageId: `MSG-${statementId}`,
    statementId,
    account: { iban: null, other: '000123456789', currency: 'USD' },
    createdAt: `${DAY}T18:00:00Z`,
    opening,
    closing: closingBalanceFor(opening, entries),
    entries,
  });
}

async function start(statementKey: string, user = 'casey.controller') {
  return harness.api('POST', '/runbooks/bank-reconciliation/executions', {
    user,
    body: { statementKey },
    headers: { 'Idempotency-Key': randomUUID() },
  });
}

async function run(statementKey: string): Promise<any> {
  const started = await start(statementKey);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return harness.waitForExecution(started.body.executionId, 'casey.controller');
}

/** What a run may change: receivables, the sent payment, open exceptions. */
async function books() {
  const receivables = await Promise.all(
    ['R-20260101', 'R-20260102', 'R-20260103', 'R-20260104'].map((id) => sor.getReceivable('USD', id)),
  );
  const payment = (await findPayment(SENT_PAYMENT)) as ReconcilablePayment | undefined;
  return { receivables, payment, exceptions: (await openExceptions(100)).map((e) => e.exceptionId).sort() };
}

let statementKey: string;
let first: any;

beforeAll(async () => {
  harness = await startHarness();
  // The shared AP sample set and the treasury supplement beside it.
  await seed(readSnapshot(join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices', 'erp.json')));
  await seed(readSnapshot(TREASURY));
  // A payment run sent one ACH payment to V-1100 on the statement's day.
  const runId = `RUN-${randomUUID().slice(0, 8)}`;
  await saveProposal(runId, DAY, `${DAY}T09:00:00Z`, {
    accountId: ACCOUNT,
    currency: 'USD',
    format: 'nacha',
    payments: [
      {
        paymentId: SENT_PAYMENT,
        holdId: 'AP-V-1100-INV10501',
        vendorId: 'V-1100',
        vendorName: 'Prairie Fasteners & Tools',
        creditor: {
          kind: 'ach',
          routingNumber: '847144854',
          accountNumber: '4294916953',
          accountType: 'checking',
        },
        amount: usd('1250.00'),
        document: 'INV-10501',
        source: null,
      },
    ],
    excluded: [],
    vendors: [],
    total: usd('1250.00'),
  } as never);
  await moveSentPayment({ runId, paymentId: SENT_PAYMENT, accountId: ACCOUNT }, 'PROPOSED', 'SENT', {
    at: `${DAY}T10:00:00Z`,
    executionDate: DAY,
    fileKey: `outbound/${DAY}/${runId}.ach`,
  });
  const stored = await S3BankFiles.fromEnvironment().putInbound(
    `STMT-${randomUUID().slice(0, 8)}.xml`,
    camt053('STMT-USD-1'),
    'application/xml',
    { date: DAY },
  );
  statementKey = stored.key;
  first = await run(statementKey);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('bank-reconciliation on the local stack', () => {
  it('reconciles the statement and shows totals per currency', () => {
    expect(first.status, JSON.stringify(first)).toBe('SUCCEEDED');
    expect(first.outcome).toBe('RECONCILED');
    expect(first.statement).toMatchObject({
      key: statementKey,
      statementId: 'STMT-USD-1',
      accountId: ACCOUNT,
    });
    expect(first.totals).toEqual([
      {
        currency: 'USD',
        matched: { count: 2, debits: '1250.00', credits: '17308.25' },
        writtenOff: { count: 1, amount: '12.50' },
        exceptions: { count: 3, amount: '12435.39' },
        skipped: 0,
      },
    ]);
    expect(first.exceptionsOpened).toBe(3);
  });

  it('matches the debit to the payment sent, by its end-to-end id', async () => {
    const payment = (await findPayment(SENT_PAYMENT)) as ReconcilablePayment;
    expect(payment.reconciledEntry).toBe(`${ACCOUNT}#D-SENT`);
    const evidence = await chain.findEvent(first.executionId, 'ReconcileStatement/entry/D-SENT/MATCHED');
    expect(evidence?.record).toMatchObject({
      business: { vendorId: 'V-1100', amount: '1250.00', currency: 'USD', decision: 'MATCHED' },
    });
  });

  it('opens an exception for a controller for the debit nobody approved', async () => {
    const exception = await getException(`bank-statement:${ACCOUNT}#D-STRAY`);
    expect(exception).toMatchObject({
      kind: 'UNMATCHED_DEBIT',
      requiredRole: 'controller',
      status: 'OPEN',
      amount: '999.99',
      currency: 'USD',
    });
  });

  it('settles the receivable paid in full', async () => {
    expect(await sor.getReceivable('USD', 'R-20260101')).toMatchObject({
      status: 'SETTLED',
      settlement: { paid: '12500.00', writtenOff: '0.00' },
    });
  });

  it('writes off a short payment within the threshold and the pact, with the agent as actor', async () => {
    expect(await sor.getReceivable('USD', 'R-20260102')).toMatchObject({
      status: 'WRITTEN_OFF',
      settlement: { paid: '4808.25', writtenOff: '12.50', by: 'bank-reconciliation-agent' },
    });
    const evidence = await chain.findEvent(first.executionId, 'ReconcileStatement/entry/C-SHORT/WRITE_OFF');
    expect(evidence?.record).toMatchObject({
      actor: { kind: 'agent', id: 'bank-reconciliation-agent' },
      business: { invoiceNumber: 'AR-2026-0102', amount: '12.50', currency: 'USD', decision: 'WRITTEN_OFF' },
    });
  });

  it('leaves a short payment above the threshold open, as an exception for a controller', async () => {
    expect(await sor.getReceivable('USD', 'R-20260103')).toMatchObject({ status: 'OPEN' });
    expect(await getException(`bank-statement:${ACCOUNT}#C-SHORT-BIG`)).toMatchObject({
      kind: 'SHORT_PAYMENT_ABOVE_THRESHOLD',
      requiredRole: 'controller',
      amount: '9200.00',
    });
  });

  it("leaves a short payment within the threshold but over the agent's pact to a controller", async () => {
    expect(await sor.getReceivable('USD', 'R-20260104')).toMatchObject({ status: 'OPEN' });
    const exception = await getException(`bank-statement:${ACCOUNT}#C-SHORT-OVER-PACT`);
    expect(exception).toMatchObject({ kind: 'WRITE_OFF_OVER_AUTHORITY', requiredRole: 'controller' });
    expect(exception?.summary).toContain('OVER_AUTHORITY');
  });

  it('refuses a malformed statement with BANK_FILE_INVALID and changes nothing', async () => {
    const before = await books();
    const bad = await S3BankFiles.fromEnvironment().putInbound(
      `BAD-${randomUUID().slice(0, 8)}.xml`,
      camt053('STMT-USD-BAD').replace('<ClsgBal>', '<ClsgBal><Oops>').slice(0, 1500),
      'application/xml',
      { date: DAY },
    );
    const result = await run(bad.key);
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('BANK_FILE_INVALID');
    expect(result.outcome).toBe('REFUSED');
    expect(result.refusal).toMatchObject({ code: 'BANK_FILE_INVALID' });
    expect(await books()).toEqual(before);
  });

  it('reconciles nothing twice when the same statement runs again', async () => {
    const before = await books();
    const again = await run(statementKey);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.totals).toEqual([
      expect.objectContaining({
        matched: { count: 0, debits: '0.00', credits: '0.00' },
        writtenOff: { count: 0, amount: '0.00' },
        skipped: 3,
      }),
    ]);
    expect(again.exceptionsOpened).toBe(0);
    expect(await books()).toEqual(before);
  });

  it('seeds the pacts each agent declares, and a re-seed never reopens a receivable a run closed', async () => {
    const controls = await harness.api('GET', '/agents/bank-reconciliation-agent/controls', {
      user: 'casey.controller',
    });
    expect(controls.status).toBe(200);
    expect(JSON.stringify(controls.body)).toContain('receivable.write_off');
    const before = await books();
    const counts = await seed(readSnapshot(TREASURY));
    expect(counts.openReceivables).toEqual({ created: 0, updated: 0, unchanged: 6 });
    expect(await books()).toEqual(before);
  });

  it('starts only for a key under inbound/ and only for a controller or an administrator', async () => {
    expect((await start('outbound/2026-12-01/PAY-1.xml')).status).toBe(400);
    expect((await start('inbound/../outbound/x.xml')).status).toBe(400);
    expect((await start(statementKey, 'avery.clerk')).status).toBe(403);
  });
});
