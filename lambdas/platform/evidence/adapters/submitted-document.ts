import { sha256Hex } from '#platform/core/hashing.ts';
import type { EvidenceRecord } from '#platform/evidence/core/records.ts';
import { S3EvidenceStore } from './evidence-store-s3.ts';

let store: S3EvidenceStore | undefined;

/** The submitted document, read back from its evidence record and checked against its hash. */
export async function readSubmittedDocument(recordKey: string, expectedSha256: string): Promise<Uint8Array> {
  store ??= S3EvidenceStore.fromEnvironment();
  const recordObject = await store.get(recordKey);
  if (!recordObject) throw new Error(`The invoice's evidence record ${recordKey} is missing.`);
  const record = JSON.parse(new TextDecoder().decode(recordObject.body)) as EvidenceRecord;
  const reference = record.payloads.find((p) => p.name === 'invoice-document');
  if (!reference) throw new Error(`Evidence record ${recordKey} carries no invoice document.`);
  const payload = await store.get(reference.key);
  if (!payload || sha256Hex(payload.body) !== expectedSha256) {
    throw new Error(`The invoice document ${reference.key} is missing or does not match its SHA-256.`);
  }
  return payload.body;
}
