import { generateKeyPairSync, sign } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '#platform/core/canonical-json.ts';
import { hashOf } from '#platform/core/hashing.ts';
import {
  DynamoDbEvidenceChain,
  listChainHeads,
  listClaimedEvents,
} from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import {
  DIGEST_PARTITIONS,
  type Digest,
  digestBytes,
  digestKey,
  digestUntilCaughtUp,
  parseSignedDigest,
  publicKeyKey,
  writeNextDigest,
} from '#platform/evidence/core/digests.ts';
import type { DigestSigner, EvidenceStore } from '#platform/evidence/core/ports.ts';
import { reconcileClaims } from '#platform/evidence/core/reconcile.ts';
import type { EvidenceRecord } from '#platform/evidence/core/records.ts';
import { recordBytes, sealRecord } from '#platform/evidence/core/records.ts';
import { verifyEvidence } from '#platform/evidence/core/verify.ts';
import { ChainedEvidenceWriter } from '#platform/evidence/core/writer.ts';
import { evidenceSource, runVerify } from '../../../../bin/evidence-commands.ts';
import { loadOrCreateDigestSigner } from '../../../../local/evidence-signing-key.ts';
import { LOCAL_EVIDENCE_BUCKET } from '../../../../local/local-stack.ts';
import {
  digestAll,
  freshEvidence,
  s3ClientFor,
  writeInvoiceEvidence,
} from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Every tamper an attacker with write access to the local store could make, each detected by
// `verify`. The evidence is real: written by the writer to s3rver, digested and signed.
let harness: Harness;
let signer: DigestSigner;
beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  signer = loadOrCreateDigestSigner(harness.dataDir);
});
afterAll(async () => {
  await harness?.stop();
});

/** Three digests: two with records, the last one empty; verified all valid before any tamper. */
async function sealedEvidence(prefix: string) {
  const evidence = await freshEvidence(harness);
  const receipts = await writeInvoiceEvidence(evidence.writer, prefix);
  await digestAll(evidence.store, signer);
  const later = await evidence.writer.append({
    recordType: 'action',
    runbook: 'invoice-reconciliation',
    runbookVersion: 'a'.repeat(64),
    executionId: `${prefix}-exec-1`,
    eventKey: 'ReleasePayment/action',
    actor: { kind: 'agent', id: 'ap-agent-1' },
    details: { action: 'escrow_release' },
  });
  await digestAll(evidence.store, signer);
  await digestAll(evidence.store, signer);
  const baseline = await verify(evidence.store);
  expect(baseline.invalid).toBe(0);
  return { ...evidence, receipts: [...receipts, later] };
}

function verify(store: Parameters<typeof verifyEvidence>[0], publicKeyPem?: string) {
  return verifyEvidence(store, {
    checkObjectLock: false,
    now: () => new Date(),
    ...(publicKeyPem ? { publicKeyPem } : {}),
  });
}

function reasonsFor(report: Awaited<ReturnType<typeof verify>>, key: string): string {
  return report.verdicts.find((v) => v.key === key)?.reasons.join('; ') ?? '';
}

async function readRecord(
  store: { get(key: string): Promise<{ body: Uint8Array } | undefined> },
  key: string,
) {
  const stored = await store.get(key);
  return JSON.parse(new TextDecoder().decode(stored?.body)) as EvidenceRecord;
}

describe('evidence verify detects tampering', () => {
  it('a flipped byte in a record', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('flip');
    const target = receipts[2]!.key;
    const body = Buffer.from((await store.get(target))!.body);
    body[body.indexOf('AUTO_APPROVED')] = 'B'.charCodeAt(0);

    // Act
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: target, Body: body }));
    const report = await verify(store);

    // Assess
    expect(report.invalid).toBeGreaterThan(0);
    expect(reasonsFor(report, target)).toMatch(/SHA-256 differs from digests\/0000000001\.json/);
    expect(reasonsFor(report, target)).toMatch(/record hash does not match its content/);
  });

  it('a flipped byte in a payload', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('payload');
    const record = await readRecord(store, receipts[0]!.key);
    const payloadKey = record.payloads[0]!.key;
    const body = Buffer.from((await store.get(payloadKey))!.body);
    body[0] = body[0]! ^ 0x01;

    // Act
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: payloadKey, Body: body }));
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, payloadKey)).toMatch(/SHA-256 differs/);
    expect(reasonsFor(report, payloadKey)).toMatch(/does not hash to its content address/);
    expect(reasonsFor(report, receipts[0]!.key)).toMatch(/payload .* does not hash to/);
  });

  it('a deleted object', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('delete');
    const target = receipts[1]!.key;

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: target }));
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, target)).toMatch(
      /listed in digests\/0000000001\.json but missing from the bucket/,
    );
    expect(reasonsFor(report, receipts[2]!.key)).toMatch(/chain gap: sequence 3 follows 1/);
  });

  it('an extra object', async () => {
    // Prepare: a well-formed record that extends a real chain, as an insider would fabricate it.
    const { store, client, bucket, receipts } = await sealedEvidence('extra');
    const last = await readRecord(store, receipts[3]!.key);
    const forged = sealRecord({
      ...last,
      recordId: `${last.recordId.slice(0, -6)}000099`,
      sequence: 99,
      eventKey: 'Forged/action',
      prevHash: last.hash,
    });
    const key = receipts[3]!.key.replace(last.recordId, forged.recordId);

    // Act
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: recordBytes(forged) }));
    const report = await verify(store);

    // Assess
    // Written after the newest digest it is only pending, but its chain does not hold.
    expect(reasonsFor(report, key)).toMatch(/chain gap: sequence 99 follows \d+/);
  });

  it('reordered records', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('reorder');
    const [a, b] = [receipts[1]!.key, receipts[2]!.key];
    const bodyA = (await store.get(a))!.body;
    const bodyB = (await store.get(b))!.body;

    // Act
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: a, Body: bodyB }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: b, Body: bodyA }));
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, a)).toMatch(/SHA-256 differs/);
    expect(reasonsFor(report, a)).toMatch(/stored under the wrong key/);
    expect(reasonsFor(report, b)).toMatch(/stored under the wrong key/);
  });

  it('a dropped record with the chain rewritten around it', async () => {
    // Prepare: delete record 2 and re-link record 3 to record 1, hashes recomputed.
    const { store, client, bucket, receipts } = await sealedEvidence('drop');
    const first = await readRecord(store, receipts[0]!.key);
    const third = await readRecord(store, receipts[2]!.key);
    const relinked = sealRecord({ ...third, sequence: 2, prevHash: first.hash });

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: receipts[1]!.key }));
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: receipts[2]!.key, Body: recordBytes(relinked) }),
    );
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, receipts[1]!.key)).toMatch(/missing from the bucket/);
    expect(reasonsFor(report, receipts[2]!.key)).toMatch(/SHA-256 differs/);
    expect(reasonsFor(report, receipts[3]!.key)).toMatch(/chain gap|prevHash does not match/);
  });

  it('a replayed digest', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('replay');

    // Act
    await client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: digestKey(4), CopySource: `${bucket}/${digestKey(1)}` }),
    );
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, digestKey(4))).toMatch(/replayed or moved digest/);
    expect(reasonsFor(report, receipts[0]!.key)).toMatch(/listed in both .* \(a replayed listing\)/);
  });

  it('a dropped digest', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('dropdigest');

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: digestKey(2) }));
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, digestKey(3))).toMatch(/previous digest digests\/0000000002\.json is missing/);
    expect(reasonsFor(report, receipts.at(-1)!.key)).toMatch(/not listed in any digest/);
  });

  it('a digest altered and re-signed with a forged key', async () => {
    // Prepare: drop a listing from digest 1 and sign it with another key, claiming the real key id.
    const { store, client, bucket, receipts } = await sealedEvidence('forge');
    const signed = parseSignedDigest((await store.get(digestKey(1)))!.body);
    const altered: Digest = {
      ...signed.digest,
      objects: signed.digest.objects.filter((o) => o.key !== receipts[0]!.key),
    };
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = {
      digest: altered,
      hash: hashOf(altered),
      signature: sign('sha256', digestBytes(altered), attacker).toString('base64'),
    };

    // Act
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: digestKey(1), Body: canonicalJson(forged) }),
    );
    const report = await verify(store);

    // Assess
    expect(reasonsFor(report, digestKey(1))).toMatch(/signature does not verify/);
    expect(reasonsFor(report, digestKey(2))).toMatch(/previous-digest hash does not match/);
    expect(reasonsFor(report, receipts[0]!.key)).toMatch(/not listed in any digest/);
  });

  it('a forged signature under a replaced public key, when the auditor pins the real key', async () => {
    // Prepare: the attacker re-signs digest 1 and swaps the published key for their own.
    const { store, client, bucket } = await sealedEvidence('forgekey');
    const realPem = await signer.publicKeyPem();
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signed = parseSignedDigest((await store.get(digestKey(1)))!.body);
    const forged = {
      ...signed,
      signature: sign('sha256', digestBytes(signed.digest), attacker.privateKey).toString('base64'),
    };

    // Act
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: digestKey(1), Body: canonicalJson(forged) }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: publicKeyKey(signer.keyId),
        Body: attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    );
    const pinned = await verify(store, realPem);
    const unpinned = await verify(store);

    // Assess
    expect(reasonsFor(pinned, digestKey(1))).toMatch(/signature does not verify/);
    expect(reasonsFor(unpinned, digestKey(1))).toMatch(/no trusted public key/);
  });

  it('the newest record of a run deleted before any digest listed it, caught against the chain heads', async () => {
    // Prepare: a record appended after the last digest, then deleted by an insider with write access.
    const { store, client, bucket, writer } = await sealedEvidence('tail');
    const newest = await writer.append({
      recordType: 'action',
      runbook: 'invoice-reconciliation',
      runbookVersion: 'a'.repeat(64),
      executionId: 'tail-exec-1',
      eventKey: 'Late/action',
      actor: { kind: 'agent', id: 'ap-agent-1' },
      details: { action: 'escrow_release' },
    });

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: newest.key }));
    const withoutHeads = await verify(store);
    const withHeads = await verifyEvidence(store, {
      checkObjectLock: false,
      now: () => new Date(),
      heads: await headsOf('tail-'),
    });

    // Assess: the bucket alone looks complete; its chain head in the table says otherwise.
    expect(withoutHeads.invalid).toBe(0);
    expect(reasonsFor(withHeads, 'chains/tail-exec-1')).toMatch(
      /chain head is at sequence 6, but the bucket's newest record is 5: record 6 deleted or never written/,
    );
  });

  it('a record appended outside the writer past the chain head', async () => {
    // Prepare
    const { store, client, bucket, receipts } = await sealedEvidence('past');
    const last = await readRecord(store, receipts.at(-1)!.key);
    const forged = sealRecord({
      ...last,
      recordId: `${last.recordId.slice(0, -6)}000006`,
      sequence: 6,
      eventKey: 'Forged/action',
      prevHash: last.hash,
    });

    // Act: a well-formed next link, written straight to the bucket.
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: receipts.at(-1)!.key.replace(last.recordId, forged.recordId),
        Body: recordBytes(forged),
      }),
    );
    const report = await verifyEvidence(store, {
      checkObjectLock: false,
      now: () => new Date(),
      heads: await headsOf('past-'),
    });

    // Assess
    expect(reasonsFor(report, `chains/${last.executionId}`)).toMatch(
      /past the table's chain head \(5\) up to 6/,
    );
  });

  it('reports records written after the newest digest as pending, not invalid, and valid once digested', async () => {
    // Prepare
    const { store, writer } = await sealedEvidence('pending');
    await writer.append({
      recordType: 'action',
      runbook: 'invoice-reconciliation',
      runbookVersion: 'a'.repeat(64),
      executionId: 'pending-exec-1',
      eventKey: 'Late/action',
      actor: { kind: 'agent', id: 'ap-agent-1' },
      details: { action: 'escrow_release' },
    });

    // Act
    const before = await verifyEvidence(store, {
      checkObjectLock: false,
      now: () => new Date(),
      heads: await headsOf('pending-'),
    });
    await digestAll(store, signer);
    const after = await verifyEvidence(store, {
      checkObjectLock: false,
      now: () => new Date(),
      heads: await headsOf('pending-'),
    });

    // Assess
    expect(before).toMatchObject({ invalid: 0, pending: 1 });
    expect(after).toMatchObject({ invalid: 0, pending: 0 });
  });
});

describe('the evidence reconciler', () => {
  it('restores a claimed record whose write never reached the bucket, so the chain is whole again', async () => {
    // Prepare: the bucket refuses the record's write after its chain position was claimed.
    const { store } = await sealedEvidence('claimed');
    const failing: EvidenceStore = {
      ...store,
      list: (prefix) => store.list(prefix),
      get: (key) => store.get(key),
      putNew: async () => {
        throw new Error('connection reset');
      },
    };
    const writer = new ChainedEvidenceWriter({
      store: failing,
      chain: new DynamoDbEvidenceChain(),
      now: () => new Date(),
    });
    await expect(
      writer.append({
        recordType: 'action',
        runbook: 'invoice-reconciliation',
        runbookVersion: 'a'.repeat(64),
        executionId: 'claimed-exec-1',
        eventKey: 'Lost/action',
        actor: { kind: 'agent', id: 'ap-agent-1' },
        details: { action: 'escrow_release' },
      }),
    ).rejects.toThrow(/connection reset/);
    const gap = await verifyEvidence(store, {
      checkObjectLock: false,
      now: () => new Date(),
      heads: await headsOf('claimed-'),
    });
    expect(reasonsFor(gap, 'chains/claimed-exec-1')).toMatch(/deleted or never written/);

    // Act
    const claims = (await listClaimedEvents()).filter((c) => c.record.executionId.startsWith('claimed-'));
    const report = await reconcileClaims(claims, store);
    const again = await reconcileClaims(claims, store);

    // Assess
    expect(report.restored).toHaveLength(1);
    expect(report.unrestorable).toEqual([]);
    expect(again.restored).toEqual([]);
    const whole = await verifyEvidence(store, {
      checkObjectLock: false,
      now: () => new Date(),
      heads: await headsOf('claimed-'),
    });
    expect(whole).toMatchObject({ invalid: 0, pending: 1 });
  });

  it('says which claimed record it cannot restore when its payload is gone', async () => {
    // Prepare: a record with a payload, then both objects deleted.
    const { store, client, bucket, writer } = await sealedEvidence('nopayload');
    const receipt = await writer.append({
      recordType: 'model_call',
      runbook: 'invoice-reconciliation',
      runbookVersion: 'a'.repeat(64),
      executionId: 'nopayload-exec-9',
      eventKey: 'Extract/model_call',
      actor: { kind: 'agent', id: 'ap-agent-1' },
      details: { modelId: 'local' },
      payloads: [{ name: 'prompt', contentType: 'text/plain', body: 'the prompt' }],
    });
    const record = await readRecord(store, receipt.key);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: receipt.key }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: record.payloads[0]!.key }));

    // Act
    const claims = (await listClaimedEvents()).filter((c) => c.record.executionId === 'nopayload-exec-9');
    const report = await reconcileClaims(claims, store);

    // Assess
    expect(report.restored).toEqual([]);
    expect(report.unrestorable).toEqual([
      { key: receipt.key, reason: expect.stringMatching(/payload .* is missing/) },
    ]);
  });
});

describe('tollgate evidence verify pins the signing key', () => {
  it('trusts the key from where it lives, so a digest re-signed under a replaced published key is INVALID by default', async () => {
    // Prepare: evidence in the stack's own bucket, digested; then an insider re-signs digest 1 and swaps the published key.
    const local = new S3EvidenceStore(LOCAL_EVIDENCE_BUCKET, {
      client: s3ClientFor(harness),
      headBeforePut: true,
    });
    await writeInvoiceEvidence(
      new ChainedEvidenceWriter({ store: local, chain: new DynamoDbEvidenceChain(), now: () => new Date() }),
      'pinned',
    );
    await harness.stack.digestNow({ final: true });
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const first = (await local.list('digests/'))
      .map((o) => o.key)
      .filter((k) => !k.includes('public-keys'))
      .sort()[0]!;
    const signed = parseSignedDigest((await local.get(first))!.body);
    const client = s3ClientFor(harness);
    // (This file's other tests write chains to their own buckets in the same work table, so only this digest's line is read.)
    const before: string[] = [];
    await runVerify(evidenceSource({ dataDir: harness.dataDir }), {}, (l) => before.push(l));
    expect(before.find((l) => l.startsWith(`${first}:`))).toBe(`${first}: valid`);

    // Act
    await client.send(
      new PutObjectCommand({
        Bucket: LOCAL_EVIDENCE_BUCKET,
        Key: first,
        Body: canonicalJson({
          ...signed,
          signature: sign('sha256', digestBytes(signed.digest), attacker.privateKey).toString('base64'),
        }),
      }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: LOCAL_EVIDENCE_BUCKET,
        Key: publicKeyKey(signed.digest.signingKeyId),
        Body: attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    );
    const after: string[] = [];
    const code = await runVerify(evidenceSource({ dataDir: harness.dataDir }), {}, (l) => after.push(l));

    // Assess
    expect(code).toBe(1);
    expect(after.find((l) => l.startsWith(`${first}:`))).toMatch(/signature does not verify/);
  });
});

describe('the digest job at scale', () => {
  it("lists only the partitions its window can hold: an object planted in an old day's partition is never digested, and verify flags it", async () => {
    // Prepare: one digest of everything, then a real record today and a forged one filed under 2020.
    const { store, client, bucket, writer } = await sealedEvidence('partition');
    const today = await writer.append({
      recordType: 'action',
      runbook: 'invoice-reconciliation',
      runbookVersion: 'a'.repeat(64),
      executionId: 'partition-exec-1',
      eventKey: 'Late/action',
      actor: { kind: 'agent', id: 'ap-agent-1' },
      details: { action: 'escrow_release' },
    });
    const planted = 'records/type=action/dt=2020-01-01/20200101T000000000Z-planted-000001.json';
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: planted, Body: '{}' }));
    await new Promise((r) => setTimeout(r, 1100));

    // Act
    const { digest } = await writeNextDigest({
      store,
      signer,
      now: () => new Date(),
      settleMs: -1000,
      partitions: DIGEST_PARTITIONS,
    });
    const report = await verify(store);

    // Assess
    expect(digest.objects.map((o) => o.key)).toEqual([today.key]);
    expect(reasonsFor(report, planted)).toMatch(/not listed in any digest/);
  });

  it('takes a backlog in bounded windows, contiguous, until it reaches the present', async () => {
    // Prepare: the last digest ended now; the job next runs as if a day later.
    const { store } = await sealedEvidence('backlog');
    const dayLater = new Date(Date.now() + 24 * 3_600_000);

    // Act
    const written = await digestUntilCaughtUp(
      { store, signer, now: () => dayLater, settleMs: 1000, partitions: DIGEST_PARTITIONS },
      10,
    );

    // Assess: four six-hour windows, each starting where the previous ended, the last at the present.
    expect(written).toHaveLength(4);
    for (const { digest } of written)
      expect(Date.parse(digest.windowEnd) - Date.parse(digest.windowStart)).toBeLessThanOrEqual(
        DIGEST_PARTITIONS.maxWindowMs,
      );
    for (let i = 1; i < written.length; i += 1)
      expect(written[i]?.digest.windowStart).toBe(written[i - 1]?.digest.windowEnd);
    expect(Date.parse(written.at(-1)?.digest.windowEnd ?? '')).toBeGreaterThanOrEqual(
      dayLater.getTime() - 2000,
    );
    expect((await verify(store)).invalid).toBe(0);
  });
});

/** The chain heads of one test's executions (the work table holds every test's). */
async function headsOf(prefix: string) {
  return (await listChainHeads()).filter((head) => head.executionId.startsWith(prefix));
}
