import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '#platform/core/canonical-json.ts';
import { hashOf } from '#platform/core/hashing.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import {
  type Digest,
  digestBytes,
  digestKey,
  keyIdOf,
  parseSignedDigest,
  publicKeyKey,
} from '#platform/evidence/core/digests.ts';
import { type EvidenceRecord, recordBytes, sealRecord } from '#platform/evidence/core/records.ts';
import { ChainedEvidenceWriter } from '#platform/evidence/core/writer.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { loadOrCreateDigestSigner } from '../../../../local/evidence-signing-key.ts';
import { LOCAL_CREDENTIALS, LOCAL_EVIDENCE_BUCKET } from '../../../../local/local-stack.ts';
import { s3ClientFor, writeInvoiceEvidence } from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// An auditor verifies a downloaded copy offline: evidence written on the local stack, digested,
// pulled with the real `aws s3 cp --recursive`, then `tollgate evidence verify --dir` on the copy,
// untouched and tampered, with the published key, a given key and a wrong key.
const run = promisify(execFile);
const cli = join(PROJECT_ROOT, 'bin', 'tollgate.ts');
const work = mkdtempSync(join(tmpdir(), 'tollgate-offline-'));
const pulled = join(work, 'pulled');
let harness: Harness;
let signerPem: string;

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
function awsCli(): string {
  const candidates = ['/usr/bin/aws', ...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'aws'))];
  const found = candidates.find((file) => existsSync(file));
  if (!found)
    throw new Error("No `aws` command: install Debian's awscli (`apt-get install awscli`) to run this test.");
  return found;
}

/** A fresh copy of the pulled evidence to tamper with. */
function copyOfPulled(name: string): string {
  const target = join(work, name);
  cpSync(pulled, target, { recursive: true });
  return target;
}

function filesUnder(dir: string, prefix: string): string[] {
  return readdirSync(join(dir, prefix), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  const store = new S3EvidenceStore(LOCAL_EVIDENCE_BUCKET, {
    client: s3ClientFor(harness),
    headBeforePut: true,
  });
  await writeInvoiceEvidence(
    new ChainedEvidenceWriter({ store, chain: new DynamoDbEvidenceChain(), now: () => new Date() }),
    'offline',
  );
  const { digest } = await harness.stack.digestNow({ final: true });
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(digest.windowEnd) - Date.now() + 20)));
  signerPem = await loadOrCreateDigestSigner(harness.dataDir).publicKeyPem();
  await run(
    awsCli(),
    [
      's3',
      'cp',
      '--recursive',
      `s3://${LOCAL_EVIDENCE_BUCKET}`,
      pulled,
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
  // The stack is no longer needed: everything below runs on the copy alone.
  await harness.stop();
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
});

describe('tollgate evidence verify --dir (a downloaded copy, offline)', () => {
  it('checks every object of the untouched copy valid with its published key', async () => {
    // Act
    const result = await tollgate('evidence', 'verify', '--dir', pulled);

    // Assess
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => /^(records|payloads|digests)\//.test(line));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((line) => line.endsWith(': valid'))).toBe(true);
    expect(result.stdout).toContain(`Evidence in downloaded copy ${pulled}:`);
    expect(result.stdout).toContain('Result: all valid.');
  });

  it('trusts only the key given with --public-key, and a wrong key makes every digest INVALID', async () => {
    // Prepare
    const given = join(work, 'signer.pem');
    writeFileSync(given, signerPem);
    const wrong = join(work, 'wrong.pem');
    writeFileSync(
      wrong,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    );

    // Act
    const withSigner = await tollgate('evidence', 'verify', '--dir', pulled, '--public-key', given);
    const withWrong = await tollgate('evidence', 'verify', '--dir', pulled, '--public-key', wrong);

    // Assess
    expect(withSigner.code).toBe(0);
    expect(withWrong.code).toBe(1);
    expect(withWrong.stdout).toMatch(
      new RegExp(
        `digests/0000000001\\.json: INVALID: no trusted public key for signing key ${keyIdOf(signerPem)}`,
      ),
    );
  });

  it('a copy rewritten and re-signed under a key published in it passes only unpinned; the pinned key catches it', async () => {
    // Prepare: the attacker lowers INV-4's amount, re-seals the record, re-lists it in digest 1,
    // signs that digest with their own key and publishes that key in the copy.
    const copy = copyOfPulled('resigned');
    const target = filesUnder(copy, 'records').find((key) =>
      readFileSync(join(copy, key), 'utf8').includes('INV-4'),
    )!;
    const original = JSON.parse(readFileSync(join(copy, target), 'utf8')) as EvidenceRecord;
    const { hash: _old, ...unsealed } = original;
    const record = sealRecord({ ...unsealed, business: { ...original.business, amount: '450.50' } });
    const bytes = recordBytes(record);
    writeFileSync(join(copy, target), bytes);
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const attackerPem = attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signed = parseSignedDigest(readFileSync(join(copy, digestKey(1))));
    const digest: Digest = {
      ...signed.digest,
      signingKeyId: keyIdOf(attackerPem),
      objects: signed.digest.objects.map((o) =>
        o.key === target
          ? { ...o, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength }
          : o,
      ),
      chains: signed.digest.chains.map((c) =>
        c.executionId === record.executionId ? { ...c, firstHash: record.hash, lastHash: record.hash } : c,
      ),
    };
    const forged = {
      digest,
      hash: hashOf(digest),
      signature: sign('sha256', digestBytes(digest), attacker.privateKey).toString('base64'),
    };
    writeFileSync(join(copy, digestKey(1)), canonicalJson(forged));
    writeFileSync(join(copy, publicKeyKey(keyIdOf(attackerPem))), attackerPem);
    const pinned = join(work, 'pinned.pem');
    writeFileSync(pinned, signerPem);

    // Act
    const unpinned = await tollgate('evidence', 'verify', '--dir', copy);
    const withPin = await tollgate('evidence', 'verify', '--dir', copy, '--public-key', pinned);

    // Assess: self-consistent, so only the pinned key tells the forgery apart.
    expect(unpinned.code, unpinned.stdout).toBe(0);
    expect(withPin.code).toBe(1);
    expect(withPin.stdout).toContain(
      `digests/0000000001.json: INVALID: no trusted public key for signing key ${keyIdOf(attackerPem)}`,
    );
  });

  it('a flipped byte in a record of the copy is INVALID with the reason', async () => {
    // Prepare
    const copy = copyOfPulled('flipped');
    const target = filesUnder(copy, 'records').find(
      (key) => key.includes('type=decision') && readFileSync(join(copy, key), 'utf8').includes('12500.00'),
    )!;
    const bytes = readFileSync(join(copy, target));
    bytes[bytes.indexOf('12500.00')] = '9'.charCodeAt(0);
    writeFileSync(join(copy, target), bytes);

    // Act
    const result = await tollgate('evidence', 'verify', '--dir', copy);

    // Assess
    expect(result.code).toBe(1);
    const line = result.stdout.split('\n').find((l) => l.startsWith(`${target}:`));
    expect(line).toMatch(
      /INVALID: SHA-256 differs from digests\/0000000001\.json: the object changed after it was digested/,
    );
    expect(line).toContain('record hash does not match its content');
    expect(result.stdout).toContain('Result: 1 INVALID');
  });

  it('a record deleted from the copy is INVALID as missing, and its successor as a chain gap', async () => {
    // Prepare
    const copy = copyOfPulled('deleted');
    const ruleResult = filesUnder(copy, 'records').find((key) => key.includes('type=rule_result'))!;
    unlinkSync(join(copy, ruleResult));

    // Act
    const result = await tollgate('evidence', 'verify', '--dir', copy);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `${ruleResult}: INVALID: listed in digests/0000000001.json but missing from the bucket (deleted)`,
    );
    expect(result.stdout).toMatch(/chain gap: sequence 3 follows 1/);
  });

  it('a symbolic link planted in the copy cannot pass for an object', async () => {
    // Prepare
    const copy = copyOfPulled('linked');
    const payload = filesUnder(copy, 'payloads')[0]!;
    const outside = join(work, 'outside');
    cpSync(join(copy, payload), outside);
    unlinkSync(join(copy, payload));
    symlinkSync(outside, join(copy, payload));

    // Act
    const result = await tollgate('evidence', 'verify', '--dir', copy);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${payload}: INVALID: listed in the bucket but cannot be read`);
  });

  it('--json prints a summary an auditor can keep: counts, INVALID verdicts, newest digest, signing keys', async () => {
    // Prepare
    const copy = copyOfPulled('json');
    const target = filesUnder(copy, 'records').sort()[0]!;
    appendFileSync(join(copy, target), ' ');

    // Act
    const valid = await tollgate('evidence', 'verify', '--dir', pulled, '--json');
    const tampered = await tollgate('evidence', 'verify', '--dir', copy, '--json');

    // Assess
    const good = JSON.parse(valid.stdout);
    expect(valid.code).toBe(0);
    expect(good).toMatchObject({
      format: 'tollgate-evidence-verify/1',
      source: `downloaded copy ${pulled}`,
      result: 'valid',
      exitCode: 0,
      counts: { digests: 1, invalid: 0 },
      newestDigest: { key: 'digests/0000000001.json' },
      signingKeyIds: [keyIdOf(signerPem)],
      objectLockChecked: false,
      invalid: [],
    });
    expect(good.counts.records).toBe(filesUnder(pulled, 'records').length);
    expect(good.counts.payloads).toBe(filesUnder(pulled, 'payloads').length);
    const bad = JSON.parse(tampered.stdout);
    expect(tampered.code).toBe(1);
    expect(bad).toMatchObject({ result: 'invalid', exitCode: 1, counts: { invalid: 1 } });
    expect(bad.invalid).toEqual([
      { key: target, reasons: expect.arrayContaining([expect.stringMatching(/SHA-256 differs/)]) },
    ]);
  });

  it('--progress N reports on stderr every N objects, keeping stdout for the verdicts', async () => {
    // Act
    const result = await tollgate('evidence', 'verify', '--dir', pulled, '--progress', '5', '--json');

    // Assess
    expect(result.code).toBe(0);
    const total = JSON.parse(result.stdout).counts.objects;
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^verify: checked 5 of \d+ objects$/);
    expect(lines.at(-1)).toMatch(/, done$/);
    expect(lines.length).toBeGreaterThanOrEqual(Math.floor(total / 5));
  });

  it('refuses a folder that is not there, and --dir with --bucket', async () => {
    // Act
    const missing = await tollgate('evidence', 'verify', '--dir', join(work, 'nowhere'));
    const both = await tollgate('evidence', 'verify', '--dir', pulled, '--bucket', 'some-bucket');
    const badProgress = await tollgate('evidence', 'verify', '--dir', pulled, '--progress', 'often');

    // Assess
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NOT_FOUND.*is not a folder/s);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('give --dir or --bucket, not both.');
    expect(badProgress.code).not.toBe(0);
    expect(badProgress.stderr).toContain('--progress takes a whole number of objects');
  });
});
