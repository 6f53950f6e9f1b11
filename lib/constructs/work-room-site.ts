import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
  OAuthScope,
  type UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WorkRoomSiteProps {
  /** The stage's user pool: the page signs people in at its hosted UI. */
  readonly userPool: UserPool;
  /** The hosted UI's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); none when the pool already has a domain. */
  readonly domainPrefix?: string;
  /** The pool's existing hosted UI domain name, when it has one (federation). */
  readonly existingDomain?: string;
  /** The finance API: CloudFront sends the API's paths to it, so the page calls its own origin. */
  readonly api: RestApi;
  /** First path segments of the API's routes (e.g. approvals, executions). */
  readonly apiPaths: readonly string[];
  /** Key for the site bucket (CloudFront reads through origin access control). */
  readonly key: IKey;
  /** The stage's access-log bucket: the site bucket's and the CDN log bucket's server access logs go there. */
  readonly accessLogs: IBucket;
  /** Key and retention for the WAF log group. */
  readonly logsKey: IKey;
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
  readonly bucket: Bucket;
  /** CloudFront's standard logs (its log delivery writes with object ACLs, so this bucket keeps them enabled). */
  readonly cdnLogs: Bucket;
  readonly distribution: Distribution;
  readonly client: UserPoolClient;
  readonly url: string;
  readonly signInDomain: string;

  constructor(scope: Construct, id: string, props: WorkRoomSiteProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'work-room-site/',
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

    this.cdnLogs = new Bucket(this, 'CdnLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'work-room-cdn-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const sseS3Reason =
      "CloudFront's standard log delivery writes objects with an ACL for the bucket owner and cannot encrypt them under a customer key; SSE-S3 encrypts them at rest.";
    const logsReplicationReason =
      'Access logs of a page bucket; the stage keeps its audit trail in the evidence bucket, which is what gets replicated and locked.';
    Validations.of(this.cdnLogs).acknowledge(
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3Reason },
      { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: sseS3Reason },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: logsReplicationReason },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason: logsReplicationReason },
    );

    const domain =
      props.existingDomain ??
      props.userPool.addDomain('WorkRoomSignIn', {
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
      logBucket: this.cdnLogs,
      logFilePrefix: 'work-room-cdn/',
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
    this.client = props.userPool.addClient('WorkRoomClient', {
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
      encryptionKey: props.logsKey,
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
