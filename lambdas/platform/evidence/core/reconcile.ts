import type { ClaimedEvent, EvidenceStore } from './ports.ts';
import { PAYLOADS_PREFIX, RECORDS_PREFIX, recordBytes, recordKey } from './records.ts';

/**
 * A chain position is claimed in the table before its object is written; a write that never
 * completes would leave the record only in the table and a permanent gap in the bucket. The
 * reconciler re-writes every claimed record whose object is missing, from the claim itself (the
 * same canonical bytes, written only if still absent), and reports what it cannot restore: a
 * record whose payloads are gone (their bytes live only in the bucket).
 */
export interface ReconcileReport {
  readonly checked: number;
  readonly restored: readonly string[];
  readonly unrestorable: readonly { readonly key: string; readonly reason: string }[];
}

const RECORD_CONTENT_TYPE = 'application/json';

export async function reconcileClaims(
  claims: readonly ClaimedEvent[],
  store: EvidenceStore,
): Promise<ReconcileReport> {
  const [records, payloads] = await Promise.all([store.list(RECORDS_PREFIX), store.list(PAYLOADS_PREFIX)]);
  const present = new Set([...records, ...payloads].map((object) => object.key));
  const restored: string[] = [];
  const unrestorable: { key: string; reason: string }[] = [];
  for (const { record, key } of claims) {
    if (present.has(key)) continue;
    if (recordKey(record.recordType, record.timestamp, record.recordId) !== key) {
      unrestorable.push({ key, reason: `the claim names ${key}, but its record belongs under another key` });
      continue;
    }
    const missingPayloads = (record.payloads ?? []).filter((payload) => !present.has(payload.key));
    if (missingPayloads.length > 0) {
      unrestorable.push({
        key,
        reason: `its payload${missingPayloads.length > 1 ? 's' : ''} ${missingPayloads.map((p) => p.key).join(', ')} ${missingPayloads.length > 1 ? 'are' : 'is'} missing and cannot be rebuilt from the claim`,
      });
      continue;
    }
    await store.putNew(key, recordBytes(record), RECORD_CONTENT_TYPE);
    restored.push(key);
  }
  return { checked: claims.length, restored, unrestorable };
}
