import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../../lib/config/stage-config.ts';
import { ACKNOWLEDGEMENTS_METADATA_KEY } from '../../lib/security-posture.ts';
import { TollgateStack } from '../../lib/tollgate-stack.ts';
import { shippedContext, synthesizeShippedStages } from './synthesize.ts';

const { dev, prod } = synthesizeShippedStages();

type Resources = Record<string, { Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** A stage synthesized with `overrides` laid over the shipped prod settings. */
function prodWith(overrides: Record<string, unknown>, extend?: (stack: Stack) => void): TollgateStack {
  const context = shippedContext();
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stages = context.stages as Record<string, Record<string, unknown>>;
  const config = resolveStageConfig('prod', { ...stages, prod: { ...stages.prod, ...overrides } });
  const stack = new TollgateStack(app, 'Tollgate-variant', { config });
  extend?.(stack);
  return stack;
}

interface PolicyDocument {
  Statement: { Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown }[];
}

describe('network mode isolated (prod)', () => {
  const template = prod.template;

  it('has no internet gateway, NAT gateway, egress-only gateway or public subnet', () => {
    // Assess
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
    const publicSubnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet')).filter(
      ({ Properties: p }) => p.MapPublicIpOnLaunch === true,
    );
    expect(publicSubnets).toEqual([]);
  });

  it('runs every function in the isolated subnets with the function security group', () => {
    // Prepare
    const subnets = Object.keys(resourcesOf(template, 'AWS::EC2::Subnet'));
    const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'));

    // Act
    const outside = functions
      .filter(([, { Properties: p }]) => {
        const vpc = p.VpcConfig as
          | { SubnetIds?: { Ref: string }[]; SecurityGroupIds?: unknown[] }
          | undefined;
        const ids = (vpc?.SubnetIds ?? []).map((subnet) => subnet.Ref);
        return ids.length === 0 || !ids.every((id) => subnets.includes(id) && /Isolated/.test(id));
      })
      .map(([logicalId]) => logicalId);

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    expect(subnets.every((id) => /Isolated/.test(id))).toBe(true);
    expect(outside).toEqual([]);
  });

  it('gives no security group open egress or open ingress', () => {
    // Prepare
    const groups = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroup'));
    const egressRules = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'));
    const ingressRules = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'));

    // Act
    const rules = [
      ...groups.flatMap(({ Properties: p }) => [
        ...((p.SecurityGroupEgress as Record<string, unknown>[] | undefined) ?? []),
        ...((p.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? []),
      ]),
      ...egressRules.map(({ Properties: p }) => p),
      ...ingressRules.map(({ Properties: p }) => p),
    ];
    const open = rules.filter(
      (rule) =>
        rule.CidrIp === '0.0.0.0/0' ||
        rule.CidrIpv6 === '::/0' ||
        (rule.IpProtocol === '-1' && rule.CidrIp !== '255.255.255.255/32'),
    );
    const httpsOnly = [...egressRules, ...ingressRules].every(
      ({ Properties: p }) => p.FromPort === 443 && p.ToPort === 443 && p.IpProtocol === 'tcp',
    );

    // Assess
    expect(groups.length).toBeGreaterThanOrEqual(2);
    expect(open).toEqual([]);
    expect(httpsOnly).toBe(true);
  });

  it('reaches Bedrock Runtime, Step Functions, KMS and CloudWatch Logs through private-DNS interface endpoints, S3 and DynamoDB through gateway endpoints', () => {
    // Prepare
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint'));
    const serviceOf = (p: Record<string, unknown>) =>
      JSON.stringify(p.ServiceName).match(/\.(bedrock-runtime|states|kms|logs|s3|dynamodb)"/)?.[1];

    // Act
    const interfaces = endpoints
      .filter(({ Properties: p }) => p.VpcEndpointType === 'Interface' && p.PrivateDnsEnabled === true)
      .map(({ Properties: p }) => serviceOf(p));
    const gateways = endpoints
      .filter(({ Properties: p }) => (p.VpcEndpointType ?? 'Gateway') === 'Gateway')
      .map(({ Properties: p }) => serviceOf(p));

    // Assess
    expect(interfaces.sort()).toEqual(['bedrock-runtime', 'kms', 'logs', 'states']);
    expect(gateways.sort()).toEqual(['dynamodb', 's3']);
  });

  it("limits every endpoint policy to this account's principals, named actions and this stack's resources", () => {
    // Prepare
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint'));

    // Act
    const statements = endpoints.flatMap(
      ({ Properties: p }) => (p.PolicyDocument as PolicyDocument).Statement,
    );
    const unscoped = statements.filter(
      (statement) =>
        JSON.stringify(statement.Condition) !==
          JSON.stringify({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } }) ||
        [statement.Action].flat().some((action) => action.includes('*')) ||
        statement.Resource === '*' ||
        (statement.Resource as unknown[]).length === 0,
    );

    // Assess
    expect(statements).toHaveLength(6);
    expect(unscoped).toEqual([]);
  });

  it('names the stack tables in the DynamoDB endpoint policy', () => {
    // Prepare
    const tables = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'));
    const dynamoDb = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint')).find(({ Properties: p }) =>
      JSON.stringify(p.ServiceName).includes('.dynamodb'),
    );

    // Act
    const policy = JSON.stringify(dynamoDb?.Properties.PolicyDocument);

    // Assess
    expect(tables).toHaveLength(4);
    for (const table of tables) expect(policy).toContain(table);
  });

  it('logs all VPC traffic to an encrypted log group', () => {
    // Assess
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  it('refuses at synth a function that is not in the VPC', () => {
    // Act
    const stack = prodWith({}, (s) => {
      new LambdaFunction(s, 'Stray', {
        runtime: Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: Code.fromInline('export const handler = async () => ({});'),
      });
    });

    // Assess
    Annotations.fromStack(stack).hasError(
      '/Tollgate-variant/Stray/Resource',
      Match.stringLikeRegexp('isolated subnets'),
    );
  });
});

describe('network mode public (dev)', () => {
  it('creates no VPC and places no function in one', () => {
    // Assess
    dev.template.resourceCountIs('AWS::EC2::VPC', 0);
    const placed = Object.values(resourcesOf(dev.template, 'AWS::Lambda::Function')).filter(
      ({ Properties: p }) => p.VpcConfig !== undefined,
    );
    expect(placed).toEqual([]);
  });
});

describe.each([
  { stageName: 'dev', template: dev.template },
  { stageName: 'prod', template: prod.template },
])('Tollgate-$stageName logging', ({ template }) => {
  it('encrypts every log group, the WAF log included, and gives each a retention', () => {
    // Prepare
    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));

    // Act
    const unprotected = logGroups.filter(
      ({ Properties: p }) => p.KmsKeyId === undefined || typeof p.RetentionInDays !== 'number',
    );

    // Assess
    expect(logGroups.some(({ Properties: p }) => String(p.LogGroupName).startsWith('aws-waf-logs-'))).toBe(
      true,
    );
    expect(unprotected).toEqual([]);
  });

  it('logs WAF requests with the authorization header redacted', () => {
    // Assess
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });
});

describe('stack-wide validations', () => {
  it('stop synth for a log group without a key or a retention, wherever it is added', () => {
    // Act
    const stack = prodWith({}, (s) => {
      new LogGroup(s, 'Unencrypted', { retention: RetentionDays.ONE_WEEK });
    });

    // Assess
    Annotations.fromStack(stack).hasError(
      '/Tollgate-variant/Unencrypted/Resource',
      Match.stringLikeRegexp('encrypted with the logs key'),
    );
  });
});

describe('SIEM log subscription', () => {
  it('streams every log group of the stage to the configured destination', () => {
    // Prepare
    const destinationArn = 'arn:aws:logs:us-east-1:210987654321:destination:siem';
    const template = Template.fromStack(prodWith({ logSubscription: { destinationArn } }));
    const logGroups = Object.keys(resourcesOf(template, 'AWS::Logs::LogGroup'));

    // Act
    const subscribed = Object.values(resourcesOf(template, 'AWS::Logs::SubscriptionFilter'))
      .filter(({ Properties: p }) => p.DestinationArn === destinationArn)
      .map(({ Properties: p }) => (p.LogGroupName as { Ref: string }).Ref);

    // Assess
    expect(logGroups.length).toBeGreaterThan(3);
    expect(subscribed.sort()).toEqual(logGroups.sort());
  });

  it('adds no subscription when none is configured', () => {
    // Assess
    prod.template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
  });
});

describe('identity', () => {
  it('federates to the customer SAML and OIDC providers, keeping MFA for native users and the secret out of the template', () => {
    // Prepare
    const federation = {
      domainPrefix: 'acme-finance',
      callbackUrls: ['https://finance.acme.example/callback'],
      providers: [
        { type: 'SAML', name: 'AcmeEntra', metadataUrl: 'https://login.acme.example/federationmetadata.xml' },
        {
          type: 'OIDC',
          name: 'AcmeOkta',
          issuerUrl: 'https://acme.okta.example',
          clientId: 'tollgate',
          clientSecretName: 'tollgate/okta-client-secret',
        },
      ],
    };

    // Act
    const template = Template.fromStack(prodWith({ federation }));

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'AcmeEntra',
      ProviderType: 'SAML',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'AcmeOkta',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({
        client_secret: Match.stringLikeRegexp('resolve:secretsmanager:tollgate/okta-client-secret'),
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: [
        'COGNITO',
        { Ref: Match.stringLikeRegexp('IdpAcmeEntra') },
        { Ref: Match.stringLikeRegexp('IdpAcmeOkta') },
      ],
      AllowedOAuthFlows: ['code'],
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });
});

describe('cdk-nag acknowledgements in the template', () => {
  it('write every acknowledgement, with its reason, into the metadata of the resource it covers', () => {
    // Prepare
    const resources = Object.entries(prod.template.toJSON().Resources as Resources);

    // Act
    const acknowledged = resources.flatMap(([logicalId, resource]) =>
      Object.entries(
        (resource.Metadata?.[ACKNOWLEDGEMENTS_METADATA_KEY] as Record<string, string> | undefined) ?? {},
      ).map(([id, reason]) => ({ logicalId, id, reason })),
    );

    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.filter(({ reason }) => reason.length < 60)).toEqual([]);
    expect(
      acknowledged.filter(
        ({ id }) => !/^(AwsSolutions|NIST\.800\.53\.R5|PCI\.DSS\.321|Serverless)-/.test(id),
      ),
    ).toEqual([]);
    expect(acknowledged).toContainEqual(
      expect.objectContaining({
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        logicalId: expect.stringMatching(/^EvidenceRecords/),
      }),
    );
  });
});
