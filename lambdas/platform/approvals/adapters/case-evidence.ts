import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import type { EvidenceRecord } from '#platform/evidence/core/records.ts';

/** One step of a run as its evidence chain recorded it: what happened, who did it, and the hashes. */
export interface TimelineEntry {
  readonly sequence: number;
  readonly recordType: string;
  readonly eventKey: string;
  readonly timestamp: string;
  readonly actor: EvidenceRecord['actor'];
  readonly hash: string;
  readonly prevHash: string;
  readonly objectKey: string;
  readonly payloads: readonly { name: string; contentType: string; sha256: string; size: number }[];
}

/** The execution's evidence chain in order, from the claimed events in the work table. */
export async function caseTimeline(
  executionId: string,
): Promise<{ entries: TimelineEntry[]; records: EvidenceRecord[] }> {
  const records: { record: EvidenceRecord; objectKey: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  try {
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName('work'),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
          ExpressionAttributeValues: { ':pk': `EVIDENCE#${executionId}`, ':event': 'EVENT#' },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? [])
        records.push({
          record: JSON.parse(item.record as string) as EvidenceRecord,
          objectKey: item.objectKey as string,
        });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    rethrowTransient(error);
  }
  records.sort((a, b) => a.record.sequence - b.record.sequence);
  return {
    records: records.map((r) => r.record),
    entries: records.map(({ record, objectKey }) => ({
      sequence: record.sequence,
      recordType: record.recordType,
      eventKey: record.eventKey,
      timestamp: record.timestamp,
      actor: record.actor,
      hash: record.hash,
      prevHash: record.prevHash,
      objectKey,
      payloads: record.payloads.map(({ name, contentType, sha256, size }) => ({
        name,
        contentType,
        sha256,
        size,
      })),
    })),
  };
}

/** The longest document text a case view carries; a longer one is cut and says so. */
export const MAX_DOCUMENT_TEXT = 200_000;

export interface CaseDocument {
  readonly contentType: string;
  readonly sha256: string;
  readonly size: number;
  /** The text, for text and structured documents; null for a PDF (its bytes stay in evidence). */
  readonly text: string | null;
  readonly truncated: boolean;
}

let store: S3EvidenceStore | undefined;

/** The submitted document from the evidence records, checked against its recorded SHA-256. */
export async function submittedDocument(records: readonly EvidenceRecord[]): Promise<CaseDocument | null> {
  const reference = records.flatMap((r) => r.payloads).find((p) => p.name === 'invoice-document');
  if (!reference) return null;
  const base = { contentType: reference.contentType, sha256: reference.sha256, size: reference.size };
  if (!/^(text\/|application\/json)/.test(reference.contentType))
    return { ...base, text: null, truncated: false };
  store ??= S3EvidenceStore.fromEnvironment();
  const payload = await store.get(reference.key);
  if (!payload || sha256Hex(payload.body) !== reference.sha256)
    throw new Error(`The invoice document ${reference.key} is missing or does not match its SHA-256.`);
  const text = new TextDecoder().decode(payload.body);
  return { ...base, text: text.slice(0, MAX_DOCUMENT_TEXT), truncated: text.length > MAX_DOCUMENT_TEXT };
}
