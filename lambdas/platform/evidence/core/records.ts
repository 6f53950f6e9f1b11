import { canonicalJson } from '#platform/core/canonical-json.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { hashOf, sha256Hex } from '#platform/core/hashing.ts';

/**
 * Evidence records: one canonical-JSON object per event a runbook step leaves, hash-chained
 * per execution. The record's `hash` is SHA-256 over its canonical JSON without `hash`, and
 * `prevHash` is the `hash` of the execution's previous record (GENESIS_HASH for the first).
 */
export const RECORD_TYPES = [
  'model_call',
  'rule_result',
  'decision',
  'approval',
  'action',
  'escalation',
  'config_change',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const GENESIS_HASH = '0'.repeat(64);
export const RECORD_SCHEMA_VERSION = 1;
export const RECORDS_PREFIX = 'records/';
export const PAYLOADS_PREFIX = 'payloads/';

export interface EvidenceActor {
  readonly kind: 'agent' | 'person' | 'system';
  readonly id: string;
  readonly role?: string;
}

/** The fields auditors filter on; amounts are decimal strings, never numbers. */
export interface EvidenceBusiness {
  readonly vendorId?: string;
  readonly vendorName?: string;
  readonly invoiceNumber?: string;
  /** The invoice's own date (YYYY-MM-DD): the business date exports can filter by besides the record date. */
  readonly invoiceDate?: string;
  readonly amount?: string;
  readonly currency?: string;
  readonly decision?: string;
  readonly reasonCodes?: readonly string[];
}

export interface EvidencePayload {
  readonly name: string;
  readonly contentType: string;
  readonly body: Uint8Array | string;
}

export interface EvidenceInput {
  readonly recordType: RecordType;
  readonly runbook: string;
  readonly runbookVersion: string;
  readonly executionId: string;
  /** Unique per event within the execution (e.g. "ExtractInvoice/model_call"); a retried step reuses it. */
  readonly eventKey: string;
  readonly actor: EvidenceActor;
  readonly business?: EvidenceBusiness;
  readonly details: Record<string, unknown>;
  /** Large inputs/outputs, stored content-addressed beside the record and referenced by hash. */
  readonly payloads?: readonly EvidencePayload[];
}

export interface EvidenceReceipt {
  readonly recordId: string;
  readonly key: string;
  readonly hash: string;
  readonly prevHash: string;
}

export interface PayloadReference {
  readonly name: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly size: number;
  readonly key: string;
}

export interface EvidenceRecord {
  readonly schemaVersion: number;
  readonly recordId: string;
  readonly recordType: RecordType;
  readonly runbook: string;
  readonly runbookVersion: string;
  readonly executionId: string;
  readonly eventKey: string;
  /** Position in the execution's chain, from 1. */
  readonly sequence: number;
  readonly actor: EvidenceActor;
  readonly timestamp: string;
  readonly business: EvidenceBusiness;
  readonly details: Record<string, unknown>;
  readonly payloads: readonly PayloadReference[];
  /** Hash of the event's content (everything the caller chose), which makes a retry recognisable. */
  readonly contentHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

export type UnsealedRecord = Omit<EvidenceRecord, 'hash'>;

export function sealRecord(record: UnsealedRecord): EvidenceRecord {
  return { ...record, hash: recordHash(record) };
}

export function recordHash(record: UnsealedRecord | EvidenceRecord): string {
  const { hash: _ignored, ...unsealed } = record as EvidenceRecord;
  return hashOf(unsealed);
}

/** The bytes stored in S3: canonical JSON on one line, so Athena and DuckDB read it as JSON lines. */
export function recordBytes(record: EvidenceRecord): Uint8Array {
  return new TextEncoder().encode(canonicalJson(record));
}

export function payloadBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/** `2026-11-22T10:15:30.123Z` → `2026-11-22`. */
export function partitionDate(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** Sortable by time, then by execution and position: `20261122T101530123Z-<exec12>-000003`. */
export function recordIdFor(timestamp: string, executionId: string, sequence: number): string {
  const compact = timestamp.replace(/[-:.]/g, '');
  return `${compact}-${sha256Hex(executionId).slice(0, 12)}-${String(sequence).padStart(6, '0')}`;
}

export function recordKey(recordType: RecordType, timestamp: string, recordId: string): string {
  return `${RECORDS_PREFIX}type=${recordType}/dt=${partitionDate(timestamp)}/${recordId}.json`;
}

export function payloadKey(timestamp: string, sha256: string): string {
  return `${PAYLOADS_PREFIX}dt=${partitionDate(timestamp)}/${sha256}`;
}

/** What makes two appends "the same event": everything the caller supplied, payloads by hash. */
export function contentHashOf(input: EvidenceInput): string {
  return hashOf({
    recordType: input.recordType,
    runbook: input.runbook,
    runbookVersion: input.runbookVersion,
    executionId: input.executionId,
    eventKey: input.eventKey,
    actor: input.actor,
    business: input.business ?? {},
    details: input.details,
    payloads: (input.payloads ?? []).map((p) => ({
      name: p.name,
      contentType: p.contentType,
      sha256: sha256Hex(payloadBytes(p.body)),
    })),
  });
}

const EVENT_KEY = /^[A-Za-z0-9._:/#@-]{1,200}$/;
const AMOUNT = /^-?\d+(\.\d+)?$/;

export function validateInput(input: EvidenceInput): void {
  const problems: string[] = [];
  if (!(RECORD_TYPES as readonly string[]).includes(input.recordType))
    problems.push(`recordType must be one of ${RECORD_TYPES.join(', ')}`);
  if (!input.runbook) problems.push('runbook is required');
  if (!/^[a-f0-9]{64}$/.test(input.runbookVersion)) problems.push('runbookVersion must be a SHA-256 hex');
  if (!input.executionId) problems.push('executionId is required');
  if (!EVENT_KEY.test(input.eventKey))
    problems.push('eventKey must be 1–200 characters of letters, digits and . _ : / # @ -');
  if (!['agent', 'person', 'system'].includes(input.actor?.kind) || !input.actor.id)
    problems.push('actor needs a kind (agent, person or system) and an id');
  const amount = input.business?.amount;
  if (amount !== undefined && !AMOUNT.test(amount))
    problems.push('business.amount must be a decimal string like "1234.50"');
  if (amount !== undefined && !input.business?.currency)
    problems.push('business.currency is required with an amount');
  if (problems.length > 0) {
    throw new TollgateError('VALIDATION_FAILED', `Evidence record refused: ${problems.join('; ')}.`);
  }
}
