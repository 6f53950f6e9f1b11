import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BANK_FILES_HEAD_BEFORE_PUT_ENV, bankFilesBucketName } from '#platform/aws/resource-env.ts';
import { s3 } from '#platform/aws/s3-client.ts';
import {
  assertInboundKey,
  type BankFileDirection,
  bankFileKey,
  bankFileRefused,
  INBOUND_PREFIX,
  isBankFileName,
  OUTBOUND_PREFIX,
} from '#platform/bank/core/bank-file-keys.ts';
import type { BankFileStore, InboundBankFile, StoredBankFile } from '#platform/bank/core/ports.ts';
import { TollgateError, TransientStoreError } from '#platform/core/errors.ts';

/** One list page: S3 never returns more. */
export const MAX_LIST_LIMIT = 1000;
/** Largest file Tollgate writes: a payment file of many thousand credits is a few MB; anything near this is a bug. */
export const MAX_PUT_BYTES = 64 * 1024 * 1024;

const TRANSIENT = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  // Two concurrent conditional PUTs of the same key: the retry sees the winner.
  'ConditionalRequestConflict',
]);

export class BankFileStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BankFileStoreError';
  }
}

export interface S3BankFilesOptions {
  /** @default the process's S3 client */
  readonly client?: S3Client;
  /**
   * Check with a HEAD before each PUT, for endpoints that ignore `If-None-Match: *` (s3rver).
   * @default BANK_FILES_HEAD_BEFORE_PUT_ENV is 'true'
   */
  readonly headBeforePut?: boolean;
  /**
   * Clock that dates the keys of new files.
   * @default the system clock
   */
  readonly now?: () => Date;
}

/**
 * The bank-files bucket behind the BankFileStore port. A file is written once: one PUT with
 * its SHA-256 (S3 rejects a body that does not match) and `If-None-Match: *` (S3 refuses to
 * replace an existing key), so a payment file the bank may already have collected never changes.
 */
export class S3BankFiles implements BankFileStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly headBeforePut: boolean;
  private readonly now: () => Date;

  constructor(bucket: string, options: S3BankFilesOptions = {}) {
    this.bucket = bucket;
    this.client = options.client ?? s3;
    this.headBeforePut = options.headBeforePut ?? process.env[BANK_FILES_HEAD_BEFORE_PUT_ENV] === 'true';
    this.now = options.now ?? (() => new Date());
  }

  static fromEnvironment(): S3BankFiles {
    return new S3BankFiles(bankFilesBucketName());
  }

  /**
   * Writes a payment file under `outbound/<date>/<name>`, `date` defaulting to today (UTC). A
   * step that may be retried after midnight passes its run's date, so the retry finds its own file.
   */
  putOutbound(
    name: string,
    body: string | Uint8Array,
    contentType: string,
    options: { date?: string } = {},
  ): Promise<StoredBankFile> {
    return this.putNew(OUTBOUND_PREFIX, name, body, contentType, options.date);
  }

  /**
   * Writes a bank answer under `inbound/<date>/<name>`, for the local bank simulator (the CLI)
   * only. In AWS the bank connector delivers `inbound/`; no function is granted to write it.
   */
  putInbound(
    name: string,
    body: string | Uint8Array,
    contentType: string,
    options: { date?: string } = {},
  ): Promise<StoredBankFile> {
    return this.putNew(INBOUND_PREFIX, name, body, contentType, options.date);
  }

  async listInbound(options: { afterKey?: string; limit: number }): Promise<InboundBankFile[]> {
    return this.listUnder(INBOUND_PREFIX, options);
  }

  async getInbound(key: string, maxBytes: number): Promise<Uint8Array> {
    return this.getUnder(INBOUND_PREFIX, key, maxBytes, INBOUND_TOO_LARGE);
  }

  /**
   * At most `limit` payment files under `outbound/`, in key order, after `afterKey` when given:
   * what the local bank simulator reads to answer. In AWS the bank connector collects them.
   */
  async listOutbound(options: { afterKey?: string; limit: number }): Promise<InboundBankFile[]> {
    return this.listUnder(OUTBOUND_PREFIX, options);
  }

  /** The bytes of one payment file under `outbound/`, refused when larger than `maxBytes`. */
  async getOutbound(key: string, maxBytes: number): Promise<Uint8Array> {
    return this.getUnder(OUTBOUND_PREFIX, key, maxBytes, OUTBOUND_TOO_LARGE);
  }

  private async listUnder(
    prefix: BankFileDirection,
    options: { afterKey?: string; limit: number },
  ): Promise<InboundBankFile[]> {
    const { afterKey, limit } = options;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, not ${limit}.`);
    if (afterKey !== undefined && !afterKey.startsWith(prefix)) {
      throw bankFileRefused(
        prefix === INBOUND_PREFIX ? 'KEY_OUTSIDE_INBOUND' : 'KEY_OUTSIDE_OUTBOUND',
        `afterKey "${afterKey.slice(0, 200)}" is not under ${prefix}: pass the last key of the previous page.`,
      );
    }
    try {
      // ListObjects with Marker: paging is by key, so no continuation token is needed (s3rver cannot mint v2 tokens on Node >= 17).
      const out = await this.client.send(
        new ListObjectsCommand({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: limit,
          ...(afterKey ? { Marker: afterKey } : {}),
        }),
      );
      // Sliced as well: the bound holds even if an endpoint returns more than MaxKeys.
      return (out.Contents ?? [])
        .slice(0, limit)
        .flatMap((item) =>
          item.Key
            ? [{ key: item.Key, size: item.Size ?? 0, etag: (item.ETag ?? '').replace(/^"|"$/g, '') }]
            : [],
        );
    } catch (error) {
      throw wrap(error, `list ${prefix}`);
    }
  }

  private async getUnder(
    prefix: BankFileDirection,
    key: string,
    maxBytes: number,
    whenTooLarge: string,
  ): Promise<Uint8Array> {
    if (!Number.isInteger(maxBytes) || maxBytes < 0)
      throw new RangeError(`maxBytes must be a non-negative integer, not ${maxBytes}.`);
    if (prefix === INBOUND_PREFIX) assertInboundKey(key);
    else assertOutboundKey(key);
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey')
        throw new TollgateError('NOT_FOUND', `No bank file at ${key}: list ${prefix} for the current keys.`);
      throw wrap(error, `read ${key}`);
    }
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      // Stop the download: the size alone decides.
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw tooLarge(key, out.ContentLength, maxBytes, whenTooLarge);
    }
    const body = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
    // Checked again on the bytes read, in case the endpoint sent no length.
    if (body.byteLength > maxBytes) throw tooLarge(key, body.byteLength, maxBytes, whenTooLarge);
    return body;
  }

  private async putNew(
    direction: BankFileDirection,
    name: string,
    body: string | Uint8Array,
    contentType: string,
    date: string | undefined,
  ): Promise<StoredBankFile> {
    const key = bankFileKey(direction, name, date ?? this.now().toISOString().slice(0, 10));
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    if (bytes.byteLength > MAX_PUT_BYTES)
      throw tooLarge(key, bytes.byteLength, MAX_PUT_BYTES, 'split the payment run into smaller files.');
    const digest = createHash('sha256').update(bytes).digest();
    const stored: StoredBankFile = { key, sha256: digest.toString('hex'), bytes: bytes.byteLength };

    // s3rver ignores If-None-Match on PUT, so locally a HEAD keeps files create-only (not atomic; AWS is).
    if (this.headBeforePut) {
      const existing = await this.storedSha256(key);
      if (existing !== undefined) return replayed(stored, existing);
    }
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ChecksumSHA256: digest.toString('base64'),
          // Kept beside S3's checksum for endpoints that do not store one (s3rver).
          Metadata: { sha256: stored.sha256 },
          IfNoneMatch: '*',
        }),
      );
      return stored;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 412 && (error as { name?: string }).name !== 'PreconditionFailed')
        throw wrap(error, `write ${key}`);
    }
    const existing = await this.storedSha256(key);
    if (existing === undefined)
      throw new TransientStoreError(`Bank file ${key} was reported present but is not; safe to retry.`);
    return replayed(stored, existing);
  }

  /** SHA-256 (hex) of the object at `key`, '' when it carries none, undefined when there is no object. */
  private async storedSha256(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      if (out.ChecksumSHA256 && out.ChecksumType !== 'COMPOSITE')
        return Buffer.from(out.ChecksumSHA256, 'base64').toString('hex');
      return out.Metadata?.sha256 ?? '';
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound') return undefined;
      throw wrap(error, `check ${key}`);
    }
  }
}

/** Same key and bytes: the earlier attempt's file. Same key, other bytes: never replaced. */
function replayed(stored: StoredBankFile, existingSha256: string): StoredBankFile {
  if (existingSha256 === stored.sha256) return stored;
  throw new TollgateError(
    'CONFLICT',
    `A different bank file already exists at ${stored.key}; files are never replaced. Give the new file another name.`,
    { key: stored.key },
  );
}

const INBOUND_TOO_LARGE = 'check with the bank what was delivered.';
const OUTBOUND_TOO_LARGE = 'check how the payment file was written.';
/** S3's own limit on key length. */
const MAX_KEY_LENGTH = 1024;

/** Refuses a key outside `outbound/` or with a segment that is not a plain file name. */
function assertOutboundKey(key: string): void {
  const segments = key.startsWith(OUTBOUND_PREFIX) ? key.slice(OUTBOUND_PREFIX.length).split('/') : [];
  if (key.length > MAX_KEY_LENGTH || segments.length === 0 || !segments.every(isBankFileName)) {
    throw bankFileRefused(
      'KEY_INVALID',
      `Key "${key.slice(0, 200)}" is not a plain path under ${OUTBOUND_PREFIX}: each segment is 1 to 120 letters, digits, ".", "_" or "-", and none is "." or "..".`,
    );
  }
}

function tooLarge(key: string, bytes: number, maxBytes: number, what: string): TollgateError {
  return bankFileRefused(
    'FILE_TOO_LARGE',
    `Bank file ${key} is ${bytes} bytes, more than the ${maxBytes} allowed: ${what}`,
    { key, bytes, maxBytes },
  );
}

/** Throttling becomes TransientStoreError, so runbooks retry it; anything else fails the step. */
function wrap(error: unknown, what: string): Error {
  const name = (error as { name?: string }).name ?? 'Error';
  if (TRANSIENT.has(name))
    return new TransientStoreError(`Bank-files store could not ${what}: ${name}; safe to retry.`, {
      cause: error,
    });
  return new BankFileStoreError(`Bank-files store could not ${what}: ${name}.`, { cause: error });
}
