import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDITOR_QUERIES } from '#platform/evidence/core/auditor-queries.ts';
import { RECORD_TYPES } from '#platform/evidence/core/records.ts';
import { PROTECTED_EVIDENCE_ACTIONS } from '../../lib/constructs/evidence-bucket.ts';
import { synthesizeShippedStages } from './synthesize.ts';

const { dev, prod } = synthesizeShippedStages();

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

function bucketPolicyStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

function roleStatements(template: Template, functionId: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([logicalId]) => logicalId.startsWith(`${functionId}Role`))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe.each([
  ['dev', dev.template],
  ['prod', prod.template],
])('Tollgate-%s evidence', (_stage, template) => {
  it('denies deletes and retention changes to everyone but the break-glass role', () => {
    // Prepare
    const statements = bucketPolicyStatements(template);

    // Act
    const deny = statements.find((s) => s.Sid === 'DenyEvidenceDeletionAndRetentionChanges');
    const config = statements.find((s) => s.Sid === 'DenyEvidenceBucketPolicyAndVersioningChanges');

    // Assess: every protected action is denied, the policy and versioning included.
    expect(deny?.Effect).toBe('Deny');
    expect(deny?.Principal).toEqual({ AWS: '*' });
    expect([deny?.Action, config?.Action].flat()).toEqual(
      expect.arrayContaining([...PROTECTED_EVIDENCE_ACTIONS]),
    );
    expect([config?.Action].flat()).toEqual(['s3:PutBucketPolicy', 's3:PutBucketVersioning']);
    expect(JSON.stringify(deny?.Condition?.ArnNotEquals?.['aws:PrincipalArn'])).toMatch(/BreakGlass/);
    // Only break-glass and CloudFormation's execution role (a reviewed deployment) may change the policy.
    const exempt = JSON.stringify(config?.Condition?.ArnNotLike?.['aws:PrincipalArn']);
    expect(exempt).toMatch(/BreakGlass/);
    expect(exempt).toMatch(/cdk-\*-cfn-exec-role-\*/);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })],
      },
      Description: Match.stringLikeRegexp('break-glass'),
    });
  });

  it('lets steps write only records and payloads, and only the digest function write digests', () => {
    // Prepare
    const puts = (functionId: string) =>
      roleStatements(template, functionId)
        .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('s3:PutObject'))
        .flatMap((s) => [(s as { Resource?: unknown }).Resource].flat())
        .map((r) => JSON.stringify(r));

    // Act
    const step = puts('InvoiceDecide');
    const digest = puts('EvidenceDigest');
    const denyOthers = bucketPolicyStatements(template).find(
      (s) => s.Sid === 'DenyDigestWritesButTheDigestFunction',
    );

    // Assess
    expect(step.length).toBeGreaterThan(0);
    for (const resource of step) expect(resource).toMatch(/\/(records|payloads)\/\*"/);
    expect(digest.length).toBeGreaterThan(0);
    for (const resource of digest) expect(resource).toMatch(/\/digests\/\*"/);
    expect(denyOthers?.Effect).toBe('Deny');
    expect(JSON.stringify(denyOthers?.Condition?.ArnNotEquals?.['aws:PrincipalArn'])).toMatch(
      /EvidenceDigest/,
    );
  });

  it('refuses any evidence PUT without If-None-Match, so nothing written can be overwritten', () => {
    const deny = bucketPolicyStatements(template).find((s) => s.Sid === 'DenyEvidencePutsThatCouldOverwrite');
    expect(deny?.Effect).toBe('Deny');
    expect([deny?.Action].flat()).toEqual(['s3:PutObject']);
    expect(deny?.Condition?.Null?.['s3:if-none-match']).toBe('true');
  });

  it('denies non-TLS requests and PUTs not encrypted with the evidence key', () => {
    // Prepare
    const statements = bucketPolicyStatements(template);

    // Act
    const tls = statements.find((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    const sse = statements.find((s) => s.Sid === 'DenyPutsNotEncryptedWithKms');
    const key = statements.find((s) => s.Sid === 'DenyPutsUnderAnotherKey');

    // Assess
    expect(tls?.Effect).toBe('Deny');
    expect(sse?.Condition?.StringNotEqualsIfExists?.['s3:x-amz-server-side-encryption']).toBe('aws:kms');
    expect(
      key?.Condition?.StringNotEqualsIfExists?.['s3:x-amz-server-side-encryption-aws-kms-key-id'],
    ).toBeDefined();
  });

  it('has an asymmetric P-256 signing key that only the digest function may sign with', () => {
    // Act
    const digest = roleStatements(template, 'EvidenceDigest');
    const writer = roleStatements(template, 'DeploymentCheckWriteProbe');

    // Assess
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(digest.flatMap((s) => [s.Action].flat())).toEqual(
      expect.arrayContaining(['kms:Sign', 'kms:GetPublicKey', 's3:PutObject', 's3:ListBucket']),
    );
    expect(writer.flatMap((s) => [s.Action].flat())).toEqual(expect.arrayContaining(['s3:PutObject']));
    expect(writer.flatMap((s) => [s.Action].flat())).not.toContain('kms:Sign');
    expect(writer.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
  });

  it('runs the digest function on a schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EvidenceDigestHandler'), 'Arn'] },
        }),
      ],
    });
  });

  it('has a Glue table over records/ with partition projection on type and dt', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'evidence_records',
        PartitionKeys: [
          { Name: 'type', Type: 'string' },
          { Name: 'dt', Type: 'string' },
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.type.values': RECORD_TYPES.join(','),
          'projection.dt.format': 'yyyy-MM-dd',
          'storage.location.template': Match.anyValue(),
        }),
        StorageDescriptor: Match.objectLike({
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      }),
    });
  });

  it('has an Athena workgroup with enforced KMS-encrypted results and the three named queries', () => {
    // Act
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')).map(
      (q) => q.Properties.Name as string,
    );

    // Assess
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
        }),
      }),
    });
    expect(named.sort()).toEqual(AUDITOR_QUERIES.map((q) => q.name).sort());
  });
});
