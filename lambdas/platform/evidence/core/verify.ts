import { constants, createPublicKey, verify as verifySignature } from 'node:crypto';
import { canonicalJson } from '#platform/core/canonical-json.ts';
import { hashOf, sha256Hex } from '#platform/core/hashing.ts';
import {
  DIGESTS_PREFIX,
  type Digest,
  digestBytes,
  digestKey,
  isDigestKey,
  keyIdOf,
  parseSignedDigest,
  publicKeyKey,
  type SignedDigest,
} from './digests.ts';
import type { ChainHead, EvidenceStore, ObjectVersion } from './ports.ts';
import {
  type EvidenceRecord,
  GENESIS_HASH,
  PAYLOADS_PREFIX,
  RECORDS_PREFIX,
  recordHash,
  recordKey,
} from './records.ts';

/**
 * The auditor's check: every digest signed and chained, every object listed exactly once and
 * byte-identical to what was digested, every record's hash and chain link recomputed, and in
 * AWS every object version under Object Lock. One verdict per object, naming what is wrong.
 */
export interface ObjectVerdict {
  readonly key: string;
  readonly reasons: readonly string[];
  /** Written after the newest digest: not yet covered by one, still hashed and chain-checked. */
  readonly pending?: boolean;
}

export interface VerificationReport {
  readonly verdicts: readonly ObjectVerdict[];
  readonly digests: number;
  readonly records: number;
  readonly payloads: number;
  readonly invalid: number;
  /** Objects written after the newest digest (valid so far, not yet digested). */
  readonly pending: number;
  /** Chain heads from the table checked against the bucket; null when none were given. */
  readonly headsChecked: number | null;
  readonly newestDigest?: { readonly key: string; readonly windowEnd: string };
  readonly signingKeyIds: readonly string[];
  readonly objectLockChecked: boolean;
  /** Whether every object version and delete marker was listed (AWS), not only the current objects. */
  readonly versionsChecked: boolean;
}

export interface VerifyOptions {
  /** Trust only this public key (PEM) instead of the keys published beside the digests. */
  readonly publicKeyPem?: string;
  /** Check each object's Object Lock mode and retain-until date (AWS). */
  readonly checkObjectLock: boolean;
  readonly now: () => Date;
  /**
   * Every execution's chain head as the table holds it. Each chain in the bucket must end exactly
   * there: a record deleted from the tail (or claimed and never written) leaves the head ahead of
   * the bucket, a forged append puts the bucket ahead of the head.
   */
  readonly heads?: readonly ChainHead[];
  /** List every version and delete marker (AWS): a deleted or overwritten version is INVALID. */
  readonly checkVersions?: boolean;
}

interface Listing {
  readonly digestKey: string;
  readonly sha256: string;
  readonly versionId: string | null;
}

export async function verifyEvidence(
  store: EvidenceStore,
  options: VerifyOptions,
): Promise<VerificationReport> {
  const problems = new Map<string, string[]>();
  const flag = (key: string, reason: string) => {
    const list = problems.get(key) ?? [];
    list.push(reason);
    problems.set(key, list);
  };
  const seen = (key: string) => {
    if (!problems.has(key)) problems.set(key, []);
  };

  const digestObjects = (await store.list(DIGESTS_PREFIX)).filter(
    (o) => !o.key.startsWith(`${DIGESTS_PREFIX}public-keys/`),
  );
  const records = await store.list(RECORDS_PREFIX);
  const payloads = await store.list(PAYLOADS_PREFIX);

  // Digests, newest to oldest.
  const digests = new Map<string, SignedDigest>();
  const keyCache = new Map<string, string | undefined>();
  const signingKeyIds = new Set<string>();
  for (const object of [...digestObjects].sort((a, b) => (a.key < b.key ? 1 : -1))) {
    seen(object.key);
    if (!isDigestKey(object.key)) {
      flag(object.key, 'unexpected object among the digests');
      continue;
    }
    const stored = await store.get(object.key);
    if (!stored) {
      flag(object.key, 'listed in the bucket but cannot be read');
      continue;
    }
    let signed: SignedDigest;
    try {
      signed = parseSignedDigest(stored.body);
    } catch {
      flag(object.key, 'not a readable digest (JSON does not parse)');
      continue;
    }
    const { digest } = signed;
    if (digestKey(digest?.sequence) !== object.key) {
      flag(
        object.key,
        `digest says it is sequence ${digest?.sequence} (${digestKey(digest?.sequence)}): a replayed or moved digest`,
      );
    }
    if (hashOf(digest) !== signed.hash) flag(object.key, 'digest content does not match its recorded hash');
    const pem = await publicKeyFor(store, digest.signingKeyId, options, keyCache);
    if (!pem) {
      flag(object.key, `no trusted public key for signing key ${digest.signingKeyId}`);
    } else if (!signatureValid(digest, signed.signature, pem)) {
      flag(object.key, `signature does not verify with key ${digest.signingKeyId}`);
    } else {
      signingKeyIds.add(digest.signingKeyId);
    }
    digests.set(object.key, signed);
  }

  // The digest chain: contiguous sequences, each linking to its predecessor's hash and signature.
  const ordered = [...digests.entries()].sort(([a], [b]) => (a < b ? 1 : -1));
  for (const [key, { digest }] of ordered) {
    if (digest.sequence === 1) {
      if (digest.previous !== null) flag(key, 'first digest must not link to a previous one');
      continue;
    }
    const expectedKey = digestKey(digest.sequence - 1);
    const previous = digests.get(expectedKey);
    if (!digest.previous || digest.previous.key !== expectedKey) {
      flag(key, `does not link to its predecessor ${expectedKey}`);
    } else if (!previous) {
      flag(key, `previous digest ${expectedKey} is missing (a dropped digest)`);
    } else {
      if (previous.hash !== digest.previous.hash || hashOf(previous.digest) !== digest.previous.hash)
        flag(key, `previous-digest hash does not match ${expectedKey} as stored`);
      if (previous.signature !== digest.previous.signature)
        flag(key, `previous-digest signature does not match ${expectedKey} as stored`);
      if (previous.digest.windowEnd !== digest.windowStart)
        flag(
          key,
          `window starts ${digest.windowStart}, but ${expectedKey} ended ${previous.digest.windowEnd}`,
        );
    }
  }

  // Every object listed exactly once across all digests.
  const listings = new Map<string, Listing>();
  for (const [key, { digest }] of [...digests.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const object of digest.objects ?? []) {
      const earlier = listings.get(object.key);
      if (earlier) {
        flag(object.key, `listed in both ${earlier.digestKey} and ${key} (a replayed listing)`);
        continue;
      }
      listings.set(object.key, { digestKey: key, sha256: object.sha256, versionId: object.versionId });
    }
  }
  const newest = ordered[0];
  const newestEnd = newest ? Date.parse(newest[1].digest.windowEnd) : Number.NEGATIVE_INFINITY;

  const present = new Set<string>();
  const pending = new Set<string>();
  const parsedRecords: { key: string; record: EvidenceRecord }[] = [];
  const payloadHashes = new Map<string, string>();
  for (const object of [...records, ...payloads]) {
    present.add(object.key);
    seen(object.key);
    const stored = await store.get(object.key);
    if (!stored) {
      flag(object.key, 'listed in the bucket but cannot be read');
      continue;
    }
    const sha256 = sha256Hex(stored.body);
    if (object.key.startsWith(PAYLOADS_PREFIX)) payloadHashes.set(object.key, sha256);
    const listing = listings.get(object.key);
    if (!listing) {
      // Written after the newest digest: pending, as CloudTrail's validator says "not yet validated".
      if (object.lastModified.getTime() >= newestEnd) pending.add(object.key);
      else flag(object.key, 'present but not listed in any digest (an added object)');
    } else {
      if (listing.sha256 !== sha256)
        flag(
          object.key,
          `SHA-256 differs from ${listing.digestKey}: the object changed after it was digested`,
        );
      if (listing.versionId && stored.versionId && listing.versionId !== stored.versionId)
        flag(object.key, `version ${stored.versionId} is not the version ${listing.versionId} digested`);
    }
    if (object.key.startsWith(PAYLOADS_PREFIX) && !object.key.endsWith(`/${sha256}`))
      flag(object.key, 'payload content does not hash to its content address');
    if (object.key.startsWith(RECORDS_PREFIX)) {
      const record = parseRecord(stored.body);
      if (!record) {
        flag(object.key, 'not a readable evidence record');
        continue;
      }
      checkRecord(object.key, stored.body, record, flag);
      parsedRecords.push({ key: object.key, record });
    }
    if (options.checkObjectLock && store.lockStatus) {
      const lock = await store.lockStatus(object.key, stored.versionId);
      if (!lock.mode) flag(object.key, 'no Object Lock retention on this version');
      else if (!lock.retainUntil || lock.retainUntil.getTime() <= options.now().getTime())
        flag(
          object.key,
          `Object Lock ${lock.mode} retention ended ${lock.retainUntil?.toISOString() ?? '(no date)'}`,
        );
    }
  }
  for (const [key, listing] of listings) {
    if (!present.has(key)) flag(key, `listed in ${listing.digestKey} but missing from the bucket (deleted)`);
  }

  checkChains(parsedRecords, flag);
  for (const { key, record } of parsedRecords) {
    for (const payload of record.payloads ?? []) {
      const stored = payloadHashes.get(payload.key);
      if (stored === undefined) flag(key, `references payload ${payload.key}, which is missing`);
      else if (stored !== payload.sha256)
        flag(key, `payload ${payload.key} does not hash to ${payload.sha256}`);
    }
  }
  checkChainSummaries(digests, parsedRecords, flag);
  if (options.heads) checkHeads(options.heads, parsedRecords, flag);
  const versionsChecked = options.checkVersions === true && store.listVersions !== undefined;
  if (versionsChecked && store.listVersions) {
    const versions = (
      await Promise.all(
        [RECORDS_PREFIX, PAYLOADS_PREFIX, DIGESTS_PREFIX].map((p) => store.listVersions?.(p) ?? []),
      )
    ).flat();
    checkVersions(versions, flag);
  }

  const verdicts = [...problems.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, reasons]) =>
      reasons.length === 0 && pending.has(key) ? { key, reasons, pending: true } : { key, reasons },
    );
  return {
    verdicts,
    digests: digests.size,
    records: records.length,
    payloads: payloads.length,
    invalid: verdicts.filter((v) => v.reasons.length > 0).length,
    pending: verdicts.filter((v) => v.pending).length,
    headsChecked: options.heads ? options.heads.length : null,
    ...(newest ? { newestDigest: { key: newest[0], windowEnd: newest[1].digest.windowEnd } } : {}),
    signingKeyIds: [...signingKeyIds],
    objectLockChecked: options.checkObjectLock && store.lockStatus !== undefined,
    versionsChecked,
  };
}

/**
 * In a versioned bucket a delete leaves a marker and an overwrite a second version, both invisible
 * to ListObjectsV2 (the marker hides the key; the old version hides under the new). Evidence keys
 * are written once, so either is tampering, named with the version ids.
 */
function checkVersions(
  versions: readonly ObjectVersion[],
  flag: (key: string, reason: string) => void,
): void {
  const byKey = new Map<string, ObjectVersion[]>();
  for (const version of versions) {
    const list = byKey.get(version.key) ?? [];
    list.push(version);
    byKey.set(version.key, list);
  }
  for (const [key, list] of byKey) {
    if (key.startsWith(`${DIGESTS_PREFIX}public-keys/`)) continue;
    const markers = list.filter((v) => v.deleteMarker);
    const objects = list.filter((v) => !v.deleteMarker);
    if (markers.length > 0)
      flag(
        key,
        `deleted: delete marker ${markers.map((m) => m.versionId).join(', ')} hides ${objects.length} version(s) of this object`,
      );
    if (objects.length > 1)
      flag(
        key,
        `overwritten: ${objects.length} versions of a key written once (${objects.map((v) => v.versionId).join(', ')})`,
      );
  }
}

/**
 * Each chain in the bucket against its head in the table: the newest record must be the head's
 * sequence with the head's hash. The verdict is keyed `chains/<executionId>`, naming what is missing.
 */
function checkHeads(
  heads: readonly ChainHead[],
  parsed: readonly { key: string; record: EvidenceRecord }[],
  flag: (key: string, reason: string) => void,
): void {
  const newest = new Map<string, EvidenceRecord>();
  for (const { record } of parsed) {
    const seen = newest.get(record.executionId);
    if (!seen || record.sequence > seen.sequence) newest.set(record.executionId, record);
  }
  const headed = new Set<string>();
  for (const head of heads) {
    headed.add(head.executionId);
    const key = `chains/${head.executionId}`;
    const last = newest.get(head.executionId);
    const at = last?.sequence ?? 0;
    if (at < head.sequence)
      flag(
        key,
        `the table's chain head is at sequence ${head.sequence}, but the bucket's newest record is ${at === 0 ? 'none' : at}: record${head.sequence - at > 1 ? `s ${at + 1}–${head.sequence}` : ` ${head.sequence}`} deleted or never written`,
      );
    else if (at > head.sequence)
      flag(
        key,
        `the bucket holds records past the table's chain head (${head.sequence}) up to ${at}: appended outside the writer`,
      );
    else if (last && last.hash !== head.hash)
      flag(key, `the newest record's hash is not the table's chain head hash (${head.hash.slice(0, 12)}…)`);
  }
  for (const [executionId, last] of newest)
    if (!headed.has(executionId))
      flag(
        `chains/${executionId}`,
        `no chain head in the table for ${last.sequence} record(s) in the bucket`,
      );
}

function parseRecord(body: Uint8Array): EvidenceRecord | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(body)) as EvidenceRecord;
    return value && typeof value === 'object' && typeof value.hash === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function checkRecord(
  key: string,
  body: Uint8Array,
  record: EvidenceRecord,
  flag: (key: string, reason: string) => void,
): void {
  if (recordHash(record) !== record.hash) flag(key, 'record hash does not match its content');
  if (canonicalJson(record) !== new TextDecoder().decode(body))
    flag(key, 'record is not stored as canonical JSON');
  if (recordKey(record.recordType, record.timestamp, record.recordId) !== key)
    flag(key, `record ${record.recordId} is stored under the wrong key`);
}

function checkChains(
  parsed: readonly { key: string; record: EvidenceRecord }[],
  flag: (key: string, reason: string) => void,
): void {
  const byExecution = new Map<string, { key: string; record: EvidenceRecord }[]>();
  for (const entry of parsed) {
    const list = byExecution.get(entry.record.executionId) ?? [];
    list.push(entry);
    byExecution.set(entry.record.executionId, list);
  }
  for (const list of byExecution.values()) {
    list.sort((a, b) => a.record.sequence - b.record.sequence);
    let previous: { key: string; record: EvidenceRecord } | undefined;
    for (const entry of list) {
      const { record } = entry;
      if (previous && previous.record.sequence === record.sequence) {
        flag(entry.key, `sequence ${record.sequence} is claimed by ${previous.key} too (a forked chain)`);
        continue;
      }
      const expected = (previous?.record.sequence ?? 0) + 1;
      if (record.sequence !== expected) {
        flag(
          entry.key,
          `chain gap: sequence ${record.sequence} follows ${expected - 1}; record ${expected} of this execution is missing`,
        );
      } else if (record.prevHash !== (previous?.record.hash ?? GENESIS_HASH)) {
        flag(
          entry.key,
          previous
            ? `prevHash does not match the hash of ${previous.record.recordId} (chain broken or reordered)`
            : 'first record of the execution does not start from the genesis hash',
        );
      }
      previous = entry;
    }
  }
}

function checkChainSummaries(
  digests: ReadonlyMap<string, SignedDigest>,
  parsed: readonly { key: string; record: EvidenceRecord }[],
  flag: (key: string, reason: string) => void,
): void {
  const byLink = new Map(
    parsed.map(({ record }) => [`${record.executionId}#${record.sequence}`, record.hash]),
  );
  for (const [key, { digest }] of digests) {
    for (const chain of digest.chains ?? []) {
      const first = byLink.get(`${chain.executionId}#${chain.firstSequence}`);
      const last = byLink.get(`${chain.executionId}#${chain.lastSequence}`);
      if (first !== chain.firstHash || last !== chain.lastHash)
        flag(key, `chain summary of execution ${chain.executionId} does not match the records in the bucket`);
    }
  }
}

async function publicKeyFor(
  store: EvidenceStore,
  keyId: string,
  options: VerifyOptions,
  cache: Map<string, string | undefined>,
): Promise<string | undefined> {
  if (options.publicKeyPem) return keyIdOf(options.publicKeyPem) === keyId ? options.publicKeyPem : undefined;
  if (!cache.has(keyId)) {
    const stored = await store.get(publicKeyKey(keyId));
    const pem = stored ? new TextDecoder().decode(stored.body) : undefined;
    cache.set(keyId, pem && keyIdOf(pem) === keyId ? pem : undefined);
  }
  return cache.get(keyId);
}

function signatureValid(digest: Digest, signature: string, pem: string): boolean {
  try {
    const key = createPublicKey(pem);
    const bytes = digestBytes(digest);
    const sig = Buffer.from(signature, 'base64');
    if (digest.signingAlgorithm === 'RSASSA_PSS_SHA_256') {
      return verifySignature(
        'sha256',
        bytes,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        sig,
      );
    }
    return verifySignature('sha256', bytes, key, sig);
  } catch {
    return false;
  }
}
