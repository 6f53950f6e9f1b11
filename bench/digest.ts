/**
 * The digest job against bucket size: the same new writes digested in a bucket holding only them,
 * and in buckets that also hold many objects of earlier days — once listing only the window's
 * partitions (what the job does), once listing whole prefixes (what it did). Local s3rver; the
 * ratios are the figure. `npm run bench:digest` (BENCH_OLD_OBJECTS, BENCH_NEW_OBJECTS to resize).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { DIGEST_PARTITIONS, writeNextDigest } from '#platform/evidence/core/digests.ts';
import { loadOrCreateDigestSigner } from '../local/evidence-signing-key.ts';
import { LOCAL_REGION } from '../local/function-host.ts';
import { LOCAL_CREDENTIALS } from '../local/local-stack.ts';
import { freePort } from '../local/ports.ts';

const OLD = Number(process.env.BENCH_OLD_OBJECTS ?? 10_000);
const NEW = Number(process.env.BENCH_NEW_OBJECTS ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-digest-bench-'));
const port = await freePort();
const buckets = ['new-only', 'partitioned', 'whole-prefixes'];
const server = new S3rver({
  address: '127.0.0.1',
  port,
  directory: join(dir, 's3'),
  silent: true,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
await server.run();
const client = new S3Client({
  endpoint: `http://127.0.0.1:${port}`,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  forcePathStyle: true,
});
const signer = loadOrCreateDigestSigner(join(dir, 'keys'));
const store = (bucket: string) => new S3EvidenceStore(bucket, { client, headBeforePut: false });

async function putAll(bucket: string, keys: string[], body: (key: string, i: number) => string) {
  for (let i = 0; i < keys.length; i += 64)
    await Promise.all(
      keys
        .slice(i, i + 64)
        .map((key, j) =>
          store(bucket).putNew(key, new TextEncoder().encode(body(key, i + j)), 'application/json'),
        ),
    );
}

const day = (offset: number) =>
  new Date(Date.UTC(2025, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
const oldKeys = Array.from(
  { length: OLD },
  (_, i) => `records/type=action/dt=${day(i % 300)}/old-${String(i).padStart(7, '0')}.json`,
);
const today = new Date().toISOString().slice(0, 10);
const newKeys = Array.from(
  { length: NEW },
  (_, i) => `records/type=action/dt=${today}/new-${String(i).padStart(7, '0')}.json`,
);
const record = (_key: string, i: number) =>
  JSON.stringify({ executionId: `bench-${i % 50}`, sequence: i + 1, hash: `h${i}` });

try {
  const started = performance.now();
  for (const bucket of buckets.slice(1)) await putAll(bucket, oldKeys, record);
  // Each bucket's first digest lists everything (the job's first run); the measured one comes after.
  for (const bucket of buckets)
    await writeNextDigest({ store: store(bucket), signer, now: () => new Date(), settleMs: -1000 });
  await new Promise((r) => setTimeout(r, 1100));
  for (const bucket of buckets) await putAll(bucket, newKeys, record);
  await new Promise((r) => setTimeout(r, 1100));
  console.log(
    `set up ${OLD} earlier objects in two buckets and ${NEW} new ones in three in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );

  const timed = async (bucket: string, partitioned: boolean) => {
    const t = performance.now();
    const { digest } = await writeNextDigest({
      store: store(bucket),
      signer,
      now: () => new Date(),
      settleMs: -1000,
      ...(partitioned ? { partitions: DIGEST_PARTITIONS } : {}),
    });
    return { ms: performance.now() - t, objects: digest.objects.length };
  };
  const alone = await timed('new-only', true);
  const partitioned = await timed('partitioned', true);
  const whole = await timed('whole-prefixes', false);
  const line = (what: string, r: { ms: number; objects: number }) =>
    `${what.padEnd(58)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.objects} objects digested  ${(r.ms / alone.ms).toFixed(2)}×`;
  console.log(line(`${NEW} new objects, nothing else in the bucket`, alone));
  console.log(line(`${NEW} new + ${OLD} earlier, window's partitions listed`, partitioned));
  console.log(line(`${NEW} new + ${OLD} earlier, whole prefixes listed`, whole));
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
