import { TollgateError, TransientStoreError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import type { ClaimedEvent, EvidenceChainStore, EvidenceStore } from './ports.ts';
import {
  contentHashOf,
  type EvidenceInput,
  type EvidenceReceipt,
  GENESIS_HASH,
  type PayloadReference,
  payloadBytes,
  payloadKey,
  RECORD_SCHEMA_VERSION,
  recordBytes,
  recordIdFor,
  recordKey,
  sealRecord,
  validateInput,
} from './records.ts';

export interface EvidenceWriter {
  append(input: EvidenceInput): Promise<EvidenceReceipt>;
}

/** A record must fit in its claim item in the work table (400 KB); bulk goes into payloads. */
export const MAX_RECORD_BYTES = 300_000;
const MAX_CLAIM_ATTEMPTS = 8;

export interface ChainedEvidenceWriterDeps {
  readonly store: EvidenceStore;
  readonly chain: EvidenceChainStore;
  readonly now: () => Date;
}

/**
 * Appends records to a per-execution hash chain. The chain position is decided first, by a
 * conditional transaction on the chain head (claim), and the objects are written after it:
 * two concurrent steps cannot take the same position, and a retried step finds its claimed
 * event and writes the identical bytes again instead of a second record.
 */
export class ChainedEvidenceWriter implements EvidenceWriter {
  private readonly deps: ChainedEvidenceWriterDeps;

  constructor(deps: ChainedEvidenceWriterDeps) {
    this.deps = deps;
  }

  async append(input: EvidenceInput): Promise<EvidenceReceipt> {
    validateInput(input);
    const contentHash = contentHashOf(input);
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const existing = await this.deps.chain.findEvent(input.executionId, input.eventKey);
      if (existing) {
        if (existing.record.contentHash !== contentHash) {
          throw new TollgateError(
            'CONFLICT',
            `Evidence for event "${input.eventKey}" of execution ${input.executionId} was already written with different content; a retried step must record the same event, or use a new eventKey for a new event.`,
            { recordId: existing.record.recordId },
          );
        }
        await this.persist(existing, input);
        return receiptOf(existing);
      }
      const head = await this.deps.chain.head(input.executionId);
      const event = this.build(input, contentHash, head);
      if ((await this.deps.chain.claim(event, head?.sequence ?? 0)) === 'conflict') continue;
      await this.persist(event, input);
      return receiptOf(event);
    }
    throw new TransientStoreError(
      `Evidence chain of execution ${input.executionId} kept moving during ${MAX_CLAIM_ATTEMPTS} attempts; safe to retry.`,
    );
  }

  private build(
    input: EvidenceInput,
    contentHash: string,
    head: { sequence: number; hash: string } | undefined,
  ): ClaimedEvent {
    const timestamp = this.deps.now().toISOString();
    const sequence = (head?.sequence ?? 0) + 1;
    const recordId = recordIdFor(timestamp, input.executionId, sequence);
    const payloads: PayloadReference[] = (input.payloads ?? []).map((p) => {
      const bytes = payloadBytes(p.body);
      const sha256 = sha256Hex(bytes);
      return {
        name: p.name,
        contentType: p.contentType,
        sha256,
        size: bytes.byteLength,
        key: payloadKey(timestamp, sha256),
      };
    });
    const record = sealRecord({
      schemaVersion: RECORD_SCHEMA_VERSION,
      recordId,
      recordType: input.recordType,
      runbook: input.runbook,
      runbookVersion: input.runbookVersion,
      executionId: input.executionId,
      eventKey: input.eventKey,
      sequence,
      actor: input.actor,
      timestamp,
      business: input.business ?? {},
      details: input.details,
      payloads,
      contentHash,
      prevHash: head?.hash ?? GENESIS_HASH,
    });
    if (recordBytes(record).byteLength > MAX_RECORD_BYTES) {
      throw new TollgateError(
        'VALIDATION_FAILED',
        `Evidence record for "${input.eventKey}" is over ${MAX_RECORD_BYTES} bytes; pass large inputs and outputs as payloads.`,
      );
    }
    return { record, key: recordKey(record.recordType, timestamp, recordId) };
  }

  /** Payloads first, so a record never points at a payload that is not there. */
  private async persist(event: ClaimedEvent, input: EvidenceInput): Promise<void> {
    const bodies = new Map((input.payloads ?? []).map((p) => [sha256Hex(payloadBytes(p.body)), p]));
    for (const ref of event.record.payloads) {
      const payload = bodies.get(ref.sha256);
      if (!payload) throw new Error(`Payload ${ref.name} of ${event.record.recordId} was not supplied.`);
      await this.putOnce(ref.key, payloadBytes(payload.body), ref.contentType);
    }
    await this.putOnce(event.key, recordBytes(event.record), 'application/json');
  }

  private async putOnce(key: string, body: Uint8Array, contentType: string): Promise<void> {
    if ((await this.deps.store.putNew(key, body, contentType)) === 'created') return;
    const stored = await this.deps.store.get(key);
    if (!stored || sha256Hex(stored.body) !== sha256Hex(body)) {
      throw new Error(`Evidence object ${key} already exists with other content; refusing to continue.`);
    }
  }
}

function receiptOf(event: ClaimedEvent): EvidenceReceipt {
  return {
    recordId: event.record.recordId,
    key: event.key,
    hash: event.record.hash,
    prevHash: event.record.prevHash,
  };
}
