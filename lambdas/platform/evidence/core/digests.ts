import { createHash } from 'node:crypto';
import { canonicalJson } from '#platform/core/canonical-json.ts';
import { hashOf, sha256Hex } from '#platform/core/hashing.ts';
import type { DigestSigner, EvidenceStore } from './ports.ts';
import { type EvidenceRecord, PAYLOADS_PREFIX, RECORD_TYPES, RECORDS_PREFIX } from './records.ts';

/**
 * Signed digests, after CloudTrail's log file validation: each run lists every evidence
 * object written in its window with its SHA-256, links to the previous digest's hash and
 * signature, and is signed. Windows are contiguous, so together they cover all of time.
 */
export const DIGESTS_PREFIX = 'digests/';
export const PUBLIC_KEYS_PREFIX = 'digests/public-keys/';
export const EPOCH_START = '1970-01-01T00:00:00.000Z';
const DIGEST_KEY = /^digests\/(\d{10})\.json$/;

export interface DigestedObject {
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly size: number;
  readonly recordCount: number;
}

export interface DigestedChain {
  readonly executionId: string;
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly firstHash: string;
  readonly lastHash: string;
  readonly records: number;
}

export interface Digest {
  readonly digestVersion: 1;
  readonly sequence: number;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly createdAt: string;
  readonly previous: { readonly key: string; readonly hash: string; readonly signature: string } | null;
  readonly signingKeyId: string;
  readonly signingAlgorithm: DigestSigner['algorithm'];
  readonly objects: readonly DigestedObject[];
  readonly chains: readonly DigestedChain[];
}

/** What is stored: the digest, its hash, and the signature over its canonical JSON. */
export interface SignedDigest {
  readonly digest: Digest;
  readonly hash: string;
  readonly signature: string;
}

export function digestKey(sequence: number): string {
  return `${DIGESTS_PREFIX}${String(sequence).padStart(10, '0')}.json`;
}

export function isDigestKey(key: string): boolean {
  return DIGEST_KEY.test(key);
}

export function publicKeyKey(keyId: string): string {
  return `${PUBLIC_KEYS_PREFIX}${keyId}.pem`;
}

/** Key id of a signing key: SHA-256 of its SPKI DER, so a published key can be checked against the id. */
export function keyIdOf(publicKeyPem: string): string {
  const der = Buffer.from(
    publicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, ''),
    'base64',
  );
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

export function digestBytes(digest: Digest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(digest));
}

export function parseSignedDigest(body: Uint8Array): SignedDigest {
  return JSON.parse(new TextDecoder().decode(body)) as SignedDigest;
}

export interface DigestJobDeps {
  readonly store: EvidenceStore;
  readonly signer: DigestSigner;
  readonly now: () => Date;
  /**
   * How far behind now a window ends, so a PUT still in flight lands in the next window.
   * S3 reports LastModified in whole seconds, so windows end on whole seconds.
   * @default 1000
   */
  readonly settleMs?: number;
  /**
   * List only the `dt=` partitions the window can hold (its days, and `lookbackDays` before its
   * start for writes claimed before midnight and stored after), instead of whole prefixes, and cap
   * the window at `maxWindowMs` so a backlog is digested in bounded steps. The first digest, whose
   * window starts at the epoch, always lists everything.
   * @default whole prefixes, unbounded window
   */
  readonly partitions?: { readonly lookbackDays: number; readonly maxWindowMs: number };
}

const DAY_MS = 86_400_000;

/** The prefixes one day's evidence objects are under: each record type's partition, and the payloads'. */
export function partitionPrefixesOf(day: string): string[] {
  return [
    ...RECORD_TYPES.map((type) => `${RECORDS_PREFIX}type=${type}/dt=${day}/`),
    `${PAYLOADS_PREFIX}dt=${day}/`,
  ];
}

/** Every UTC day from `from` to `to`, inclusive, as YYYY-MM-DD. */
export function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from.toISOString().slice(0, 10)); t <= to.getTime(); t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export class DigestRaceError extends Error {
  constructor(key: string) {
    super(`Digest ${key} was written by another run at the same time; the next run continues the chain.`);
    this.name = 'DigestRaceError';
  }
}

/** Writes the next digest; an empty window still gets one, so silence is provable too. */
export async function writeNextDigest(deps: DigestJobDeps): Promise<{ key: string; digest: Digest }> {
  const { store, signer } = deps;
  const latest = await latestDigest(store);
  const now = deps.now();
  const windowStart = latest?.digest.windowEnd ?? EPOCH_START;
  const startMs = Date.parse(windowStart);
  const partitioned = deps.partitions && latest ? deps.partitions : undefined;
  const settledMs = Math.floor((now.getTime() - (deps.settleMs ?? 1000)) / 1000) * 1000;
  // A backlog is taken in bounded steps: each window at most maxWindowMs, ending on a whole second.
  const endMs = partitioned
    ? Math.min(settledMs, Math.floor((startMs + partitioned.maxWindowMs) / 1000) * 1000)
    : settledMs;
  const windowEnd = new Date(Math.max(endMs, startMs)).toISOString();

  const prefixes = partitioned
    ? daysBetween(new Date(startMs - partitioned.lookbackDays * DAY_MS), new Date(windowEnd)).flatMap(
        partitionPrefixesOf,
      )
    : [RECORDS_PREFIX, PAYLOADS_PREFIX];
  const listed = (await Promise.all(prefixes.map((prefix) => store.list(prefix))))
    .flat()
    .filter((o) => o.lastModified.getTime() >= startMs && o.lastModified.getTime() < Date.parse(windowEnd))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const objects: DigestedObject[] = [];
  const records: EvidenceRecord[] = [];
  for (const object of listed) {
    const stored = await store.get(object.key);
    if (!stored) continue;
    const isRecord = object.key.startsWith(RECORDS_PREFIX);
    if (isRecord) records.push(JSON.parse(new TextDecoder().decode(stored.body)) as EvidenceRecord);
    objects.push({
      key: object.key,
      versionId: stored.versionId ?? null,
      sha256: sha256Hex(stored.body),
      size: stored.body.byteLength,
      recordCount: isRecord ? 1 : 0,
    });
  }

  const publicKeyPem = await signer.publicKeyPem();
  await store.putNew(
    publicKeyKey(signer.keyId),
    new TextEncoder().encode(publicKeyPem),
    'application/x-pem-file',
  );
  const sequence = (latest?.digest.sequence ?? 0) + 1;
  const digest: Digest = {
    digestVersion: 1,
    sequence,
    windowStart,
    windowEnd,
    createdAt: now.toISOString(),
    previous: latest ? { key: latest.key, hash: latest.hash, signature: latest.signature } : null,
    signingKeyId: signer.keyId,
    signingAlgorithm: signer.algorithm,
    objects,
    chains: summariseChains(records),
  };
  const signature = Buffer.from(await signer.sign(digestBytes(digest))).toString('base64');
  const signed: SignedDigest = { digest, hash: hashOf(digest), signature };
  const key = digestKey(sequence);
  const outcome = await store.putNew(
    key,
    new TextEncoder().encode(canonicalJson(signed)),
    'application/json',
  );
  if (outcome === 'exists') throw new DigestRaceError(key);
  return { key, digest };
}

/** What the digest job lists and how far one digest reaches, in AWS and locally. */
export const DIGEST_PARTITIONS = { lookbackDays: 1, maxWindowMs: 6 * 3_600_000 } as const;

/**
 * Writes digests until the newest reaches the settled present, or `maxDigests` were written (a
 * backlog after an outage is caught up over the next runs, never in one unbounded listing).
 */
export async function digestUntilCaughtUp(
  deps: DigestJobDeps,
  maxDigests: number,
): Promise<{ key: string; digest: Digest }[]> {
  const written: { key: string; digest: Digest }[] = [];
  // The present as of the start: time moving on while digests are written is the next run's.
  const target = Math.floor((deps.now().getTime() - (deps.settleMs ?? 1000)) / 1000) * 1000;
  for (let i = 0; i < maxDigests; i += 1) {
    const next = await writeNextDigest(deps);
    written.push(next);
    if (Date.parse(next.digest.windowEnd) >= target) break;
  }
  return written;
}

async function latestDigest(store: EvidenceStore): Promise<(SignedDigest & { key: string }) | undefined> {
  const keys = (await store.list(DIGESTS_PREFIX))
    .map((o) => o.key)
    .filter(isDigestKey)
    .sort();
  const key = keys.at(-1);
  if (!key) return undefined;
  const stored = await store.get(key);
  if (!stored) return undefined;
  return { ...parseSignedDigest(stored.body), key };
}

export function summariseChains(records: readonly EvidenceRecord[]): DigestedChain[] {
  const byExecution = new Map<string, EvidenceRecord[]>();
  for (const record of records) {
    const list = byExecution.get(record.executionId) ?? [];
    list.push(record);
    byExecution.set(record.executionId, list);
  }
  return [...byExecution.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([executionId, list]) => {
      const sorted = [...list].sort((a, b) => a.sequence - b.sequence);
      const first = sorted[0] as EvidenceRecord;
      const last = sorted.at(-1) as EvidenceRecord;
      return {
        executionId,
        firstSequence: first.sequence,
        lastSequence: last.sequence,
        firstHash: first.hash,
        lastHash: last.hash,
        records: sorted.length,
      };
    });
}
