import { logger } from '#platform/aws/logger.ts';
import { EVIDENCE_SIGNING_KEY_ENV, requireEnv } from '#platform/aws/resource-env.ts';
import { KmsDigestSigner } from '#platform/evidence/adapters/digest-signer-kms.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { DIGEST_PARTITIONS, DigestRaceError, digestUntilCaughtUp } from '#platform/evidence/core/digests.ts';

/** Settle time before a window closes, so PUTs in flight land in the next window. */
const SETTLE_MS = 60_000;
/** Six-hour windows: a day's outage is caught up in one run, a longer one over the next runs. */
const MAX_DIGESTS_PER_RUN = 4;
let signer: Promise<KmsDigestSigner> | undefined;

/** Scheduled (EventBridge): writes the next signed digest of the evidence bucket. */
export async function handler(): Promise<{ key: string; objects: number } | { skipped: string }> {
  signer ??= KmsDigestSigner.create(requireEnv(EVIDENCE_SIGNING_KEY_ENV));
  try {
    // Only the partitions each window can hold are listed; a backlog is caught up a bounded window at a time.
    const written = await digestUntilCaughtUp(
      {
        store: S3EvidenceStore.fromEnvironment(),
        signer: await signer,
        now: () => new Date(),
        settleMs: SETTLE_MS,
        partitions: DIGEST_PARTITIONS,
      },
      MAX_DIGESTS_PER_RUN,
    );
    const last = written.at(-1);
    if (!last) throw new Error('No digest was written.');
    logger.info('evidence digests written', {
      digests: written.length,
      key: last.key,
      objects: written.reduce((n, w) => n + w.digest.objects.length, 0),
      windowEnd: last.digest.windowEnd,
    });
    return { key: last.key, objects: written.reduce((n, w) => n + w.digest.objects.length, 0) };
  } catch (error) {
    if (error instanceof DigestRaceError) {
      logger.warn('evidence digest written concurrently', { message: error.message });
      return { skipped: error.message };
    }
    throw error;
  }
}
