import { ArnFormat, Names, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ROUTE_ROLES_ENV } from '#platform/aws/resource-env.ts';
import type { Role } from '#platform/core/roles.ts';
import {
  DOCUMENT_BODY_PATHS,
  greaterThanPattern,
  MAX_BODY_BYTES,
  MAX_DOCUMENT_BODY_BYTES,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '#platform/documents/core/body-limits.ts';
import type { RouteDefinition } from '../catalog.ts';
import type { ApiThrottle, FederationSettings } from '../config/stage-config.ts';
import type { ActionFunction } from './action-function.ts';

export interface FinanceApiProps {
  /** Every route of the API, each with the catalog function behind it. */
  readonly routes: readonly RouteDefinition[];
  /** Action functions by catalog id. */
  readonly functions: ReadonlyMap<string, ActionFunction>;
  /** Finance roles; each becomes a user pool group. */
  readonly roles: readonly Role[];
  readonly throttle: ApiThrottle;
  /** Customer-managed key of the access log group. */
  readonly logsKey: IKey;
  /** Retention of the access log group, a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /**
   * Requests one client IP may send in five minutes before WAF blocks it.
   * @default 300 × throttle.rateLimit, at least 100
   */
  readonly requestsPerIpPerFiveMinutes?: number;
  /**
   * The customer's SAML or OIDC identity providers; federated users sign in through the
   * hosted domain and get their role from the user pool group an administrator puts them in.
   * @default native users only
   */
  readonly federation?: FederationSettings;
}

/** JSON access log line; `principal` is the Cognito subject, so every request names who sent it. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    principal: AccessLogField.contextAuthorizerClaims('sub'),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    wafResponse: AccessLogField.contextWafResponseCode(),
  }),
);

/**
 * The finance team's door: a Cognito user pool whose groups are the finance roles, and a
 * REST API where every method needs a user pool token, validated headers and body, behind
 * stage throttling and a WAF web ACL, with JSON access logs and tracing.
 */
export class FinanceApi extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  readonly webAcl: CfnWebACL;
  readonly wafLogs: LogGroup;

  constructor(scope: Construct, id: string, props: FinanceApiProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus tier: compromised-credential and risky sign-in protection for people who approve payments.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of props.roles) {
      // Group names are the role names handlers read from the token's cognito:groups claim.
      new CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `Tollgate finance role ${role}`,
      });
    }
    const federated = (props.federation?.providers ?? []).map((provider) =>
      provider.type === 'SAML'
        ? new UserPoolIdentityProviderSaml(this, `Idp-${provider.name}`, {
            userPool: this.userPool,
            name: provider.name,
            metadata: UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
            attributeMapping: {
              email: ProviderAttribute.other(
                'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
              ),
            },
          })
        : new UserPoolIdentityProviderOidc(this, `Idp-${provider.name}`, {
            userPool: this.userPool,
            name: provider.name,
            issuerUrl: provider.issuerUrl,
            clientId: provider.clientId,
            // A Secrets Manager dynamic reference: CloudFormation resolves it at deploy time; the template holds only the reference.
            clientSecret: SecretValue.secretsManager(provider.clientSecretName).unsafeUnwrap(),
            scopes: ['openid', 'email', 'profile'],
            attributeMapping: { email: ProviderAttribute.other('email') },
          }),
    );
    if (props.federation) {
      this.userPool.addDomain('SignInDomain', {
        cognitoDomain: { domainPrefix: props.federation.domainPrefix },
      });
    }
    this.client = this.userPool.addClient('FinanceClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      ...(props.federation
        ? {
            supportedIdentityProviders: [
              UserPoolClientIdentityProvider.COGNITO,
              ...federated.map((idp) => UserPoolClientIdentityProvider.custom(idp.providerName)),
            ],
            oAuth: {
              flows: { authorizationCodeGrant: true },
              scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
              callbackUrls: [...props.federation.callbackUrls],
              logoutUrls: [...(props.federation.logoutUrls ?? props.federation.callbackUrls)],
            },
          }
        : {}),
    });
    for (const idp of federated) this.client.node.addDependency(idp);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'Tollgate: start runbooks, follow executions, decide approvals.',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: false,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'api',
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        // Request and response bodies carry invoice data; execution logs keep only the metadata.
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });
    // What API Gateway answers itself (no token, a bad body, throttling, too large) has the
    // handlers' shape: { "error": { "code", "message" } }.
    for (const [type, code, status] of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        ...(status ? { statusCode: status } : {}),
        templates: {
          'application/json': `{"error":{"code":"${code}","message":$context.error.messageString}}`,
        },
      });
    }
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'API Gateway writes execution logs through the account-level role; AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it and this role is assumable only by apigateway.amazonaws.com.',
      });
    }

    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
    });
    const validator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    let jsonObject: Model | undefined;

    // Each API function learns the roles of the routes it serves; its handler refuses any other role.
    const rolesByFunction = new Map<string, Record<string, readonly string[]>>();
    for (const route of props.routes) {
      const served = rolesByFunction.get(route.functionId) ?? {};
      served[`${route.method} ${route.path}`] = route.roles;
      rolesByFunction.set(route.functionId, served);
    }
    for (const [functionId, served] of rolesByFunction)
      props.functions.get(functionId)?.addEnvironment(ROUTE_ROLES_ENV, JSON.stringify(served));

    for (const route of props.routes) {
      const fn = props.functions.get(route.functionId);
      if (!fn) {
        throw new Error(
          `Route ${route.method} ${route.path} names function "${route.functionId}", which is not in FUNCTIONS in lib/catalog.ts.`,
        );
      }
      if (route.jsonBody && !jsonObject) {
        jsonObject = this.api.addModel('JsonObjectBody', {
          contentType: 'application/json',
          description: 'A JSON object; the handler validates its fields.',
          schema: { schema: JsonSchemaVersion.DRAFT4, title: 'JsonObjectBody', type: JsonSchemaType.OBJECT },
        });
      }
      this.api.root
        .resourceForPath(route.path)
        .addMethod(route.method, new LambdaIntegration(fn.function, { allowTestInvoke: false }), {
          authorizer,
          authorizationType: AuthorizationType.COGNITO,
          requestValidator: validator,
          requestParameters: requestParameters(route),
          ...(route.jsonBody && jsonObject ? { requestModels: { 'application/json': jsonObject } } : {}),
        });
    }

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metrics('TollgateApi'),
      // Inspect up to 64 KB of a body (the default is 16 KB): the size rule below relies on it.
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      customResponseBodies: {
        [PAYLOAD_TOO_LARGE]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: { code: PAYLOAD_TOO_LARGE, message: payloadTooLargeMessage(MAX_BODY_BYTES) },
          }),
        },
        DocumentTooLarge: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: { code: PAYLOAD_TOO_LARGE, message: payloadTooLargeMessage(MAX_DOCUMENT_BODY_BYTES) },
          }),
        },
      },
      rules: [
        bodyLimitRule(0),
        documentBodyLimitRule(4),
        // The common rule set blocks every body over 8 KB (SizeRestrictions_BODY): counted here,
        // because body size is decided by the rule above, per route, with the local gateway's limits.
        managedRule('AWSManagedRulesCommonRuleSet', 1, ['SizeRestrictions_BODY']),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'RequestsPerClientIp',
          priority: 3,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.requestsPerIpPerFiveMinutes ?? Math.max(100, props.throttle.rateLimit * 300),
            },
          },
          visibilityConfig: metrics('RequestsPerClientIp'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF delivers only to log groups named aws-waf-logs-…; the name is derived from the construct path, so it stays unique.
    const wafLogGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`;
    this.wafLogs = new LogGroup(this, 'WafLogs', {
      logGroupName: wafLogGroupName,
      retention: props.logRetentionDays as RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const wafLogging = new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Tokens and session cookies never reach the WAF log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    wafLogging.node.addDependency(this.wafLogs);
  }

  /** The invoke URL of the deployed stage. */
  get url(): string {
    return this.api.url;
  }
}

/**
 * API Gateway's own answers and the error code each carries; the status is API Gateway's unless
 * given. Two in the handlers' vocabulary; every other 4XX and 5XX names its gateway response type
 * as its code (ACCESS_DENIED, THROTTLED, BAD_REQUEST_BODY…). Few on purpose: a stack holds 500 resources.
 */
const GATEWAY_RESPONSES: readonly (readonly [ResponseType, string, string?])[] = [
  [ResponseType.UNAUTHORIZED, 'UNAUTHENTICATED'],
  [ResponseType.REQUEST_TOO_LARGE, PAYLOAD_TOO_LARGE, '413'],
  [ResponseType.DEFAULT_4XX, '$context.error.responseType'],
  [ResponseType.DEFAULT_5XX, '$context.error.responseType'],
];

/** Path parameters and required headers must be present; query parameters are optional. */
function requestParameters(route: RouteDefinition): Record<string, boolean> {
  const parameters: Record<string, boolean> = {};
  for (const match of route.path.matchAll(/\{([^}]+)\}/g))
    parameters[`method.request.path.${match[1]}`] = true;
  for (const header of route.requiredHeaders ?? []) parameters[`method.request.header.${header}`] = true;
  for (const query of route.queryParameters ?? []) parameters[`method.request.querystring.${query}`] = false;
  return parameters;
}

function managedRule(
  name: string,
  priority: number,
  counted: readonly string[] = [],
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(counted.length > 0
          ? { ruleActionOverrides: counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
          : {}),
      },
    },
    visibilityConfig: metrics(name),
  };
}

/** The request path ends with one of the document routes (API Gateway puts the stage name before it). */
function onDocumentPath(): CfnWebACL.StatementProperty {
  const statements = DOCUMENT_BODY_PATHS.map((path) => ({
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'ENDS_WITH',
      searchString: path,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  }));
  return statements.length === 1
    ? (statements[0] as CfnWebACL.StatementProperty)
    : { orStatement: { statements } };
}

/** Blocked with 413 and the JSON error body under `bodyKey`. */
function tooLarge(bodyKey: string): CfnWebACL.RuleActionProperty {
  return { block: { customResponse: { responseCode: 413, customResponseBodyKey: bodyKey } } };
}

/**
 * 413 PAYLOAD_TOO_LARGE outside the document routes: a body over MAX_BODY_BYTES, the limit the
 * local gateway applies too (body-limits.ts). A body past the inspection limit counts as over it.
 */
function bodyLimitRule(priority: number): CfnWebACL.RuleProperty {
  return {
    name: 'BodyOverLimit',
    priority,
    action: tooLarge(PAYLOAD_TOO_LARGE),
    statement: {
      andStatement: {
        statements: [
          { notStatement: { statement: onDocumentPath() } },
          {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: MAX_BODY_BYTES,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        ],
      },
    },
    visibilityConfig: metrics('BodyOverLimit'),
  };
}

/**
 * 413 PAYLOAD_TOO_LARGE on a document route whose Content-Length is over
 * MAX_DOCUMENT_BODY_BYTES (WAF sees only the first 64 KB of a body, and compares header values
 * as text: the pattern matches exactly the numbers above the limit).
 */
function documentBodyLimitRule(priority: number): CfnWebACL.RuleProperty {
  return {
    name: 'DocumentBodyOverLimit',
    priority,
    action: tooLarge('DocumentTooLarge'),
    statement: {
      andStatement: {
        statements: [
          onDocumentPath(),
          {
            regexMatchStatement: {
              fieldToMatch: { singleHeader: { Name: 'content-length' } },
              regexString: greaterThanPattern(MAX_DOCUMENT_BODY_BYTES),
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        ],
      },
    },
    visibilityConfig: metrics('DocumentBodyOverLimit'),
  };
}

function metrics(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}
