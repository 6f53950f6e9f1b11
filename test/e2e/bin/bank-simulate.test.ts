import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { formatMoney, money } from '#platform/core/money.ts';
import { creditorReferenceFor, parseCamt053 } from '#runbooks/bank-reconciliation/core/statement.ts';
import { buildNacha } from '#runbooks/payment-run/core/bank-files/nacha.ts';
import { parsePain002 } from '#runbooks/payment-run/core/bank-files/pain002.ts';
import type { PaymentInstruction } from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import { type SimulateBankError, simulateBank } from '../../../bin/commands/bank-simulate.ts';
import { PROJECT_ROOT } from '../../../lib/project-root.ts';
import { s3ClientFor } from '../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../support/local-stack-harness.ts';

// The simulated bank against the real local stack's s3rver; each test has a bucket of its own.
let harness: Harness;
let client: S3Client;
beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  client = s3ClientFor(harness);
});
afterAll(async () => {
  client?.destroy();
  await harness?.stop();
});

const DAY = '2026-12-02';
const NOW = new Date(`${DAY}T17:00:00Z`);
const SEPA_FILE = readFileSync(
  new URL('../../support/bank-files/sepa-two-credits.pain001.xml', import.meta.url),
  'utf8',
);
const NL_ACCOUNT = 'NL91ABNA0417164300';
const ACH_COMPANY_ID = '1234567890';

async function freshBankFiles(): Promise<S3BankFiles> {
  const bucket = `bank-sim-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return new S3BankFiles(bucket, { client, headBeforePut: true, now: () => NOW });
}

function achFile(ids: readonly [string, string][]): string {
  const payments: PaymentInstruction[] = ids.map(([endToEndId, amount]) => ({
    endToEndId,
    amount: money(amount, 'USD'),
    creditor: {
      name: `Vendor ${endToEndId}`,
      account: {
        kind: 'ach',
        routingNumber: '011000015',
        accountNumber: '123456789',
        accountType: 'checking',
      },
    },
    remittance: `INV-${endToEndId}`,
  }));
  return buildNacha({
    createdAt: new Date(`${DAY}T09:30:00Z`),
    fileIdModifier: 'A',
    immediateDestination: '011000015',
    immediateDestinationName: 'First Example Bank',
    immediateOrigin: ACH_COMPANY_ID,
    immediateOriginName: 'Tollgate Demo Co',
    company: {
      name: 'Tollgate Demo Co',
      id: ACH_COMPANY_ID,
      entryDescription: 'Vendor Pay',
      originatingDfi: '01100001',
    },
    secCode: 'CCD',
    effectiveEntryDate: '2026-12-03',
    payments,
  }).content;
}

async function inbound(store: S3BankFiles): Promise<{ key: string; content: string }[]> {
  const listed = await store.listInbound({ limit: 1000 });
  return Promise.all(
    listed.map(async ({ key }) => ({
      key,
      content: new TextDecoder().decode(await store.getInbound(key, 10_000_000)),
    })),
  );
}

function statusReports(files: { key: string; content: string }[]) {
  return files.filter((f) => f.key.includes('/pain002-')).map((f) => parsePain002(f.content));
}

function statements(files: { key: string; content: string }[]) {
  return files.filter((f) => f.key.includes('/camt053_')).map((f) => parseCamt053(f.content));
}

describe('tollgate bank simulate', () => {
  it('answers a NACHA and a pain.001 file: a status report per file, a statement per account', async () => {
    // Prepare
    const store = await freshBankFiles();
    await store.putOutbound(
      'ACH-TG0001.ach',
      achFile([
        ['ACH-1', '10.00'],
        ['ACH-2', '250.00'],
        ['ACH-3', '0.99'],
      ]),
      'text/plain',
    );
    await store.putOutbound('PR7F3K2Q.pain001.xml', SEPA_FILE, 'application/xml');
    const rf = creditorReferenceFor('INV2026001');

    // Act
    const summary = await simulateBank({
      store,
      now: NOW,
      reject: ['PR7F3K2Q-0002:AM04'],
      rejectCount: 1,
      strayDebit: '12.34',
      openingBalance: '5000.00',
      credits: [
        { payerName: 'Initech BV', amount: '300.00', currency: 'EUR', reference: rf, bookingDate: DAY },
        {
          payerName: 'Umbrella Inc',
          amount: '75.50',
          currency: 'USD',
          reference: 'INV-9001',
          bookingDate: DAY,
        },
      ],
    });

    // Assess: the summary
    expect(summary.filesAnswered.map((f) => [f.outboundKey, f.format, f.accepted, f.rejected])).toEqual([
      [`outbound/${DAY}/ACH-TG0001.ach`, 'nacha', 2, 1],
      [`outbound/${DAY}/PR7F3K2Q.pain001.xml`, 'pain.001.001.09', 1, 1],
    ]);
    expect(summary).toMatchObject({
      date: DAY,
      filesAlreadyAnswered: 0,
      paymentsAccepted: 3,
      paymentsRejected: 2,
      statementEntries: 6,
      notBooked: [],
    });

    // Assess: the status reports parse and carry the decisions, with ISO reasons
    const files = await inbound(store);
    expect(files).toHaveLength(4);
    const reports = statusReports(files);
    const ach = reports.find((r) => r.originalMessageId === 'ACH-TG0001');
    const sepa = reports.find((r) => r.originalMessageId === 'PR7F3K2Q');
    expect(ach?.groupStatus).toBe('PART');
    // --reject-count 1 takes the first payment in key order: the ACH file's first entry.
    expect(ach?.transactions.map((t) => [t.endToEndId, t.status, t.reasonCode])).toEqual([
      ['ACH-1', 'REJECTED', 'AC04'],
      ['ACH-2', 'ACCEPTED', null],
      ['ACH-3', 'ACCEPTED', null],
    ]);
    expect(sepa?.transactions.map((t) => [t.endToEndId, t.status, t.reasonCode, t.final])).toEqual([
      ['PR7F3K2Q-0001', 'ACCEPTED', null, true],
      ['PR7F3K2Q-0002', 'REJECTED', 'AM04', true],
    ]);

    // Assess: the statements parse (balances prove themselves) and book accepted payments only
    const [usd, eur] = ['USD', 'EUR'].map((currency) =>
      statements(files).find((s) => s.account.currency === currency),
    );
    expect(usd?.account).toEqual({ iban: null, other: ACH_COMPANY_ID, currency: 'USD' });
    expect(usd && formatMoney(usd.opening ?? money('0', 'USD'))).toBe('5000.00');
    expect(usd && formatMoney(usd.closing ?? money('0', 'USD'))).toBe('4812.17');
    expect(
      usd?.entries.map((e) => [e.direction, formatMoney(e.amount), e.endToEndId, e.bookingDate]),
    ).toEqual([
      ['DEBIT', '250.00', 'ACH-2', DAY],
      ['DEBIT', '0.99', 'ACH-3', DAY],
      ['CREDIT', '75.50', null, DAY],
      ['DEBIT', '12.34', null, DAY],
    ]);
    expect(usd?.entries[0]?.counterparty.name).toBe('VENDOR ACH-2');
    expect(usd?.entries[0]?.remittance.unstructured).toEqual(['INV-ACH-2']);
    expect(usd?.entries[2]?.remittance).toEqual({ unstructured: ['INV-9001'], creditorReference: null });
    expect(eur?.account).toEqual({ iban: NL_ACCOUNT, other: null, currency: 'EUR' });
    expect(eur && formatMoney(eur.closing ?? money('0', 'EUR'))).toBe('4065.50');
    expect(eur?.entries.map((e) => [e.direction, formatMoney(e.amount), e.endToEndId])).toEqual([
      ['DEBIT', '1234.50', 'PR7F3K2Q-0001'],
      ['CREDIT', '300.00', null],
    ]);
    expect(eur?.entries[0]?.counterparty).toEqual({
      name: 'Acme Lieferungen GmbH',
      iban: 'DE89370400440532013000',
    });
    expect(eur?.entries[1]?.counterparty.name).toBe('Initech BV');
    expect(eur?.entries[1]?.remittance.creditorReference).toBe(rf);
  });

  it('run twice, answers nothing twice; a later file opens at the last closing balance', async () => {
    // Prepare
    const store = await freshBankFiles();
    await store.putOutbound('PR7F3K2Q.pain001.xml', SEPA_FILE, 'application/xml');
    const credits = [
      { payerName: 'Initech BV', amount: '10.00', currency: 'EUR', reference: 'INV-1', bookingDate: DAY },
    ];
    const first = await simulateBank({
      store,
      now: NOW,
      openingBalance: '2000.00',
      credits,
      strayDebit: '1.00',
    });
    const afterFirst = await inbound(store);

    // Act: the same command again, a minute later
    const again = await simulateBank({
      store,
      now: new Date(NOW.getTime() + 60_000),
      openingBalance: '2000.00',
      credits,
      strayDebit: '1.00',
      reject: ['PR7F3K2Q-0001'],
    });

    // Assess
    expect(first.filesAnswered).toHaveLength(1);
    expect(first.statementEntries).toBe(4);
    expect(again).toMatchObject({
      filesAnswered: [],
      filesAlreadyAnswered: 1,
      paymentsAccepted: 0,
      paymentsRejected: 0,
      statements: [],
      statementEntries: 0,
    });
    expect(await inbound(store)).toEqual(afterFirst);

    // Act: a new payment file the next day
    const nextDay = new Date('2026-12-03T17:00:00Z');
    await store.putOutbound('ACH-TG0002.ach', achFile([['ACH-9', '5.00']]), 'text/plain', {
      date: '2026-12-03',
    });
    await store.putOutbound(
      'PR7F3K2Q-2.pain001.xml',
      SEPA_FILE.replaceAll('PR7F3K2Q', 'PR8AAAAA'),
      'application/xml',
      {
        date: '2026-12-03',
      },
    );
    const third = await simulateBank({ store, now: nextDay });

    // Assess: only the new files are answered; the EUR account continues from its last closing
    expect(third.filesAnswered.map((f) => f.outboundKey)).toEqual([
      'outbound/2026-12-03/ACH-TG0002.ach',
      'outbound/2026-12-03/PR7F3K2Q-2.pain001.xml',
    ]);
    expect(third.filesAlreadyAnswered).toBe(1);
    // 2000.00 − 1234.50 − 99.99 + 10.00 − 1.00 = 674.51, then − 1334.49
    expect(third.statements.map((s) => [s.currency, s.opening, s.closing])).toEqual([
      ['USD', '0.00', '-5.00'],
      ['EUR', '674.51', '-659.98'],
    ]);
    const eur = statements(await inbound(store)).filter((s) => s.account.currency === 'EUR');
    expect(eur).toHaveLength(2);
  });

  it('refuses an end-to-end id that no payment file holds, and writes nothing', async () => {
    // Prepare
    const store = await freshBankFiles();
    await store.putOutbound('PR7F3K2Q.pain001.xml', SEPA_FILE, 'application/xml');

    // Act
    const refusal = await simulateBank({ store, now: NOW, reject: ['PR7F3K2Q-0009'] }).catch(
      (error: SimulateBankError) => error,
    );

    // Assess
    expect(refusal).toMatchObject({ code: 'UNKNOWN_END_TO_END_ID' });
    expect(await inbound(store)).toEqual([]);
  });

  it('rejects a file it cannot read as a whole message (FF01), booking nothing', async () => {
    // Prepare
    const store = await freshBankFiles();
    await store.putOutbound(
      'BROKEN.pain001.xml',
      SEPA_FILE.replace('<CtrlSum>1334.49</CtrlSum>', '<CtrlSum>1.00</CtrlSum>'),
      'application/xml',
    );

    // Act
    const summary = await simulateBank({ store, now: NOW, strayDebit: '3.00' });

    // Assess
    expect(summary.filesAnswered).toMatchObject([{ format: 'unreadable', accepted: 0, rejected: 0 }]);
    expect(summary.statements).toEqual([]);
    expect(summary.notBooked).toHaveLength(1);
    const [report] = statusReports(await inbound(store));
    expect(report).toMatchObject({
      originalMessageId: 'BROKEN',
      groupStatus: 'RJCT',
      groupRejected: true,
      groupReasonCode: 'FF01',
    });
  });

  it('reads outbound files only by plain keys under outbound/', async () => {
    // Prepare
    const store = await freshBankFiles();
    const stored = await store.putOutbound('PR7F3K2Q.pain001.xml', SEPA_FILE, 'application/xml');

    // Act
    const listed = await store.listOutbound({ limit: 10 });
    const bytes = await store.getOutbound(stored.key, 10_000_000);
    const refusals = await Promise.all(
      [`inbound/${DAY}/x.xml`, `outbound/${DAY}/../x.xml`, 'outbound/'].map((key) =>
        store
          .getOutbound(key, 10_000_000)
          .catch((error: { details?: { rule?: string } }) => error.details?.rule),
      ),
    );

    // Assess
    expect(listed.map((f) => f.key)).toEqual([stored.key]);
    expect(new TextDecoder().decode(bytes)).toBe(SEPA_FILE);
    expect(refusals).toEqual(['KEY_INVALID', 'KEY_INVALID', 'KEY_INVALID']);
    await expect(store.listOutbound({ limit: 10, afterKey: 'inbound/x' })).rejects.toMatchObject({
      details: { rule: 'KEY_OUTSIDE_OUTBOUND' },
    });
  });

  it('refuses a stray debit that is not a positive amount before reading anything', async () => {
    const store = await freshBankFiles();
    await expect(simulateBank({ store, now: NOW, strayDebit: '0.00' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });

  describe('from the command line', () => {
    const run = promisify(execFile);
    const cli = join(PROJECT_ROOT, 'bin', 'tollgate.ts');
    const emptyDir = mkdtempSync(join(tmpdir(), 'tollgate-bank-'));
    afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

    async function tollgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: PROJECT_ROOT });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    }

    it('answers the running stack’s outbound files, prints a summary and exits 0', async () => {
      // Prepare
      const store = S3BankFiles.fromEnvironment();
      await store.putOutbound('PR7F3K2Q.pain001.xml', SEPA_FILE, 'application/xml');
      const creditsFile = join(emptyDir, 'credits.json');
      writeFileSync(
        creditsFile,
        JSON.stringify([
          {
            payerName: 'Initech BV',
            amount: '42.00',
            currency: 'EUR',
            reference: 'INV-42',
            bookingDate: DAY,
          },
        ]),
      );

      // Act
      const result = await tollgate(
        'bank',
        'simulate',
        '--reject',
        'PR7F3K2Q-0002:AC01',
        '--credits',
        creditsFile,
        '--data-dir',
        harness.dataDir,
      );
      const again = await tollgate('bank', 'simulate', '--data-dir', harness.dataDir, '--json');

      // Assess
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/1 file\(s\) answered, 0 already answered/);
      expect(result.stdout).toMatch(/Payments: 1 accepted, 1 rejected\./);
      expect(result.stdout).toMatch(/Statements: 1, 2 entries\./);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ filesAnswered: [], filesAlreadyAnswered: 1 });
    });

    it('says NOT_RUNNING when no local stack runs on the data folder', async () => {
      // Act
      const result = await tollgate('bank', 'simulate', '--data-dir', emptyDir);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('[NOT_RUNNING]');
      expect(result.stderr).toMatch(/npm run local/);
    });

    it('says INVALID_OPTION for a reason that is not an ISO code', async () => {
      const result = await tollgate('bank', 'simulate', '--reason', 'closed', '--data-dir', harness.dataDir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('[INVALID_OPTION]');
    });
  });
});
