import { readFileSync } from 'node:fs';
import { TollgateError } from '#platform/core/errors.ts';
import { requireEvidenceCopy } from '#platform/evidence/adapters/evidence-store-directory.ts';
import { keyIdOf } from '#platform/evidence/core/digests.ts';
import type { EvidenceStore } from '#platform/evidence/core/ports.ts';
import type { VerificationReport } from '#platform/evidence/core/verify.ts';
import type { EvidenceSource } from './evidence-commands.ts';

/** A downloaded copy of the bucket (`aws s3 cp --recursive s3://BUCKET DIR`), verified offline. */
export async function evidenceCopySource(dir: string): Promise<EvidenceSource> {
  const store = await requireEvidenceCopy(dir);
  return { store, inAws: false, description: `downloaded copy ${store.root}` };
}

/**
 * The source with progress on a side channel: every `every` objects read, "checked N of M
 * objects" (M what the listings so far hold). On a terminal the line is redrawn in place.
 */
export function withProgress<S extends EvidenceSource>(
  source: S,
  options: { every: number; write: (text: string) => void; terminal: boolean },
): { source: S; done: () => void } {
  const inner = source.store;
  const lockStatus = inner.lockStatus?.bind(inner);
  let listed = 0;
  let read = 0;
  const line = () => `verify: checked ${read} of ${listed} objects`;
  const store: EvidenceStore = {
    putNew: (key, body, contentType) => inner.putNew(key, body, contentType),
    async list(prefix) {
      const objects = await inner.list(prefix);
      listed += objects.length;
      return objects;
    },
    async get(key) {
      const stored = await inner.get(key);
      read++;
      if (read % options.every === 0) options.write(options.terminal ? `\r${line()}` : `${line()}\n`);
      return stored;
    },
    ...(lockStatus ? { lockStatus } : {}),
  };
  return {
    source: { ...source, store },
    done: () => options.write(`${options.terminal ? '\r' : ''}${line()}, done\n`),
  };
}

/** `--progress [every]`: true (flag alone) is every 1,000 objects; a number must be a positive integer. */
export function progressEvery(
  option: boolean | string | undefined,
  stderrIsTty: boolean,
): number | undefined {
  if (option === undefined || option === false) return stderrIsTty ? 1_000 : undefined;
  if (option === true) return 1_000;
  if (!/^[1-9]\d*$/.test(option))
    throw new TollgateError('VALIDATION_FAILED', '--progress takes a whole number of objects, e.g. 1000.');
  return Number(option);
}

export const VERIFY_SUMMARY_FORMAT = 'tollgate-evidence-verify/1';

/**
 * The machine-readable result of a verify run, for an auditor's tooling to keep: what was checked,
 * with which key, the counts, every INVALID object with its reasons, and the newest digest. Valid
 * objects are counted, not listed (a bucket holds millions).
 */
export function verifySummary(
  report: VerificationReport,
  context: { source: EvidenceSource; exitCode: number; publicKeyFile?: string; verifiedAt: Date },
): Record<string, unknown> {
  // Fields a newer verify adds (objects not yet digested, chain heads) are kept when present.
  const extra = report as VerificationReport & { pending?: number; headsChecked?: number | null };
  const pem = context.publicKeyFile ? readFileSync(context.publicKeyFile, 'utf8') : undefined;
  return {
    format: VERIFY_SUMMARY_FORMAT,
    source: context.source.description,
    verifiedAt: context.verifiedAt.toISOString(),
    result: context.exitCode === 0 ? 'valid' : 'invalid',
    exitCode: context.exitCode,
    trustedKey: pem
      ? { from: 'given', keyId: keyIdOf(pem) }
      : { from: 'published beside the digests (digests/public-keys/)' },
    counts: {
      objects: report.verdicts.length,
      digests: report.digests,
      records: report.records,
      payloads: report.payloads,
      invalid: report.invalid,
      ...(typeof extra.pending === 'number' ? { pending: extra.pending } : {}),
    },
    ...(extra.headsChecked !== undefined ? { chainHeadsChecked: extra.headsChecked } : {}),
    newestDigest: report.newestDigest ?? null,
    signingKeyIds: report.signingKeyIds,
    objectLockChecked: report.objectLockChecked,
    invalid: report.verdicts
      .filter((v) => v.reasons.length > 0)
      .map((v) => ({ key: v.key, reasons: v.reasons })),
  };
}
