import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TollgateError } from '#platform/core/errors.ts';
import type { EvidenceStore, ListedObject, StoredObject } from '#platform/evidence/core/ports.ts';
import { PAYLOADS_PREFIX, RECORDS_PREFIX } from '#platform/evidence/core/records.ts';

const UNKNOWN_TIME = new Date(0);

/**
 * A downloaded copy of the evidence bucket behind the EvidenceStore port, read-only: the layout
 * `aws s3 cp --recursive s3://bucket ./evidence` writes, each key a path under the folder.
 *
 * A download's file times say when it was copied, not when the object was written, so
 * `lastModified` comes from the evidence itself: a record's own `timestamp`; a payload's, the
 * newest timestamp of the records that reference it; anything else (and an unreadable record or
 * an unreferenced payload) the epoch, which verify treats as older than any digest. Anything that
 * is not a regular file (a symbolic link, a device) is listed but cannot be read, so verify flags it.
 */
export class DirectoryEvidenceStore implements EvidenceStore {
  readonly root: string;
  private recordTimes: Promise<Map<string, Date>> | undefined;
  private payloadTimes: Promise<Map<string, Date>> | undefined;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async putNew(key: string, _body: Uint8Array, _contentType: string): Promise<'created' | 'exists'> {
    throw new TollgateError(
      'FORBIDDEN',
      `${this.root} is a downloaded copy of the evidence, read-only; cannot write ${key}.`,
    );
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const file = this.fileOf(key);
    try {
      if (!(await lstat(file)).isFile()) return undefined;
      return { body: new Uint8Array(await readFile(file)) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const keys = (await this.keysUnder(prefix)).filter((k) => k.key.startsWith(prefix));
    const times = prefix.startsWith(PAYLOADS_PREFIX)
      ? await this.payloadTimesOnce()
      : prefix.startsWith(RECORDS_PREFIX)
        ? await this.recordTimesOnce()
        : undefined;
    return keys.map(({ key, size }) => ({ key, size, lastModified: times?.get(key) ?? UNKNOWN_TIME }));
  }

  /** The file of a key; a key that would leave the folder is refused. */
  private fileOf(key: string): string {
    const parts = key.split('/');
    if (key.startsWith('/') || key.includes('\\') || parts.some((p) => p === '..' || p === '.' || p === '')) {
      throw new TollgateError('VALIDATION_FAILED', `"${key}" is not an evidence key inside ${this.root}.`);
    }
    return join(this.root, ...parts);
  }

  /** Every file below the folder of the prefix, as keys in S3's order (UTF-8 bytes). */
  private async keysUnder(prefix: string): Promise<{ key: string; size: number }[]> {
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const found: { key: string; size: number }[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const key = `${keyPrefix}${entry.name}`;
        if (entry.isDirectory()) await walk(join(dir, entry.name), `${key}/`);
        else {
          const size = entry.isFile() ? (await lstat(join(dir, entry.name))).size : 0;
          found.push({ key, size });
        }
      }
    };
    await walk(folder ? join(this.root, ...folder.split('/').filter(Boolean)) : this.root, folder);
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  private recordTimesOnce(): Promise<Map<string, Date>> {
    this.recordTimes ??= this.readRecords().then((records) => {
      const times = new Map<string, Date>();
      for (const { key, timestamp } of records) if (timestamp) times.set(key, timestamp);
      return times;
    });
    return this.recordTimes;
  }

  private payloadTimesOnce(): Promise<Map<string, Date>> {
    this.payloadTimes ??= this.readRecords().then((records) => {
      const times = new Map<string, Date>();
      for (const { timestamp, payloadKeys } of records) {
        if (!timestamp) continue;
        for (const key of payloadKeys) {
          const known = times.get(key);
          if (!known || known < timestamp) times.set(key, timestamp);
        }
      }
      return times;
    });
    return this.payloadTimes;
  }

  /** Each record's own timestamp and the payloads it references; what does not parse has neither. */
  private async readRecords(): Promise<{ key: string; timestamp?: Date; payloadKeys: string[] }[]> {
    const out: { key: string; timestamp?: Date; payloadKeys: string[] }[] = [];
    for (const { key } of await this.keysUnder(RECORDS_PREFIX)) {
      const stored = await this.get(key);
      let parsed: { timestamp?: unknown; payloads?: unknown } | undefined;
      try {
        parsed = stored ? JSON.parse(new TextDecoder().decode(stored.body)) : undefined;
      } catch {
        parsed = undefined;
      }
      const time = typeof parsed?.timestamp === 'string' ? new Date(parsed.timestamp) : undefined;
      const payloadKeys = Array.isArray(parsed?.payloads)
        ? parsed.payloads
            .map((p: unknown) => (p as { key?: unknown } | null)?.key)
            .filter((k): k is string => typeof k === 'string')
        : [];
      out.push({
        key,
        ...(time && !Number.isNaN(time.getTime()) ? { timestamp: time } : {}),
        payloadKeys,
      });
    }
    return out;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Throws unless `dir` is a folder (the root of a downloaded copy). */
export async function requireEvidenceCopy(dir: string): Promise<DirectoryEvidenceStore> {
  const root = resolve(dir);
  const stat = await lstat(root).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new TollgateError(
      'NOT_FOUND',
      `${root} is not a folder. Download the bucket first: aws s3 cp --recursive s3://BUCKET ${dir}`,
    );
  }
  return new DirectoryEvidenceStore(root);
}
