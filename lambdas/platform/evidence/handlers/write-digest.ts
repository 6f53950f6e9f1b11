import { logger } from '#platform/aws/logger.ts';
import { EVIDENCE_SIGNING_KEY_ENV, requireEnv } from '#platform/aws/resource-env.ts';
import { KmsDigestSigner } from '#platform/evidence/adapters/digest-signer-kms.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { DigestRaceError, writeNextDigest } from '#platform/evidence/core/digests.ts';

/** Settle time before a window closes, so PUTs in flight land in the next window. */
const SETTLE_MS = 60_000;
let signer: Promise<KmsDigestSigner> | undefined;

/** Scheduled (EventBridge): writes the next signed digest of the evidence bucket. */
export async function handler(): Promise<{ key: string; objects: number } | { skipped: string }> {
  signer ??= KmsDigestSigner.create(requireEnv(EVIDENCE_SIGNING_KEY_ENV));
  try {
    const { key, digest } = await writeNextDigest({
      store: S3EvidenceStore.fromEnvironment(),
      signer: await signer,
      now: () => new Date(),
      settleMs: SETTLE_MS,
    });
    logger.info('evidence digest written', {
      key,
      objects: digest.objects.length,
      windowEnd: digest.windowEnd,
    });
    return { key, objects: digest.objects.length };
  } catch (error) {
    if (error instanceof DigestRaceError) {
      logger.warn('evidence digest written concurrently', { message: error.message });
      return { skipped: error.message };
    }
    throw error;
  }
}
