import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import type { EvidenceInput } from '#platform/evidence/core/records.ts';
import { verifyEvidence } from '#platform/evidence/core/verify.ts';
import { ChainedEvidenceWriter } from '#platform/evidence/core/writer.ts';
import { loadOrCreateDigestSigner } from '../../../../local/evidence-signing-key.ts';
import { digestAll, freshEvidence } from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The writer against the real stores: chain heads in DynamoDB Local, objects in s3rver.
let harness: Harness;
beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

const event = (
  executionId: string,
  eventKey: string,
  details: Record<string, unknown> = {},
): EvidenceInput => ({
  recordType: 'action',
  runbook: 'invoice-reconciliation',
  runbookVersion: 'c'.repeat(64),
  executionId,
  eventKey,
  actor: { kind: 'agent', id: 'ap-agent-1' },
  business: { amount: '10.00', currency: 'USD' },
  details,
});

describe('evidence writer', () => {
  it('returns the same record for a retried event, and writes no second object', async () => {
    // Prepare
    const { writer, store } = await freshEvidence(harness);

    // Act
    const first = await writer.append(event('exec-retry', 'Hold/action', { holdId: 'H-1' }));
    const retried = await writer.append(event('exec-retry', 'Hold/action', { holdId: 'H-1' }));

    // Assess
    expect(retried).toEqual(first);
    expect(first.key).toMatch(
      /^records\/type=action\/dt=\d{4}-\d{2}-\d{2}\/\d{8}T\d{9}Z-[a-f0-9]{12}-000001\.json$/,
    );
    expect(await store.list('records/')).toHaveLength(1);
  });

  it('refuses a retried event whose content differs', async () => {
    // Prepare
    const { writer } = await freshEvidence(harness);
    await writer.append(event('exec-differs', 'Hold/action', { holdId: 'H-1' }));

    // Act
    const second = writer.append(event('exec-differs', 'Hold/action', { holdId: 'H-2' }));

    // Assess
    await expect(second).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps one unforked chain when steps of an execution append concurrently', async () => {
    // Prepare
    const { writer, store } = await freshEvidence(harness);

    // Act
    const receipts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => writer.append(event('exec-parallel', `Branch${i}/action`))),
    );
    await digestAll(store, loadOrCreateDigestSigner(harness.dataDir));
    const report = await verifyEvidence(store, { checkObjectLock: false, now: () => new Date() });

    // Assess
    expect(new Set(receipts.map((r) => r.key)).size).toBe(8);
    expect(report.records).toBe(8);
    expect(report.invalid).toBe(0);
  });

  it('fails the step when the object cannot be written, and the retry completes the same record', async () => {
    // Prepare
    const { store } = await freshEvidence(harness);
    const failing = {
      ...store,
      list: store.list.bind(store),
      get: store.get.bind(store),
      putNew: async () => {
        throw new Error('S3 unavailable');
      },
    };
    const broken = new ChainedEvidenceWriter({
      store: failing,
      chain: new DynamoDbEvidenceChain(),
      now: () => new Date(),
    });
    const healthy = new ChainedEvidenceWriter({
      store,
      chain: new DynamoDbEvidenceChain(),
      now: () => new Date(),
    });

    // Act
    const failed = broken.append(event('exec-failing', 'Hold/action'));
    await expect(failed).rejects.toThrow('S3 unavailable');
    const retried = await healthy.append(event('exec-failing', 'Hold/action'));

    // Assess
    expect(retried.prevHash).toBe('0'.repeat(64));
    expect((await store.list('records/')).map((o) => o.key)).toEqual([retried.key]);
  });
});
