import type { EvidenceRecord } from './records.ts';

/** Port: the evidence bucket (S3 in AWS, s3rver locally). */
export interface EvidenceStore {
  /** Creates the object; answers 'exists' when one is already at the key, and never overwrites. */
  putNew(key: string, body: Uint8Array, contentType: string): Promise<'created' | 'exists'>;
  get(key: string): Promise<StoredObject | undefined>;
  list(prefix: string): Promise<ListedObject[]>;
  /**
   * Every version and delete marker under the prefix, where the store keeps versions (S3); a
   * delete marker or a second version of an evidence key is tampering that ListObjectsV2 cannot see.
   */
  listVersions?(prefix: string): Promise<ObjectVersion[]>;
  /** Object Lock state of one object version; undefined where the store has no Object Lock (s3rver). */
  lockStatus?(key: string, versionId: string | undefined): Promise<LockStatus>;
}

export interface StoredObject {
  readonly body: Uint8Array;
  readonly versionId?: string;
}

export interface ListedObject {
  readonly key: string;
  readonly lastModified: Date;
  readonly size: number;
}

export interface ObjectVersion {
  readonly key: string;
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
  readonly lastModified: Date;
}

export interface LockStatus {
  readonly mode?: string;
  readonly retainUntil?: Date;
}

/** Where an execution's chain ends, as the table that orders it holds it. */
export interface ChainHead {
  readonly executionId: string;
  readonly sequence: number;
  readonly hash: string;
}

export interface ClaimedEvent {
  readonly record: EvidenceRecord;
  readonly key: string;
}

/** Port: the per-execution chain head and the events claimed on it (the work table). */
export interface EvidenceChainStore {
  findEvent(executionId: string, eventKey: string): Promise<ClaimedEvent | undefined>;
  head(executionId: string): Promise<{ readonly sequence: number; readonly hash: string } | undefined>;
  /**
   * In one transaction: claims the event and moves the head from `expectedSequence` to the
   * record. 'conflict' when the event was claimed or the head moved meanwhile.
   */
  claim(event: ClaimedEvent, expectedSequence: number): Promise<'claimed' | 'conflict'>;
}

/** Port: signs digests (KMS asymmetric key in AWS, a local key pair in local mode). */
export interface DigestSigner {
  readonly keyId: string;
  readonly algorithm: 'ECDSA_SHA_256' | 'RSASSA_PSS_SHA_256';
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** SPKI public key, PEM. */
  publicKeyPem(): Promise<string>;
}
