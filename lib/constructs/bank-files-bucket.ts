import { Duration } from 'aws-cdk-lib';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BANK_FILES_BUCKET_ENV } from '#platform/aws/resource-env.ts';
import { INBOUND_PREFIX, OUTBOUND_PREFIX } from '#platform/bank/core/bank-file-keys.ts';
import type { FunctionDefinition } from '../catalog.ts';
import type { ActionFunction } from './action-function.ts';
import { denyPutsNotUnderKey, protectedBucketSettings } from './bucket-settings.ts';
import { acknowledgeWildcardResource } from './nag-findings.ts';

/** write: put payment files under `outbound/`; read: read and list the bank's answers under `inbound/`. */
export type BankFilesAccess = NonNullable<FunctionDefinition['bankFiles']>;

/** Bank files are evidence too; the evidence vault keeps its own copy, so older versions need not live for ever. */
export const NONCURRENT_VERSION_DAYS = 400;

export interface BankFilesBucketProps {
  /** Customer-managed key every bank file is encrypted with. */
  readonly key: IKey;
  /** The stage's server access-log bucket (SSE-S3), shared with the evidence bucket. */
  readonly accessLogs: IBucket;
  /**
   * Prefix of this bucket's server access logs in `accessLogs`.
   * @default 'bank-files/'
   */
  readonly accessLogPrefix?: string;
}

/**
 * The stage's exchange with its bank: payment files out under `outbound/`, status reports and
 * statements in under `inbound/`. Private, SSE-KMS with its own key and a bucket key,
 * versioned, TLS only, access logged, retained. Functions get exactly the prefix and direction
 * the catalog grants them; none may delete.
 */
export class BankFilesBucket extends Construct {
  readonly bucket: Bucket;
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: BankFilesBucketProps) {
    super(scope, id);
    this.key = props.key;

    this.bucket = new Bucket(this, 'Bucket', {
      ...protectedBucketSettings(props.key, props.accessLogs, props.accessLogPrefix ?? 'bank-files/'),
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentBankFileVersions',
          // Bank files are evidence too, but the evidence vault keeps its own locked copy; 400 days covers a year-end audit.
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    // A PUT asking for anything but the bank-files key is refused.
    denyPutsNotUnderKey(this.bucket, props.key);
  }

  /**
   * Grants `fn` putting payment files under `outbound/` (`write`), reading and listing the
   * bank's answers under `inbound/` (`read`), or both (`readWrite`), with the matching use of
   * the bank-files key, and tells it the bucket through BANK_FILES_BUCKET_ENV. No mode may
   * delete, write `inbound/` or read another prefix.
   */
  bindTo(fn: ActionFunction, access: BankFilesAccess): void {
    if (access === 'write' || access === 'readWrite') {
      const outbound = this.bucket.arnForObjects(`${OUTBOUND_PREFIX}*`);
      Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:PutObject'], resourceArns: [outbound] });
      // HeadObject (s3:GetObject) lets a retried put compare the checksum of what an earlier attempt wrote; no Decrypt needed.
      Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:GetObject'], resourceArns: [outbound] });
      // S3 asks KMS for a data key per object; it never calls kms:Encrypt.
      this.key.grant(fn.role, 'kms:GenerateDataKey');
      acknowledgeWildcardResource(
        fn.role,
        outbound,
        'Payment file keys are created per run at run time (outbound/<date>/<file name>), so object ARNs cannot be listed in advance; the grant is limited to the outbound/ prefix of this bucket and to PutObject and GetObject.',
      );
    }
    if (access === 'read' || access === 'readWrite') {
      const inbound = this.bucket.arnForObjects(`${INBOUND_PREFIX}*`);
      Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:GetObject'], resourceArns: [inbound] });
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [INBOUND_PREFIX, `${INBOUND_PREFIX}*`] } },
        }),
      );
      this.key.grant(fn.role, 'kms:Decrypt');
      acknowledgeWildcardResource(
        fn.role,
        inbound,
        'Status reports and statements arrive from the bank under names it chooses (inbound/<date>/<file name>), so object ARNs cannot be listed in advance; the grant is limited to GetObject on the inbound/ prefix of this bucket.',
      );
    }
    fn.addEnvironment(BANK_FILES_BUCKET_ENV, this.bucket.bucketName);
  }
}
