import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
  's3:PutBucketPolicy',
  's3:PutBucketVersioning',
] as const;

/**
 * Of the protected actions, those that change the bucket's own configuration: CloudFormation's
 * execution role may still apply them through a reviewed deployment, nobody else but break-glass.
 */
const BUCKET_CONFIGURATION_ACTIONS: readonly string[] = ['s3:PutBucketPolicy', 's3:PutBucketVersioning'];

/** Where writers put records and payloads; `digests/` is the digest function's alone. */
export const EVIDENCE_WRITE_PREFIXES = ['records/', 'payloads/'] as const;
export const DIGESTS_WRITE_PREFIX = 'digests/';

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
  #digestRole: string | undefined;

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
        actions: PROTECTED_EVIDENCE_ACTIONS.filter((a) => !BUCKET_CONFIGURATION_ACTIONS.includes(a)),
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.breakGlassRole.roleArn } },
      }),
    );
    // A step's role cannot lift the deny above by rewriting the policy or suspending versioning.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyEvidenceBucketPolicyAndVersioningChanges',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...BUCKET_CONFIGURATION_ACTIONS],
        resources: [this.bucket.bucketArn],
        conditions: {
          ArnNotLike: {
            'aws:PrincipalArn': [
              this.breakGlassRole.roleArn,
              Stack.of(this).formatArn({
                service: 'iam',
                region: '',
                resource: 'role',
                resourceName: 'cdk-*-cfn-exec-role-*',
              }),
            ],
          },
        },
      }),
    );
    // Evidence is written once: a PUT without If-None-Match (which could overwrite) is refused, whoever sends it.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyEvidencePutsThatCouldOverwrite',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { Null: { 's3:if-none-match': 'true' } },
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
      // Records and payloads only: a step can never write a digest. GetObject lets a retried step
      // compare what an earlier attempt wrote; it never deletes.
      Grant.addToPrincipal({
        grantee: fn.role,
        actions: ['s3:PutObject'],
        resourceArns: EVIDENCE_WRITE_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      });
      Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:GetObject'], resourceArns: [objects] });
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
      if (this.#digestRole) throw new Error('Only one function may write evidence digests.');
      this.#digestRole = fn.role.roleArn;
      Grant.addToPrincipal({
        grantee: fn.role,
        actions: ['s3:PutObject'],
        resourceArns: [this.bucket.arnForObjects(`${DIGESTS_WRITE_PREFIX}*`)],
      });
      // Whatever other grants exist, the bucket refuses a digest written by any other principal.
      this.bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'DenyDigestWritesButTheDigestFunction',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(`${DIGESTS_WRITE_PREFIX}*`)],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': fn.role.roleArn } },
        }),
      );
      this.key.grant(fn.role, 'kms:GenerateDataKey');
      this.signingKey.grant(fn.role, 'kms:Sign', 'kms:GetPublicKey');
      fn.addEnvironment(EVIDENCE_SIGNING_KEY_ENV, this.signingKey.keyArn);
    }
    const why =
      'Evidence object keys are created per record at run time (records/type=…/dt=…/…), so object ARNs cannot be listed in advance; the grant is limited to this bucket, the prefix and the actions above.';
    for (const resource of [
      objects,
      ...[...EVIDENCE_WRITE_PREFIXES, DIGESTS_WRITE_PREFIX].map((p) => this.bucket.arnForObjects(`${p}*`)),
    ])
      acknowledgeWildcardResource(fn.role, resource, why);
    fn.addEnvironment(EVIDENCE_BUCKET_ENV, this.bucket.bucketName);
  }
}
