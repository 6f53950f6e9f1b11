import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { BANK_FILES_BUCKET_ENV } from '#platform/aws/resource-env.ts';
import { functionById } from '../../lib/catalog.ts';
import { BankFilesBucket, NONCURRENT_VERSION_DAYS } from '../../lib/constructs/bank-files-bucket.ts';
import { synthesizeShippedStages } from './synthesize.ts';
import { bareFunction, throwawayStack } from './throwaway.ts';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function roleStatements(template: Template, functionId: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([logicalId]) => logicalId.startsWith(`${functionId}Role`))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function bucketPolicyStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

function environmentOf(template: Template, functionId: string): Record<string, unknown> {
  const entry = Object.entries(template.findResources('AWS::Lambda::Function')).find(([logicalId]) =>
    logicalId.startsWith(`${functionId}Handler`),
  );
  if (!entry) throw new Error(`No function ${functionId} in the template.`);
  return (entry[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The S3 actions a statement allows, each with the object prefix (or the bucket) it applies to. */
function s3Grants(statements: readonly Statement[]): string[] {
  return statements.flatMap((statement) => {
    const actions = [statement.Action].flat().filter((action) => action.startsWith('s3:'));
    const resources = [statement.Resource].flat().map((resource) => {
      const text = JSON.stringify(resource);
      const prefix = /"\/([a-z]+\/)?\*"/.exec(text);
      return prefix ? `${prefix[1] ?? ''}*` : 'bucket';
    });
    return actions.flatMap((action) => resources.map((resource) => `${action} ${resource}`));
  });
}

const kmsActions = (statements: readonly Statement[]) =>
  statements.flatMap((s) => [s.Action].flat()).filter((action) => action.startsWith('kms:'));

describe('bank-files bucket', () => {
  // Prepare (once): the bucket and one function per access mode, in a bare stack.
  const stack = throwawayStack();
  const key = new Key(stack, 'BankFilesKey', { enableKeyRotation: true });
  const accessLogs = new Bucket(stack, 'AccessLogs', { encryption: BucketEncryption.S3_MANAGED });
  const bankFiles = new BankFilesBucket(stack, 'BankFiles', { key, accessLogs });
  const base = functionById('GetExecution');
  bankFiles.bindTo(bareFunction(stack, { ...base, id: 'PaymentFileWriter', bankFiles: 'write' }), 'write');
  bankFiles.bindTo(bareFunction(stack, { ...base, id: 'BankAnswerReader', bankFiles: 'read' }), 'read');
  bankFiles.bindTo(bareFunction(stack, { ...base, id: 'BankExchange', bankFiles: 'readWrite' }), 'readWrite');
  bareFunction(stack, { ...base, id: 'Unrelated' });
  const template = Template.fromStack(stack);
  const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^BankFilesKey'), 'Arn'] };

  it('encrypts with its own key and a bucket key, is versioned, private and logs its access', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef },
            BucketKeyEnabled: true,
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') },
        LogFilePrefix: 'bank-files/',
      },
    });
  });

  it('is retained on stack delete and expires old versions after 400 days only', () => {
    // Assess
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
            }),
          ],
        },
      }),
    });
    expect(NONCURRENT_VERSION_DAYS).toBe(400);
  });

  it('denies requests without TLS', () => {
    // Act
    const tls = bucketPolicyStatements(template).find(
      (s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
    );

    // Assess
    expect(tls?.Effect).toBe('Deny');
    expect([tls?.Action].flat()).toContain('s3:*');
  });

  it('denies a PutObject that asks for anything but SSE-KMS with the bank-files key', () => {
    // Act
    const statements = bucketPolicyStatements(template);
    const sse = statements.find((s) => s.Sid === 'DenyPutsNotEncryptedWithKms');
    const underAnotherKey = statements.find((s) => s.Sid === 'DenyPutsUnderAnotherKey');

    // Assess
    expect(sse).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject' });
    expect(sse?.Condition?.StringNotEqualsIfExists?.['s3:x-amz-server-side-encryption']).toBe('aws:kms');
    expect(underAnotherKey).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject' });
    expect(
      underAnotherKey?.Condition?.StringNotEqualsIfExists?.['s3:x-amz-server-side-encryption-aws-kms-key-id'],
    ).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BankFilesKey/), 'Arn'] });
  });

  it("gives a 'write' function PutObject on outbound/* only, and no read of the bank's answers", () => {
    // Act
    const statements = roleStatements(template, 'PaymentFileWriter');

    // Assess
    expect(s3Grants(statements).sort()).toEqual(['s3:GetObject outbound/*', 's3:PutObject outbound/*']);
    expect(kmsActions(statements)).toEqual(['kms:GenerateDataKey']);
    expect(environmentOf(template, 'PaymentFileWriter')[BANK_FILES_BUCKET_ENV]).toEqual({
      Ref: expect.stringMatching(/^BankFilesBucket[0-9A-F]/),
    });
  });

  it("gives a 'read' function GetObject on inbound/* and ListBucket only for the inbound/ prefix", () => {
    // Act
    const statements = roleStatements(template, 'BankAnswerReader');
    const list = statements.find((s) => [s.Action].flat().includes('s3:ListBucket'));

    // Assess
    expect(s3Grants(statements).sort()).toEqual(['s3:GetObject inbound/*', 's3:ListBucket bucket']);
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['inbound/', 'inbound/*'] } });
    expect(kmsActions(statements)).toEqual(['kms:Decrypt']);
    expect(environmentOf(template, 'BankAnswerReader')[BANK_FILES_BUCKET_ENV]).toBeDefined();
  });

  it("gives a 'readWrite' function both, and still nothing on inbound/ to write", () => {
    // Act
    const grants = s3Grants(roleStatements(template, 'BankExchange'));

    // Assess
    expect(grants.sort()).toEqual([
      's3:GetObject inbound/*',
      's3:GetObject outbound/*',
      's3:ListBucket bucket',
      's3:PutObject outbound/*',
    ]);
  });

  it('leaves no cdk-nag finding on the bucket, and no wildcard finding on the bound roles', () => {
    // Act
    const findings = [
      new AwsSolutionsChecks(),
      new NIST80053R5Checks(),
      new PCIDSS321Checks(),
      new ServerlessChecks(),
    ].flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((violation) =>
          violation.violatingResources.map(
            (resource) => `${violation.ruleName} at ${resource.constructPath}`,
          ),
        ),
    );

    // Assess
    // Replication is acknowledged stage-wide by the security posture (data boundary), which this throwaway stack does not apply.
    const stageWide = /S3BucketReplicationEnabled/;
    expect(
      findings.filter((finding) => finding.includes(' at Throwaway/BankFiles/') && !stageWide.test(finding)),
    ).toEqual([]);
    expect(
      findings.filter((finding) =>
        /AwsSolutions-IAM5.* at Throwaway\/(PaymentFileWriter|BankAnswerReader|BankExchange)\//.test(finding),
      ),
    ).toEqual([]);
  });

  it('lets no function delete a bank file, and tells an unbound function nothing', () => {
    // Act
    const actions = ['PaymentFileWriter', 'BankAnswerReader', 'BankExchange', 'Unrelated'].flatMap((id) =>
      roleStatements(template, id).flatMap((s) => [s.Action].flat()),
    );

    // Assess
    expect(actions.filter((action) => /^s3:(Delete|PutObjectAcl|PutBucket|\*)/.test(action))).toEqual([]);
    expect(environmentOf(template, 'Unrelated')[BANK_FILES_BUCKET_ENV]).toBeUndefined();
  });
});

const shipped = synthesizeShippedStages();

describe.each(['dev', 'prod'] as const)('Tollgate-%s bank files', (stage) => {
  const { template } = shipped[stage];

  it('has the bucket under its own rotating key, and names it in an output', () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('payment files'),
      EnableKeyRotation: true,
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysBankFilesKey'), 'Arn'] },
            },
          }),
        ],
      },
      LoggingConfiguration: { LogFilePrefix: 'bank-files/' },
    });
    template.hasOutput('BankFilesBucketName', {
      Value: { Ref: Match.stringLikeRegexp('^BankFilesBucket[0-9A-F]') },
    });
  });

  it('lets no function of the stage delete a bank file', () => {
    // Act
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    // Every function the catalog binds to the bucket, now or later.
    const onBankFiles = statements.filter((s) =>
      /"BankFilesBucket[0-9A-F]{8}"/.test(JSON.stringify(s.Resource)),
    );

    // Assess
    expect(
      onBankFiles.flatMap((s) => [s.Action].flat()).filter((action) => /^s3:(Delete|\*)/.test(action)),
    ).toEqual([]);
  });
});
