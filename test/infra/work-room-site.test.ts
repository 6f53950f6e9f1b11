import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import {
  AwsSolutionsChecks,
  type NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/catalog.ts';
import { resolveStageConfig } from '../../lib/config/stage-config.ts';
import { WorkRoomStack } from '../../lib/constructs/work-room-site.ts';
import { TollgateStack } from '../../lib/tollgate-stack.ts';
import { shippedContext } from './synthesize.ts';

/** The site in its own us-east-1 stack, beside a stack holding a pool and an API like the stage's. */
function siteStack(props: { webAclArn?: string; withDomain?: boolean } = {}) {
  const app = new App();
  const env = { account: '111111111111', region: 'us-east-1' };
  const stage = new Stack(app, 'Stage', { env });
  const userPool = new UserPool(stage, 'Users', { selfSignUpEnabled: false });
  const api = new RestApi(stage, 'Api', { deployOptions: { stageName: 'api' } });
  api.root.addResource('approvals').addMethod('GET', new MockIntegration());
  const stack = new WorkRoomStack(app, 'WorkRoom', {
    env,
    stageName: 'test',
    userPool,
    api,
    apiPaths: ROUTES.map((r) => r.path.split('/')[1] as string),
    logRetentionDays: 14,
    ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
    ...(props.withDomain
      ? {
          customDomain: {
            name: 'work-room.example.com',
            certificate: Certificate.fromCertificateArn(
              stage,
              'Certificate',
              'arn:aws:acm:us-east-1:111111111111:certificate/abc',
            ),
          },
        }
      : {}),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

function siteFindings(pack: NagPack): string[] {
  const { app } = siteStack();
  return pack
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
    .filter((finding) => finding.includes(' at WorkRoom/'));
}

describe('the work room site in AWS', () => {
  const { template } = siteStack();

  it('keeps the page in a private, KMS-encrypted, TLS-only bucket that only the distribution reads', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site/' }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(
      statements.some(
        (s: any) =>
          s.Principal?.Service === 'cloudfront.amazonaws.com' && s.Condition?.StringEquals?.['AWS:SourceArn'],
      ),
    ).toBe(true);
    expect(
      statements.some(
        (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    ).toBe(true);
    expect(statements.some((s: any) => s.Effect === 'Allow' && s.Principal === '*')).toBe(false);
  });

  it('serves HTTPS only, with security headers, a WAF web ACL with its logs, and access logs', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        WebACLId: Match.anyValue(),
        Logging: Match.objectLike({ Prefix: 'cdn/' }),
        ViewerCertificate: Match.absent(),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    const headers = JSON.stringify(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(headers).toContain("script-src 'self'");
    expect(headers).toContain("frame-ancestors 'none'");
    expect(headers).toContain('.auth.us-east-1.amazoncognito.com');
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000 }),
          FrameOptions: Match.objectLike({ FrameOption: 'DENY' }),
          ContentTypeOptions: Match.objectLike({ Override: true }),
        }),
      }),
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });

  it('sends every API path to the API from the same origin, uncached, with the bearer token', () => {
    // Prepare
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any;
    const behaviors = distribution.Properties.DistributionConfig.CacheBehaviors as any[];

    // Assess
    const patterns = behaviors.map((b) => b.PathPattern);
    for (const route of ROUTES) expect(patterns).toContain(`/${route.path.split('/')[1]}*`.replace('*', ''));
    for (const behavior of behaviors) {
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      expect(behavior.AllowedMethods).toContain('POST');
    }
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization', 'Idempotency-Key'] },
        }),
      }),
    });
  });

  it('gives the page a public user pool client for the authorization-code flow only, called back on the distribution', () => {
    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [
        {
          'Fn::Join': [
            '',
            ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] }, '/'],
          ],
        },
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'tollgate-test-111111111111' });
  });

  it('requires TLS 1.2 from viewers on the customer domain, and calls back there', () => {
    // Act
    const onDomain = siteStack({ withDomain: true }).template;

    // Assess
    onDomain.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['work-room.example.com'],
        ViewerCertificate: Match.objectLike({
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        }),
      }),
    });
    onDomain.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://work-room.example.com/'],
    });
  });

  it('uses a given web ACL instead of making one', () => {
    // Act
    const given = siteStack({ webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1' }).template;

    // Assess
    given.resourceCountIs('AWS::WAFv2::WebACL', 0);
    given.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1',
      }),
    });
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['NIST 800-53 R5', () => new NIST80053R5Checks()],
    ['PCI DSS 3.2.1', () => new PCIDSS321Checks()],
  ])('leaves no unacknowledged %s finding on the site', (_name, pack) => {
    expect(siteFindings(pack())).toEqual([]);
  });

  it('stands beside the shipped dev stage in its own stack, with no reference cycle and no unacknowledged finding', () => {
    // Prepare
    const context = shippedContext();
    const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const config = resolveStageConfig('dev', context.stages);
    const stage = new TollgateStack(app, 'Tollgate-dev', { config });
    const site = new WorkRoomStack(app, 'Tollgate-dev-work-room', {
      stageName: 'dev',
      userPool: stage.api.userPool,
      api: stage.api.api,
      apiPaths: ROUTES.map((r) => r.path.split('/')[1] as string),
      logRetentionDays: config.logRetentionDays,
    });

    // Act
    const assembly = app.synth();
    const findings = [
      new AwsSolutionsChecks(),
      new NIST80053R5Checks(),
      new PCIDSS321Checks(),
      new ServerlessChecks(),
    ]
      .flatMap((pack) => pack.validateScope(site).violations)
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));

    // Assess
    expect(assembly.getStackByName('Tollgate-dev-work-room').dependencies.map((d) => d.id)).toContain(
      'Tollgate-dev',
    );
    expect(assembly.getStackByName('Tollgate-dev').dependencies.map((d) => d.id)).not.toContain(
      'Tollgate-dev-work-room',
    );
    Template.fromStack(site).resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(findings).toEqual([]);
  });
});
