import { ChainedEvidenceWriter, type EvidenceWriter } from '#platform/evidence/core/writer.ts';
import { DynamoDbEvidenceChain } from './evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from './evidence-store-s3.ts';

let writer: EvidenceWriter | undefined;

/**
 * The evidence writer handlers use: records in the bucket named by EVIDENCE_BUCKET_NAME, chain
 * heads in the work table. Built on first use, so a handler module loads without its env.
 */
export function evidenceWriter(): EvidenceWriter {
  writer ??= new ChainedEvidenceWriter({
    store: S3EvidenceStore.fromEnvironment(),
    chain: new DynamoDbEvidenceChain(),
    now: () => new Date(),
  });
  return writer;
}
