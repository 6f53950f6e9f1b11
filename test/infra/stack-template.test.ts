import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { APPROVAL_LIMITS_ENV } from '#platform/aws/resource-env.ts';
import { catalogFunctions } from '../../lib/catalog.ts';
import { resolveStageConfig } from '../../lib/config/stage-config.ts';
import { shippedContext, synthesizeShippedStages } from './synthesize.ts';

const { dev, prod } = synthesizeShippedStages();

type Resources = Record<string, { Properties: Record<string, unknown> }>;

const stages = [
  { stageName: 'dev', template: dev.template, lockMode: 'GOVERNANCE' },
  { stageName: 'prod', template: prod.template, lockMode: 'COMPLIANCE' },
] as const;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

describe.each(stages)('Tollgate-$stageName template', ({ template, lockMode }) => {
  it('keeps every table on demand, recoverable, protected from deletion and under the table key', () => {
    // Prepare
    const tables = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));

    // Act
    const unprotected = tables.filter(
      ({ Properties: p }) =>
        p.BillingMode !== 'PAY_PER_REQUEST' ||
        p.DeletionProtectionEnabled !== true ||
        (p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)
          ?.PointInTimeRecoveryEnabled !== true ||
        (p.SSESpecification as { SSEType?: string; KMSMasterKeyId?: unknown } | undefined)?.SSEType !==
          'KMS' ||
        (p.SSESpecification as { KMSMasterKeyId?: unknown }).KMSMasterKeyId === undefined,
    );

    // Assess
    expect(tables).toHaveLength(4);
    expect(unprotected).toEqual([]);
  });

  it('retains every table and gives the work table its TTL attribute', () => {
    // Prepare
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Act
    const policies = Object.values(tables).map((table) => [table.DeletionPolicy, table.UpdateReplacePolicy]);

    // Assess
    expect(policies.every(([deletion, replace]) => deletion === 'Retain' && replace === 'Retain')).toBe(true);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
    });
  });

  it(`locks evidence with ${lockMode} retention, versioned, under a KMS key with a bucket key, logged`, () => {
    // Act
    const assess = () =>
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          ObjectLockEnabled: true,
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: lockMode } },
          },
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                BucketKeyEnabled: true,
                ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
              },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
        },
      });

    // Assess
    expect(assess).not.toThrow();
  });

  it('refuses plain-HTTP requests to every bucket', () => {
    // Prepare
    const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'));

    // Act
    const tlsOnly = policies
      .filter(({ Properties: p }) =>
        JSON.stringify(p.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      )
      .map(({ Properties: p }) => (p.Bucket as { Ref: string }).Ref);

    // Assess
    expect(tlsOnly.sort()).toEqual(buckets.sort());
  });

  it('puts a Cognito user pool authorizer on every API method', () => {
    // Prepare
    const methods = Object.entries(resourcesOf(template, 'AWS::ApiGateway::Method'));

    // Act
    const open = methods
      .filter(
        ([, { Properties: p }]) =>
          p.AuthorizationType !== 'COGNITO_USER_POOLS' || p.AuthorizerId === undefined,
      )
      .map(([logicalId]) => logicalId);

    // Assess
    expect(methods.length).toBeGreaterThan(0);
    expect(open).toEqual([]);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
  });

  it('requires the Idempotency-Key header and validates the body of the start route', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestParameters: Match.objectLike({ 'method.request.header.Idempotency-Key': true }),
      RequestModels: { 'application/json': Match.anyValue() },
      RequestValidatorId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('runs every runbook as a Standard state machine with tracing, a customer key and no execution data in logs', () => {
    // Prepare
    const stateMachines = Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine'));

    // Act
    const misconfigured = stateMachines.filter(({ Properties: p }) => {
      const logging = p.LoggingConfiguration as
        | { IncludeExecutionData?: boolean; Level?: string }
        | undefined;
      const encryption = p.EncryptionConfiguration as { Type?: string; KmsKeyId?: unknown } | undefined;
      return (
        p.StateMachineType !== 'STANDARD' ||
        (p.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled !== true ||
        logging?.IncludeExecutionData !== false ||
        logging?.Level !== 'ALL' ||
        encryption?.Type !== 'CUSTOMER_MANAGED_KMS_KEY' ||
        encryption?.KmsKeyId === undefined
      );
    });

    // Assess
    expect(stateMachines.length).toBeGreaterThan(0);
    expect(misconfigured).toEqual([]);
  });

  it('runs every function on nodejs24.x/arm64 with tracing and JSON logs into its own encrypted, retained log group', () => {
    // Prepare
    const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'));
    const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');

    // Act
    const misconfigured = functions
      .filter(([, { Properties: p }]) => {
        const logging = p.LoggingConfig as { LogFormat?: string; LogGroup?: { Ref?: string } } | undefined;
        const logGroup = logGroups[logging?.LogGroup?.Ref ?? '']?.Properties;
        return (
          p.Runtime !== 'nodejs24.x' ||
          JSON.stringify(p.Architectures) !== '["arm64"]' ||
          (p.TracingConfig as { Mode?: string } | undefined)?.Mode !== 'Active' ||
          logging?.LogFormat !== 'JSON' ||
          logGroup === undefined ||
          logGroup.KmsKeyId === undefined ||
          typeof logGroup.RetentionInDays !== 'number'
        );
      })
      .map(([logicalId]) => logicalId);

    // Assess
    expect(functions).toHaveLength(catalogFunctions().length);
    expect(misconfigured).toEqual([]);
  });

  it('encrypts every log group with a customer key and gives it a retention', () => {
    // Prepare
    const logGroups = Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup'));

    // Act
    const unencrypted = logGroups
      .filter(([, { Properties: p }]) => p.KmsKeyId === undefined || p.RetentionInDays === undefined)
      .map(([logicalId]) => logicalId);

    // Assess
    expect(unencrypted).toEqual([]);
  });

  it('rotates every customer-managed encryption key (KMS cannot rotate the asymmetric signing key)', () => {
    // Prepare
    const keys = Object.values(resourcesOf(template, 'AWS::KMS::Key')).filter(
      ({ Properties: p }) => p.KeyUsage === undefined || p.KeyUsage === 'ENCRYPT_DECRYPT',
    );

    // Assess
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every(({ Properties: p }) => p.EnableKeyRotation === true)).toBe(true);
  });

  it('grants no IAM identity a wildcard action', () => {
    // Prepare
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    const roles = Object.values(resourcesOf(template, 'AWS::IAM::Role'));
    const documents = [
      ...policies.map(({ Properties: p }) => p.PolicyDocument),
      ...roles.flatMap(({ Properties: p }) =>
        ((p.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
          (policy) => policy.PolicyDocument,
        ),
      ),
    ] as { Statement: { Action: string | string[] }[] }[];

    // Act
    const wildcards = documents
      .flatMap((document) => document.Statement)
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.includes('*'));

    // Assess
    expect(documents.length).toBeGreaterThan(0);
    expect(wildcards).toEqual([]);
  });

  it('guards the API stage with a WAF web ACL and throttling, and never logs request data', () => {
    // Assess
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: Match.anyValue() });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP' }) } }),
      ]),
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [
        Match.objectLike({
          DataTraceEnabled: false,
          LoggingLevel: 'INFO',
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ],
    });
  });

  it('makes every finance role a user pool group in a pool without self sign-up and with MFA', () => {
    // Prepare
    const groups = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolGroup'));

    // Assess
    expect(groups.map(({ Properties: p }) => p.GroupName).sort()).toEqual(
      ['ap_clerk', 'auditor', 'controller', 'fpa', 'platform_admin'].sort(),
    );
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        DeletionProtection: 'ACTIVE',
      }),
    });
  });
});

describe('stage differences', () => {
  it('keeps prod evidence seven years and dev evidence one day', () => {
    // Prepare
    const retention = (template: Template) =>
      Object.values(resourcesOf(template, 'AWS::S3::Bucket'))
        .map(
          ({ Properties: p }) =>
            p.ObjectLockConfiguration as { Rule: { DefaultRetention: unknown } } | undefined,
        )
        .filter((lock) => lock !== undefined)
        .map((lock) => lock.Rule.DefaultRetention);

    // Assess
    expect(retention(prod.template)).toEqual([{ Mode: 'COMPLIANCE', Days: 2557 }]);
    expect(retention(dev.template)).toEqual([{ Mode: 'GOVERNANCE', Days: 1 }]);
  });
});

describe.each(stages)('Tollgate-$stageName approval limits', ({ stageName, template }) => {
  it('tells the functions that check approval authority the stage approval limits, and no other function', () => {
    // Prepare
    const limits = JSON.stringify(resolveStageConfig(stageName, shippedContext().stages).approvalLimits);
    const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'));

    // Act
    const told = Object.fromEntries(
      functions.flatMap(([logicalId, { Properties: p }]) => {
        const value = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[
          APPROVAL_LIMITS_ENV
        ];
        return value === undefined ? [] : [[logicalId.replace(/Handler[0-9A-F]{8}$/, ''), value]];
      }),
    );

    // Assess
    expect(told).toEqual({
      DecideApproval: limits,
      GetApprovalCase: limits,
      ListApprovals: limits,
      InvoiceHoldPayment: limits,
      PaymentReleaseRun: limits,
      RefundPayoutHold: limits,
    });
    expect(
      catalogFunctions()
        .filter((fn) => fn.approvalLimits)
        .map((fn) => fn.id)
        .sort(),
    ).toEqual([
      'DecideApproval',
      'GetApprovalCase',
      'InvoiceHoldPayment',
      'ListApprovals',
      'PaymentReleaseRun',
      'RefundPayoutHold',
    ]);
  });
});
