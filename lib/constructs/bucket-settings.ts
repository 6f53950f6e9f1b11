import { RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  BucketEncryption,
  type BucketProps,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';

/**
 * What every Tollgate bucket holding customer data is: encrypted with the customer-managed
 * key, TLS only, never public, owner-enforced, versioned, retained on stack delete, and
 * logging its access to the stage's access-log bucket under `logPrefix`.
 */
export function protectedBucketSettings(key: IKey, accessLogs: IBucket, logPrefix: string): BucketProps {
  return {
    encryption: BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: logPrefix,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * Default encryption covers PUTs without the header; these refuse a PUT that asks for anything
 * but SSE-KMS under `key`.
 */
export function denyPutsNotUnderKey(bucket: IBucket, key: IKey): void {
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyPutsNotEncryptedWithKms',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }),
  );
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyPutsUnderAnotherKey',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: {
        StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn },
      },
    }),
  );
}
