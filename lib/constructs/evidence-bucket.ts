import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVIDENCE_BUCKET_ENV } from '../../lambdas/adapters/resource-env.ts';
import type { EvidenceRetention } from '../config/stage-config.ts';
import type { ActionFunction } from './action-function.ts';
import { acknowledgeWildcardResource } from './nag-findings.ts';

export type EvidenceAccess = 'write' | 'read';

export interface EvidenceBucketProps {
  /** Default Object Lock retention of every evidence object. */
  readonly retention: EvidenceRetention;
  /** Customer-managed key evidence objects are encrypted with. */
  readonly key: IKey;
}

/**
 * Where evidence lives: Object Lock with a default retention (COMPLIANCE in prod), versioned,
 * SSE-KMS with a bucket key, TLS only, never public, retained, every request logged to a
 * separate access-log bucket.
 */
export class EvidenceBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps) {
    super(scope, id);
    this.key = props.key;

    // Server access logs can only be delivered to an SSE-S3 bucket, so this one cannot use the evidence key.
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const retentionPeriod = Duration.days(props.retention.days);
    this.bucket = new Bucket(this, 'Records', {
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.retention.mode === 'COMPLIANCE'
          ? ObjectLockRetention.compliance(retentionPeriod)
          : ObjectLockRetention.governance(retentionPeriod),
      versioned: true,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Grants `fn` writing new evidence objects (`write`) or reading them back (`read`), with the
   * matching use of the evidence key, and tells it the bucket name through EVIDENCE_BUCKET_ENV.
   * Neither mode may delete objects or change their retention.
   */
  bindTo(fn: ActionFunction, access: EvidenceAccess): void {
    const objects = this.bucket.arnForObjects('*');
    if (access === 'write') {
      Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:PutObject'], resourceArns: [objects] });
      this.key.grant(fn.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    } else {
      Grant.addToPrincipal({
        grantee: fn.role,
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention'],
        resourceArns: [objects],
      });
      Grant.addToPrincipal({
        grantee: fn.role,
        actions: ['s3:ListBucket'],
        resourceArns: [this.bucket.bucketArn],
      });
      this.key.grant(fn.role, 'kms:Decrypt');
    }
    acknowledgeWildcardResource(
      fn.role,
      objects,
      'Evidence object keys are created per record at run time (records/type=…/dt=…/…), so object ARNs cannot be listed in advance; the grant is limited to this bucket and to the actions above.',
    );
    fn.addEnvironment(EVIDENCE_BUCKET_ENV, this.bucket.bucketName);
  }
}
