import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DirectoryEvidenceStore,
  requireEvidenceCopy,
} from '#platform/evidence/adapters/evidence-store-directory.ts';

// The downloaded-copy adapter: keys are paths, times come from the evidence, nothing leaves the folder.
const root = mkdtempSync(join(tmpdir(), 'tollgate-copy-'));
const outside = mkdtempSync(join(tmpdir(), 'tollgate-outside-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function put(key: string, body: string) {
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), body);
}

const early = 'records/type=decision/dt=2026-12-01/early.json';
const late = 'records/type=action/dt=2026-12-02/late.json';
put(
  early,
  JSON.stringify({ timestamp: '2026-12-01T10:00:00.000Z', payloads: [{ key: 'payloads/dt=2026-12-01/aa' }] }),
);
put(
  late,
  JSON.stringify({
    timestamp: '2026-12-02T09:30:00.000Z',
    payloads: [{ key: 'payloads/dt=2026-12-01/aa' }, { key: 'payloads/dt=2026-12-02/bb' }],
  }),
);
put('records/type=action/dt=2026-12-02/broken.json', '{not json');
put('payloads/dt=2026-12-01/aa', 'payload a');
put('payloads/dt=2026-12-02/bb', 'payload b');
put('payloads/dt=2026-12-02/cc', 'nobody references me');
put('digests/0000000001.json', '{}');
put('digests/public-keys/k.pem', 'pem');
writeFileSync(join(outside, 'secret'), 'outside the copy');
symlinkSync(join(outside, 'secret'), join(root, 'payloads/dt=2026-12-02/dd'));

describe('DirectoryEvidenceStore', () => {
  const store = new DirectoryEvidenceStore(root);

  it('lists keys under a prefix in S3 order with their sizes', async () => {
    // Act
    const listed = await store.list('digests/');

    // Assess
    expect(listed.map((o) => [o.key, o.size])).toEqual([
      ['digests/0000000001.json', 2],
      ['digests/public-keys/k.pem', 3],
    ]);
  });

  it("dates a record by its own timestamp, not the download's file time", async () => {
    // Act
    const listed = await store.list('records/');

    // Assess
    expect(Object.fromEntries(listed.map((o) => [o.key, o.lastModified.toISOString()]))).toEqual({
      'records/type=action/dt=2026-12-02/broken.json': '1970-01-01T00:00:00.000Z',
      [late]: '2026-12-02T09:30:00.000Z',
      [early]: '2026-12-01T10:00:00.000Z',
    });
  });

  it('dates a payload by the newest record that references it; an unreferenced one by the epoch', async () => {
    // Act
    const listed = await store.list('payloads/');

    // Assess
    expect(Object.fromEntries(listed.map((o) => [o.key, o.lastModified.toISOString()]))).toEqual({
      'payloads/dt=2026-12-01/aa': '2026-12-02T09:30:00.000Z',
      'payloads/dt=2026-12-02/bb': '2026-12-02T09:30:00.000Z',
      'payloads/dt=2026-12-02/cc': '1970-01-01T00:00:00.000Z',
      'payloads/dt=2026-12-02/dd': '1970-01-01T00:00:00.000Z',
    });
  });

  it('reads an object by key, and answers undefined for a missing one', async () => {
    // Act + Assess
    expect(new TextDecoder().decode((await store.get('payloads/dt=2026-12-01/aa'))?.body)).toBe('payload a');
    expect(await store.get('payloads/dt=2026-12-01/zz')).toBeUndefined();
  });

  it('does not follow a symbolic link planted in the copy', async () => {
    // Act + Assess
    expect(await store.get('payloads/dt=2026-12-02/dd')).toBeUndefined();
  });

  it.each(['../secret', 'payloads/../../secret', '/etc/passwd', 'payloads//aa', 'payloads\\..\\x'])(
    'refuses the key %s, which would leave the folder',
    async (key) => {
      // Act + Assess
      await expect(store.get(key)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );

  it('is read-only', async () => {
    // Act + Assess
    await expect(store.putNew('records/x.json', new Uint8Array(), 'application/json')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('requireEvidenceCopy refuses what is not a folder', async () => {
    // Act + Assess
    await expect(requireEvidenceCopy(join(root, 'digests/0000000001.json'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(requireEvidenceCopy(join(root, 'absent'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
