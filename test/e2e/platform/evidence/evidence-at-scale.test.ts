import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { ChainedEvidenceWriter } from '#platform/evidence/core/writer.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { LOCAL_EVIDENCE_BUCKET } from '../../../../local/local-stack.ts';
import { RUNBOOK_VERSION_1, s3ClientFor } from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The local evidence bucket past S3's 1,000-key page: 1,300 invoice decisions with three payloads
// each (5,200 objects) written through the real writer to s3rver, digested, then listed page by
// page, verified and exported with the CLI. s3rver's continuation token must survive Node 24's OpenSSL
// (see bin/patch-s3rver.ts, applied at install).
const RUNS = 1_300;
const OBJECTS_PER_RUN = 4; // the record and its three payloads
const WRITERS = 24;

const run = promisify(execFile);
const cli = join(PROJECT_ROOT, 'bin', 'tollgate.ts');
const work = mkdtempSync(join(tmpdir(), 'tollgate-scale-'));
const today = new Date().toISOString().slice(0, 10);
let harness: Harness;

async function tollgate(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      cwd: PROJECT_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Invoice run i: its decision (amount 1000.00 + i) with the invoice, the prompt and the model output as payloads. */
async function writeRun(writer: ChainedEvidenceWriter, i: number) {
  const business = {
    vendorId: `V-${i % 37}`,
    vendorName: `Vendor ${i % 37}`,
    invoiceNumber: `INV-S-${i}`,
    amount: `${1000 + i}.00`,
    currency: 'USD',
  };
  await writer.append({
    runbook: 'invoice-reconciliation',
    runbookVersion: RUNBOOK_VERSION_1,
    executionId: `scale-exec-${String(i).padStart(5, '0')}`,
    eventKey: 'Decide/decision',
    recordType: 'decision',
    actor: { kind: 'system', id: 'trust-gate' },
    business: { ...business, decision: 'ESCALATED', reasonCodes: ['OVER_AGENT_LIMIT'] },
    details: {},
    payloads: [
      { name: 'invoice', contentType: 'text/plain', body: `Invoice INV-S-${i} total ${business.amount} USD` },
      { name: 'prompt', contentType: 'text/plain', body: `Extract the fields of invoice INV-S-${i}.` },
      { name: 'output', contentType: 'application/json', body: `{"invoiceNumber":"INV-S-${i}"}` },
    ],
  });
}

beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  const writer = new ChainedEvidenceWriter({
    // Every key here is new, so the local overwrite guard (a HEAD before each PUT) is left out for speed.
    store: new S3EvidenceStore(LOCAL_EVIDENCE_BUCKET, { client: s3ClientFor(harness), headBeforePut: false }),
    chain: new DynamoDbEvidenceChain(),
    now: () => new Date(),
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < RUNS) await writeRun(writer, next++);
    }),
  );
  const { digest } = await harness.stack.digestNow({ final: true });
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(digest.windowEnd) - Date.now() + 20)));
}, 180_000);
afterAll(async () => {
  await harness?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the local evidence bucket past 1,000 objects', () => {
  it('lists all 5,200 evidence objects page by page with continuation tokens', async () => {
    // Prepare
    const client = s3ClientFor(harness);
    const keys: string[] = [];
    let pages = 0;
    let token: string | undefined;

    // Act
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: LOCAL_EVIDENCE_BUCKET,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      pages++;
      for (const object of page.Contents ?? []) keys.push(object.Key as string);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);

    // Assess
    // 5,200 objects, one digest and its public key: six pages of at most 1,000.
    expect(pages).toBe(6);
    expect(keys).toHaveLength(RUNS * OBJECTS_PER_RUN + 2);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
  });

  it('refuses a continuation token that was not issued for the bucket', async () => {
    // Act
    const forged = client().send(
      new ListObjectsV2Command({
        Bucket: LOCAL_EVIDENCE_BUCKET,
        ContinuationToken: Buffer.from('us-east-1/other-bucket/records/').toString('base64'),
      }),
    );

    // Assess
    await expect(forged).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('`tollgate evidence verify` checks every object valid', async () => {
    // Act
    const result = await tollgate('evidence', 'verify', '--data-dir', harness.dataDir);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const verdicts = result.stdout.split('\n').filter((line) => /^(records|payloads|digests)\//.test(line));
    expect(verdicts).toHaveLength(RUNS * OBJECTS_PER_RUN + 1);
    expect(verdicts.every((line) => line.endsWith(': valid'))).toBe(true);
    expect(result.stdout).toContain(`(1 digests, ${RUNS} records, ${RUNS * 3} payloads)`);
    expect(result.stdout).toContain('Result: all valid.');
  });

  it('`tollgate evidence export` reads every digested decision', async () => {
    // Act
    const result = await tollgate(
      'evidence',
      'export',
      'ap-matches-over-amount',
      '--from',
      today,
      '--to',
      today,
      '--min-amount',
      '0.00',
      '--format',
      'json',
      '--out',
      join(work, 'exports'),
      '--data-dir',
      harness.dataDir,
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const { output, manifest: manifestFile } = JSON.parse(result.stdout);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(JSON.parse(readFileSync(output, 'utf8'))).toHaveLength(RUNS);
    // 1000.00 + i for i in 0..1299: 1,300 × 1000 + 1299 × 1300 / 2.
    expect(manifest).toMatchObject({
      rowCount: RUNS,
      amountTotals: { USD: '2144350.00' },
      undigestedRecordsExcluded: 0,
    });
  });
});

function client() {
  return s3ClientFor(harness);
}
