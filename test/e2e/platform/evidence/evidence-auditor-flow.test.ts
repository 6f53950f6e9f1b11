import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { ChainedEvidenceWriter } from '#platform/evidence/core/writer.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { LOCAL_CREDENTIALS, LOCAL_EVIDENCE_BUCKET } from '../../../../local/local-stack.ts';
import {
  RUNBOOK_VERSION_1,
  RUNBOOK_VERSION_2,
  s3ClientFor,
  writeInvoiceEvidence,
} from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The auditor's flow on the local stack: run a runbook, digest, verify with the CLI, pull the
// evidence with a real AWS client, and answer the three standard questions with the CLI.
const run = promisify(execFile);
const cli = join(PROJECT_ROOT, 'bin', 'tollgate.ts');
const work = mkdtempSync(join(tmpdir(), 'tollgate-auditor-'));
let harness: Harness;
const today = new Date().toISOString().slice(0, 10);

async function tollgate(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Debian's awscli (what an auditor installs); any `aws` on PATH otherwise. */
function awsCli(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  const onPath = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'aws'));
  return onPath.find((file) => existsSync(file));
}

beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  const started = await harness.api('POST', '/runbooks/deployment-check/executions', {
    user: 'gray.admin',
    body: {},
    headers: { 'Idempotency-Key': 'auditor-flow-0001' },
  });
  const finished = await harness.waitForExecution(started.body.executionId, 'gray.admin');
  expect(finished.status).toBe('SUCCEEDED');
  const store = new S3EvidenceStore(LOCAL_EVIDENCE_BUCKET, {
    client: s3ClientFor(harness),
    headBeforePut: true,
  });
  await writeInvoiceEvidence(
    new ChainedEvidenceWriter({ store, chain: new DynamoDbEvidenceChain(), now: () => new Date() }),
    'auditor',
  );
  const { digest } = await harness.stack.digestNow({ final: true });
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(digest.windowEnd) - Date.now() + 20)));
});
afterAll(async () => {
  await harness?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('auditor flow on the local stack', () => {
  it('`tollgate evidence verify` prints every object valid, the runbook’s own evidence included', async () => {
    // Act
    const result = await tollgate('evidence', 'verify', '--data-dir', harness.dataDir);

    // Assess
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => /^(records|payloads|digests)\//.test(line));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((line) => line.endsWith(': valid'))).toBe(true);
    expect(lines.some((line) => line.startsWith('records/type=action/'))).toBe(true);
    expect(result.stdout).toContain('Result: all valid.');
    expect(result.stdout).toContain('Object Lock not checked');
  });

  it('pulls the evidence with `aws s3 cp --recursive --endpoint-url`', async () => {
    // Prepare
    const aws = awsCli();
    if (!aws)
      throw new Error(
        "No `aws` command: install Debian's awscli (`apt-get install awscli`) to run the auditor flow.",
      );
    const target = join(work, 'pulled');

    // Act
    await run(
      aws,
      [
        's3',
        'cp',
        '--recursive',
        `s3://${LOCAL_EVIDENCE_BUCKET}`,
        target,
        '--endpoint-url',
        harness.stack.endpoints.s3,
      ],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
        },
      },
    );

    // Assess
    expect(readdirSync(join(target, 'digests')).some((f) => f.endsWith('.json'))).toBe(true);
    expect(readdirSync(join(target, 'records'))).toEqual(
      expect.arrayContaining([
        'type=action',
        'type=decision',
        'type=escalation',
        'type=approval',
        'type=model_call',
      ]),
    );
  });

  it.each([
    ['ap-matches-over-amount', ['--min-amount', '10000.00'], 2, { USD: '42500.00' }],
    ['escalations-with-decider', [], 2, { USD: '75000.50' }],
    ['agent-changes-by-runbook-version', [], 2, { USD: '13300.00' }],
  ])(
    '`tollgate evidence export %s` answers with the right count and totals',
    async (query, extra, rows, totals) => {
      // Act
      const result = await tollgate(
        'evidence',
        'export',
        query,
        '--from',
        today,
        '--to',
        today,
        ...extra,
        '--format',
        'json',
        '--out',
        join(work, 'exports'),
        '--ran-by',
        'finley.auditor',
        '--data-dir',
        harness.dataDir,
      );

      // Assess
      expect(result.code, result.stderr).toBe(0);
      const { output, manifest: manifestFile } = JSON.parse(result.stdout);
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
      const exported = JSON.parse(readFileSync(output, 'utf8'));
      expect(exported).toHaveLength(rows);
      expect(manifest).toMatchObject({
        query,
        rowCount: rows,
        amountTotals: totals,
        ranBy: 'finley.auditor',
        sourceComplete: false,
      });
      expect(manifest.querySha256).toMatch(/^[a-f0-9]{64}$/);
      expect(manifest.digestRange.first.key).toBe('digests/0000000001.json');
      if (query === 'escalations-with-decider') {
        expect(exported.map((r: any) => r.decided_by)).toEqual(['casey.controller', null]);
      }
      if (query === 'agent-changes-by-runbook-version') {
        expect(manifest.rowsBy).toEqual({ [RUNBOOK_VERSION_1]: 1, [RUNBOOK_VERSION_2]: 1 });
      }
    },
  );
});
