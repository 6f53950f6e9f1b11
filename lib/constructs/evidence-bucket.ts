import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  Grant,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVIDENCE_BUCKET_ENV, EVIDENCE_SIGNING_KEY_ENV } from '#platform/aws/resource-env.ts';
import type { EvidenceAccess } from '../catalog.ts';
import type { EvidenceRetention } from '../config/stage-config.ts';
import type { ActionFunction } from './action-function.ts';
import { denyPutsNotUnderKey, protectedBucketSettings } from './bucket-settings.ts';
import { acknowledgeWildcardResource } from './nag-findings.ts';

/** Actions that could remove evidence or shorten its protection: only the break-glass role may call them. */
export const PROTECTED_EVIDENCE_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
  's3:PutBucketObjectLockConfiguration',
  's3:PutLifecycleConfiguration',
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
] as const;

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
  /** Assumed only with MFA, by people the account grants it to, to remove or re-protect evidence. */
  readonly breakGlassRole: Role;
  /** Asymmetric KMS key (ECC_NIST_P256) that signs evidence digests. */
  readonly signingKey: Key;

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
      ...protectedBucketSettings(props.key, this.accessLogs, 'evidence/'),
    });

    this.breakGlassRole = new Role(this, 'BreakGlass', {
      assumedBy: new AccountRootPrincipal().withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
      description:
        'Tollgate evidence break-glass: the only principal the bucket policy lets delete or change retention.',
    });
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyEvidenceDeletionAndRetentionChanges',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...PROTECTED_EVIDENCE_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.breakGlassRole.roleArn } },
      }),
    );
    // A PUT asking for anything but the evidence key is refused.
    denyPutsNotUnderKey(this.bucket, props.key);

    this.signingKey = new Key(this, 'DigestSigningKey', {
      description: 'Tollgate: signs evidence digests (verify with the public key published beside them)',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
  }

  /**
   * Grants `fn` writing new evidence objects (`write`), reading them back (`read`), or both plus
   * signing with the digest key (`digest`), with the matching use of the evidence key, and tells
   * it the bucket (and signing key) through EVIDENCE_BUCKET_ENV (and EVIDENCE_SIGNING_KEY_ENV).
   * Neither mode may delete objects or change their retention.
   */
  bindTo(fn: ActionFunction, access: EvidenceAccess): void {
    const objects = this.bucket.arnForObjects('*');
    if (access === 'write') {
      // GetObject lets a retried step compare what an earlier attempt wrote; it never deletes.
      Grant.addToPrincipal({
        grantee: fn.role,
        actions: ['s3:PutObject', 's3:GetObject'],
        resourceArns: [objects],
      });
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
    if (access === 'digest') {
      Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:PutObject'], resourceArns: [objects] });
      this.key.grant(fn.role, 'kms:GenerateDataKey');
      this.signingKey.grant(fn.role, 'kms:Sign', 'kms:GetPublicKey');
      fn.addEnvironment(EVIDENCE_SIGNING_KEY_ENV, this.signingKey.keyArn);
    }
    acknowledgeWildcardResource(
      fn.role,
      objects,
      'Evidence object keys are created per record at run time (records/type=…/dt=…/…), so object ARNs cannot be listed in advance; the grant is limited to this bucket and to the actions above.',
    );
    fn.addEnvironment(EVIDENCE_BUCKET_ENV, this.bucket.bucketName);
  }
}
