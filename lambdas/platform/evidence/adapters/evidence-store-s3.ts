import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { EVIDENCE_BUCKET_ENV, EVIDENCE_HEAD_BEFORE_PUT_ENV, requireEnv } from '#platform/aws/resource-env.ts';
import { s3 } from '#platform/aws/s3-client.ts';
import { TransientStoreError } from '#platform/core/errors.ts';
import type {
  EvidenceStore,
  ListedObject,
  LockStatus,
  ObjectVersion,
  StoredObject,
} from '#platform/evidence/core/ports.ts';

const TRANSIENT = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout']);

export class EvidenceStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvidenceStoreError';
  }
}

/**
 * The evidence bucket behind the EvidenceStore port. Every object is one PUT carrying its
 * SHA-256 checksum (S3 rejects a body that does not match) and `If-None-Match: *` (S3 refuses
 * to replace an existing key).
 */
export class S3EvidenceStore implements EvidenceStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly headBeforePut: boolean;

  constructor(bucket: string, options: { client?: S3Client; headBeforePut?: boolean } = {}) {
    this.bucket = bucket;
    this.client = options.client ?? s3;
    this.headBeforePut = options.headBeforePut ?? process.env[EVIDENCE_HEAD_BEFORE_PUT_ENV] === 'true';
  }

  static fromEnvironment(): S3EvidenceStore {
    return new S3EvidenceStore(requireEnv(EVIDENCE_BUCKET_ENV));
  }

  async putNew(key: string, body: Uint8Array, contentType: string): Promise<'created' | 'exists'> {
    // s3rver ignores If-None-Match on PUT, so locally a HEAD keeps objects create-only (not atomic; AWS is).
    if (this.headBeforePut && (await this.exists(key))) return 'exists';
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
          IfNoneMatch: '*',
        }),
      );
      return 'created';
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (error as { name?: string }).name === 'PreconditionFailed') return 'exists';
      throw wrap(error, `write ${key}`);
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = await out.Body?.transformToByteArray();
      return { body: body ?? new Uint8Array(), ...(out.VersionId ? { versionId: out.VersionId } : {}) };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw wrap(error, `read ${key}`);
    }
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const item of out.Contents ?? []) {
        if (item.Key) {
          objects.push({
            key: item.Key,
            lastModified: item.LastModified ?? new Date(0),
            size: item.Size ?? 0,
          });
        }
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async listVersions(prefix: string): Promise<ObjectVersion[]> {
    const versions: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      let out: ListObjectVersionsCommandOutput;
      try {
        out = await this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
          }),
        );
      } catch (error) {
        throw wrap(error, `list the versions under ${prefix}`);
      }
      for (const [items, deleteMarker] of [
        [out.Versions ?? [], false],
        [out.DeleteMarkers ?? [], true],
      ] as const)
        for (const item of items)
          if (item.Key)
            versions.push({
              key: item.Key,
              versionId: item.VersionId ?? 'null',
              isLatest: item.IsLatest === true,
              deleteMarker,
              lastModified: item.LastModified ?? new Date(0),
            });
      keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
      versionIdMarker = out.IsTruncated ? out.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return versions;
  }

  async lockStatus(key: string, versionId: string | undefined): Promise<LockStatus> {
    try {
      const out = await this.client.send(
        new GetObjectRetentionCommand({
          Bucket: this.bucket,
          Key: key,
          ...(versionId ? { VersionId: versionId } : {}),
        }),
      );
      return {
        ...(out.Retention?.Mode ? { mode: out.Retention.Mode } : {}),
        ...(out.Retention?.RetainUntilDate ? { retainUntil: out.Retention.RetainUntilDate } : {}),
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchObjectLockConfiguration') return {};
      throw wrap(error, `read the retention of ${key}`);
    }
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound') return false;
      throw wrap(error, `check ${key}`);
    }
  }
}

/** Throttling becomes TransientStoreError, so runbooks retry it; anything else fails the step. */
function wrap(error: unknown, what: string): Error {
  const name = (error as { name?: string }).name ?? 'Error';
  if (TRANSIENT.has(name))
    return new TransientStoreError(`Evidence store could not ${what}: ${name}; safe to retry.`, {
      cause: error,
    });
  return new EvidenceStoreError(`Evidence store could not ${what}: ${name}.`, { cause: error });
}
