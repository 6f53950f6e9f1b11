import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_FILES_BUCKET_ENV } from '#platform/aws/resource-env.ts';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { LOCAL_BANK_FILES_BUCKET } from '../../../../local/local-stack.ts';
import { s3ClientFor } from '../../../support/evidence-fixtures.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The adapter against the real local stack's s3rver: the bucket the local stack creates and names in the environment.
let harness: Harness;
let client: S3Client;
beforeAll(async () => {
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '0';
  harness = await startHarness();
  client = s3ClientFor(harness);
});
afterAll(async () => {
  client?.destroy();
  await harness?.stop();
});

const DATE = '2026-12-01';
const PAIN001 = '<?xml version="1.0" encoding="UTF-8"?><Document>payment</Document>';

/** A bucket of its own on the harness's s3rver, so listings see only what the test put there. */
async function freshBankFiles(options: { headBeforePut?: boolean; client?: S3Client } = {}) {
  const bucket = `bank-files-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return new S3BankFiles(bucket, {
    client: options.client ?? client,
    headBeforePut: options.headBeforePut ?? true,
    now: () => new Date(`${DATE}T10:00:00Z`),
  });
}

/** s3rver ignores If-None-Match; this answers a create-only PUT of an existing key with 412, as S3 does. */
function withS3ConditionalWrites(inner: S3Client): S3Client {
  const send = async (command: unknown) => {
    if (command instanceof PutObjectCommand && command.input.IfNoneMatch === '*') {
      const exists = await inner
        .send(new HeadObjectCommand({ Bucket: command.input.Bucket, Key: command.input.Key }))
        .then(
          () => true,
          (error: { name?: string }) => (error.name === 'NotFound' ? false : Promise.reject(error)),
        );
      if (exists) {
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      }
    }
    return inner.send(command as PutObjectCommand);
  };
  return new Proxy(inner, {
    get: (target, property, receiver) =>
      property === 'send' ? send : Reflect.get(target, property, receiver),
  });
}

function refusal(error: unknown): { code?: string; rule?: unknown } {
  if (!(error instanceof TollgateError)) throw error;
  return { code: error.code, rule: error.details?.rule };
}

describe('bank files on the local stack', () => {
  it('puts a payment file into the bucket the local stack names in the environment', async () => {
    // Prepare
    const store = S3BankFiles.fromEnvironment();
    const name = `PAY-${randomUUID().slice(0, 8)}.xml`;

    // Act
    const stored = await store.putOutbound(name, PAIN001, 'application/xml');

    // Assess
    expect(process.env[BANK_FILES_BUCKET_ENV]).toBe(LOCAL_BANK_FILES_BUCKET);
    expect(harness.stack.runtime.bankFilesBucket).toBe(LOCAL_BANK_FILES_BUCKET);
    expect(store.bucket).toBe(LOCAL_BANK_FILES_BUCKET);
    expect(stored.key).toMatch(new RegExp(`^outbound/\\d{4}-\\d{2}-\\d{2}/${name.replace('.', '\\.')}$`));
    expect(stored.bytes).toBe(new TextEncoder().encode(PAIN001).byteLength);
    expect(stored.sha256).toMatch(/^[a-f0-9]{64}$/);
  });
});

describe.each([
  ['HEAD before PUT (s3rver)', { headBeforePut: true }],
  ['If-None-Match answered with 412 (S3)', { headBeforePut: false, conditional: true }],
])('putOutbound, %s', (_mode, mode) => {
  const store = () =>
    freshBankFiles({
      headBeforePut: mode.headBeforePut,
      ...('conditional' in mode ? { client: withS3ConditionalWrites(client) } : {}),
    });

  it('writes outbound/<date>/<name> and returns the SHA-256 and size of the bytes', async () => {
    // Prepare
    const files = await store();

    // Act
    const stored = await files.putOutbound('PAY-1.xml', PAIN001, 'application/xml');

    // Assess
    expect(stored).toEqual({
      key: `outbound/${DATE}/PAY-1.xml`,
      sha256: createHash('sha256').update(PAIN001).digest('hex'),
      bytes: PAIN001.length,
    });
  });

  it('returns the same file for a retried put of the same bytes', async () => {
    // Prepare
    const files = await store();
    const first = await files.putOutbound('PAY-2.xml', PAIN001, 'application/xml');

    // Act
    const retried = await files.putOutbound(
      'PAY-2.xml',
      new TextEncoder().encode(PAIN001),
      'application/xml',
    );

    // Assess
    expect(retried).toEqual(first);
  });

  it('refuses other bytes under a name already written, and keeps the first file', async () => {
    // Prepare
    const files = await store();
    const first = await files.putOutbound('PAY-3.xml', PAIN001, 'application/xml');

    // Act
    const second = await files
      .putOutbound('PAY-3.xml', PAIN001.replace('payment', 'changed'), 'application/xml')
      .catch(refusal);
    const retried = await files.putOutbound('PAY-3.xml', PAIN001, 'application/xml');

    // Assess
    expect(second).toEqual({ code: 'CONFLICT', rule: undefined });
    expect(retried).toEqual(first);
  });
});

describe('bank file names and keys', () => {
  it.each([
    ['../x', 'a path step'],
    ['a/b.xml', 'a slash'],
    ['..', 'only dots'],
    ['.', 'a single dot'],
    ['', 'nothing'],
    ['pay ment.xml', 'a space'],
    ['x'.repeat(121), 'more than 120 characters'],
  ])('refuses to write the name "%s" (%s)', async (name) => {
    // Prepare
    const files = await freshBankFiles();

    // Act
    const outcome = await files.putOutbound(name, PAIN001, 'application/xml').catch(refusal);

    // Assess
    expect(outcome).toEqual({ code: 'BANK_FILE_INVALID', rule: 'FILE_NAME_INVALID' });
    expect(await files.listInbound({ limit: 10 })).toEqual([]);
  });

  it('refuses a date that is not on the calendar', async () => {
    // Prepare
    const files = await freshBankFiles();

    // Act
    const outcome = await files
      .putOutbound('PAY-1.xml', PAIN001, 'application/xml', { date: '2026-02-30' })
      .catch(refusal);

    // Assess
    expect(outcome).toEqual({ code: 'BANK_FILE_INVALID', rule: 'FILE_DATE_INVALID' });
  });

  it.each([
    ['outbound/2026-12-01/PAY-1.xml', 'KEY_OUTSIDE_INBOUND'],
    ['inbound', 'KEY_OUTSIDE_INBOUND'],
    ['Inbound/2026-12-01/a.xml', 'KEY_OUTSIDE_INBOUND'],
    ['inbound/../outbound/2026-12-01/PAY-1.xml', 'KEY_INVALID'],
    ['inbound/2026-12-01/../../secret', 'KEY_INVALID'],
    ['inbound//a.xml', 'KEY_INVALID'],
    ['inbound/', 'KEY_INVALID'],
    ['inbound/a\\b.xml', 'KEY_INVALID'],
  ])('refuses to read the key "%s" (%s)', async (key, rule) => {
    // Prepare
    const files = await freshBankFiles();
    await files.putOutbound('PAY-1.xml', PAIN001, 'application/xml');

    // Act
    const outcome = await files.getInbound(key, 1_000).catch(refusal);

    // Assess
    expect(outcome).toEqual({ code: 'BANK_FILE_INVALID', rule });
  });

  it('refuses to list from a key outside inbound/', async () => {
    // Prepare
    const files = await freshBankFiles();

    // Act
    const outcome = await files.listInbound({ afterKey: 'outbound/', limit: 10 }).catch(refusal);

    // Assess
    expect(outcome).toEqual({ code: 'BANK_FILE_INVALID', rule: 'KEY_OUTSIDE_INBOUND' });
  });
});

describe('inbound bank answers', () => {
  it('reads back what the bank simulator delivered, byte for byte', async () => {
    // Prepare
    const files = await freshBankFiles();
    const camt = new Uint8Array([0x3c, 0x44, 0x6f, 0x63, 0xe2, 0x82, 0xac, 0x3e]);
    const { key } = await files.putInbound('statement-1.xml', camt, 'application/xml');

    // Act
    const body = await files.getInbound(key, camt.byteLength);

    // Assess
    expect(key).toBe(`inbound/${DATE}/statement-1.xml`);
    expect(body).toEqual(camt);
  });

  it('refuses a file larger than the bound, and reads it under a larger one', async () => {
    // Prepare
    const files = await freshBankFiles();
    const { key, bytes } = await files.putInbound('status-1.xml', 'x'.repeat(2_048), 'application/xml');

    // Act
    const refused = await files.getInbound(key, bytes - 1).catch(refusal);
    const read = await files.getInbound(key, bytes);

    // Assess
    expect(refused).toEqual({ code: 'BANK_FILE_INVALID', rule: 'FILE_TOO_LARGE' });
    expect(read.byteLength).toBe(2_048);
  });

  it('answers NOT_FOUND for a key the bank never delivered', async () => {
    // Prepare
    const files = await freshBankFiles();

    // Act
    const outcome = await files.getInbound(`inbound/${DATE}/missing.xml`, 1_000).catch(refusal);

    // Assess
    expect(outcome).toEqual({ code: 'NOT_FOUND', rule: undefined });
  });

  it('lists inbound/ only, at most `limit` at a time, and pages on with afterKey', async () => {
    // Prepare
    const files = await freshBankFiles();
    await files.putOutbound('PAY-1.xml', PAIN001, 'application/xml');
    const delivered: string[] = [];
    for (let i = 1; i <= 5; i++)
      delivered.push((await files.putInbound(`status-${i}.xml`, `<s>${i}</s>`, 'application/xml')).key);

    // Act
    const pages: string[][] = [];
    let afterKey: string | undefined;
    for (let page = 0; page < 10; page++) {
      const listed = await files.listInbound({ limit: 2, ...(afterKey ? { afterKey } : {}) });
      if (listed.length === 0) break;
      pages.push(listed.map((file) => file.key));
      afterKey = listed.at(-1)?.key;
    }
    const first = await files.listInbound({ limit: 1 });

    // Assess
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(delivered);
    expect(first).toEqual([{ key: delivered[0], size: '<s>1</s>'.length, etag: expect.any(String) }]);
    expect(first[0]?.etag).not.toMatch(/"/);
  });

  it.each([0, -1, 1.5, 1_001])('refuses the listing bound %s', async (limit) => {
    // Prepare
    const files = await freshBankFiles();

    // Act
    const outcome = files.listInbound({ limit });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(RangeError);
  });
});
