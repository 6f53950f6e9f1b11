import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import type { EvidenceStore, ObjectVersion } from '#platform/evidence/core/ports.ts';
import { verifyEvidence } from '#platform/evidence/core/verify.ts';

// S3 (versioned, Object Lock) cannot run here: ListObjectVersions answers are recorded in the
// shape the SDK returns them, and the requests the store sends are asserted.
const KEY = 'records/type=decision/dt=2026-12-01/r-0001.json';
const at = (s: string) => new Date(`2026-12-01T10:00:${s}Z`);
const PAGES = [
  {
    IsTruncated: true,
    NextKeyMarker: KEY,
    NextVersionIdMarker: 'v2',
    Versions: [{ Key: KEY, VersionId: 'v2', IsLatest: false, LastModified: at('02') }],
    DeleteMarkers: [{ Key: KEY, VersionId: 'dm1', IsLatest: true, LastModified: at('05') }],
  },
  {
    IsTruncated: false,
    Versions: [
      { Key: KEY, VersionId: 'v1', IsLatest: false, LastModified: at('01') },
      { Key: 'payloads/abc', VersionId: 'p1', IsLatest: true, LastModified: at('01') },
    ],
  },
];

function recordedClient() {
  const sent: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      expect(command.constructor.name).toBe('ListObjectVersionsCommand');
      sent.push(command.input);
      return PAGES[sent.length - 1];
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe('evidence object versions (recorded S3 answers)', () => {
  it('lists every version and delete marker across pages, with the markers S3 asks for', async () => {
    // Prepare
    const { client, sent } = recordedClient();
    const store = new S3EvidenceStore('evidence-bucket', { client, headBeforePut: false });

    // Act
    const versions = await store.listVersions('records/');

    // Assess
    expect(sent).toEqual([
      { Bucket: 'evidence-bucket', Prefix: 'records/' },
      { Bucket: 'evidence-bucket', Prefix: 'records/', KeyMarker: KEY, VersionIdMarker: 'v2' },
    ]);
    expect(versions.map((v) => [v.key, v.versionId, v.deleteMarker])).toEqual([
      [KEY, 'v2', false],
      [KEY, 'dm1', true],
      [KEY, 'v1', false],
      ['payloads/abc', 'p1', false],
    ]);
  });

  it('makes a delete marker and a second version of a record INVALID, naming the versions', async () => {
    // Prepare: an otherwise empty bucket whose version listing is the recorded one.
    const { client } = recordedClient();
    const versions = await new S3EvidenceStore('b', { client, headBeforePut: false }).listVersions(
      'records/',
    );
    const store: EvidenceStore = {
      putNew: async () => 'exists',
      get: async () => undefined,
      list: async () => [],
      listVersions: async (prefix: string): Promise<ObjectVersion[]> =>
        versions.filter((v) => v.key.startsWith(prefix)),
    };

    // Act
    const report = await verifyEvidence(store, {
      checkObjectLock: false,
      checkVersions: true,
      now: () => new Date(),
    });

    // Assess
    const reasons = report.verdicts.find((v) => v.key === KEY)?.reasons ?? [];
    expect(report.versionsChecked).toBe(true);
    expect(reasons).toEqual([
      'deleted: delete marker dm1 hides 2 version(s) of this object',
      'overwritten: 2 versions of a key written once (v2, v1)',
    ]);
    expect(report.verdicts.find((v) => v.key === 'payloads/abc')).toBeUndefined();
  });
});
