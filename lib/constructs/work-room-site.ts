import {
  ArnFormat,
  CfnOutput,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  type IUserPool,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WorkRoomSiteProps {
  /** The stage's user pool: the page signs people in at its hosted UI. */
  readonly userPool: IUserPool;
  /** The hosted UI's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); none when the pool already has a domain. */
  readonly domainPrefix?: string;
  /** The pool's existing hosted UI domain name, when it has one (federation). */
  readonly existingDomain?: string;
  /** The finance API: CloudFront sends the API's paths to it, so the page calls its own origin. */
  readonly api: RestApi;
  /** First path segments of the API's routes (e.g. approvals, executions). */
  readonly apiPaths: readonly string[];
  /** How long the WAF's log group keeps its logs. */
  readonly logRetentionDays: number;
  /**
   * A CLOUDFRONT-scope WAF web ACL (such ACLs live in us-east-1). Without one, the site makes its
   * own, which CloudFormation accepts only in a us-east-1 stack.
   */
  readonly webAclArn?: string;
  /**
   * The customer's own name for the page, with its ACM certificate (in us-east-1): viewers then
   * need TLS 1.2 or later. On the default cloudfront.net name AWS fixes the viewer TLS policy.
   */
  readonly customDomain?: { readonly name: string; readonly certificate: ICertificate };
}

/** The page's security headers, as the local stack sends them (local/work-room-site.ts) plus HSTS. */
export function workRoomCsp(cognitoOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${cognitoOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The work room in AWS: the built page in a private bucket that only this distribution reads
 * (origin access control), HTTPS only with security headers and a WAF web ACL, the API's paths
 * sent to the API from the same origin (no CORS), and a user pool client for the hosted UI's
 * authorization-code flow, which the page runs with PKCE (a public client, no secret).
 */
export class WorkRoomSite extends Construct {
  /** The site's key: the page bucket (only this distribution decrypts, through origin access control) and the WAF log group. */
  readonly key: Key;
  readonly bucket: Bucket;
  /** The page bucket's access logs and CloudFront's standard logs (delivered with object ACLs, so ACLs stay enabled). */
  readonly logs: Bucket;
  readonly distribution: Distribution;
  readonly client: UserPoolClient;
  readonly url: string;
  readonly signInDomain: string;

  constructor(scope: Construct, id: string, props: WorkRoomSiteProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.key = new Key(this, 'Key', {
      description: 'Tollgate work room page bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts the WAF's log group with it, for log groups of this account and region only.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': Stack.of(this).formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: 'aws-waf-logs-*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    this.logs = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const sseS3Reason =
      "S3 server access logs and CloudFront's standard logs can only be delivered to a bucket encrypted with SSE-S3, not a customer key; they are encrypted at rest.";
    const logsReplicationReason =
      'Access logs of the page; the stage keeps its audit trail in the evidence bucket, which is what gets replicated and locked.';
    const selfLoggingReason = 'This is the log bucket: logging its own access would log without end.';
    Validations.of(this.logs).acknowledge(
      { id: 'AwsSolutions-S1', reason: selfLoggingReason },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: selfLoggingReason },
      { id: 'PCI.DSS.321-S3BucketLoggingEnabled', reason: selfLoggingReason },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3Reason },
      { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: sseS3Reason },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: logsReplicationReason },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason: logsReplicationReason },
    );

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason:
          'The bucket holds only the built page, rebuilt from source by `npm run build:web`; replicating it protects nothing.',
      },
      {
        id: 'PCI.DSS.321-S3BucketReplicationEnabled',
        reason:
          'The bucket holds only the built page, rebuilt from source by `npm run build:web`; replicating it protects nothing.',
      },
    );

    const domain =
      props.existingDomain ??
      new UserPoolDomain(this, 'SignIn', {
        userPool: props.userPool,
        cognitoDomain: { domainPrefix: props.domainPrefix ?? 'tollgate-work-room' },
      }).domainName;
    this.signInDomain = `${domain}.auth.${region}.amazoncognito.com`;
    const cognitoOrigin = `https://${this.signInDomain}`;

    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Tollgate work room: CSP, HSTS, no framing, no sniffing, no referrer.',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: workRoomCsp(cognitoOrigin), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: false,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const webAclArn = props.webAclArn ?? this.webAcl(props).attrArn;

    // The page is a single index.html; its pages are #fragments, so every other path is an API call or 404.
    const apiOrigin = new RestApiOrigin(props.api);
    const apiBehavior = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: new CachePolicy(this, 'ApiCache', {
        comment: 'Tollgate API through the work room: nothing cached, the bearer token forwarded.',
        defaultTtl: Duration.seconds(0),
        minTtl: Duration.seconds(0),
        maxTtl: Duration.seconds(1),
        headerBehavior: CacheHeaderBehavior.allowList('Authorization', 'Idempotency-Key'),
        queryStringBehavior: CacheQueryStringBehavior.all(),
        cookieBehavior: CacheCookieBehavior.none(),
      }),
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tollgate work room',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      ...(props.customDomain
        ? {
            domainNames: [props.customDomain.name],
            certificate: props.customDomain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      priceClass: PriceClass.PRICE_CLASS_100,
      webAclId: webAclArn,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: Object.fromEntries(
        [...new Set(props.apiPaths)].flatMap((segment) => [
          [`/${segment}`, apiBehavior],
          [`/${segment}/*`, apiBehavior],
        ]),
      ),
    });
    this.url = `https://${props.customDomain?.name ?? this.distribution.distributionDomainName}`;

    // The page reads the client id and the sign-in domain from /config.json, uploaded beside it (README).
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The work room is for the finance team wherever they sign in from; Cognito sign-in with MFA and the WAF decide who gets in, not the viewer country.',
    });
    if (!props.customDomain)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'On the default cloudfront.net name AWS sets the viewer TLS policy and it cannot be raised; a stage that gives the site its own domain and certificate (customDomain) requires TLS 1.2 (TLSv1.2_2021). Origins are reached over HTTPS only.',
      });
  }

  /** A CLOUDFRONT-scope web ACL with AWS's common and known-bad-input rules, a rate limit per IP, and its logs. */
  private webAcl(props: WorkRoomSiteProps): CfnWebACL {
    const acl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: 'TollgateWorkRoom',
        sampledRequestsEnabled: true,
      },
      rules: [
        managedRule('AWSManagedRulesCommonRuleSet', 1),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'RequestsPerClientIp',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'TollgateWorkRoomRate',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    // WAF delivers only to log groups named aws-waf-logs-…; the name is derived from the construct path.
    const logGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`;
    const logs = new LogGroup(this, 'WafLogs', {
      logGroupName,
      retention: props.logRetentionDays as RetentionDays,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logging = new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Tokens and session cookies never reach the WAF log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(logs);
    return acl;
  }
}

function managedRule(name: string, priority: number): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
  };
}

export interface WorkRoomStackProps extends StackProps {
  readonly stageName: string;
  /** The stage's user pool and API, from its Tollgate stack in the same account and region. */
  readonly userPool: IUserPool;
  readonly api: RestApi;
  readonly apiPaths: readonly string[];
  readonly logRetentionDays: number;
  /** The pool's hosted UI domain prefix when the stage already has one (federation). */
  readonly existingDomain?: string;
  readonly webAclArn?: string;
  readonly customDomain?: WorkRoomSiteProps['customDomain'];
}

/**
 * The work room beside a stage's Tollgate stack, in a stack of its own: the stage stack stays
 * within CloudFormation's resource limit, and the page can be redeployed alone.
 */
export class WorkRoomStack extends Stack {
  readonly site: WorkRoomSite;

  constructor(scope: Construct, id: string, props: WorkRoomStackProps) {
    super(scope, id, props);
    this.site = new WorkRoomSite(this, 'WorkRoom', {
      userPool: props.userPool,
      api: props.api,
      apiPaths: props.apiPaths,
      logRetentionDays: props.logRetentionDays,
      ...(props.existingDomain
        ? { existingDomain: props.existingDomain }
        : { domainPrefix: `tollgate-${props.stageName}-${this.account}` }),
      ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
      ...(props.customDomain ? { customDomain: props.customDomain } : {}),
    });
    new CfnOutput(this, 'WorkRoomUrl', { value: this.site.url, description: 'The work room web page' });
    new CfnOutput(this, 'WorkRoomBucketName', {
      value: this.site.bucket.bucketName,
      description: 'Bucket the built work room page is uploaded to',
    });
    new CfnOutput(this, 'WorkRoomClientId', {
      value: this.site.client.userPoolClientId,
      description: 'App client the work room signs in with (hosted UI, code + PKCE)',
    });
    new CfnOutput(this, 'WorkRoomSignInDomain', {
      value: this.site.signInDomain,
      description: 'Hosted UI domain of the work room sign-in',
    });
  }
}
