/**
 * Per-stage settings of a Tollgate deployment: one typed object per stage, built from the
 * defaults below with the `stages` context of cdk.json laid over them, and validated before
 * a single construct is created so a bad setting fails `cdk synth` with a sentence that says
 * what to set and where.
 */
export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

export interface EvidenceRetention {
  /** COMPLIANCE: nobody, not even the root user, can shorten it; GOVERNANCE: privileged users can. */
  readonly mode: ObjectLockMode;
  /** Default Object Lock retention of every evidence object, in whole days. */
  readonly days: number;
}

export interface ApprovalThresholds {
  /** Largest invoice (decimal string, e.g. '1000.00') an agent may settle without a person. */
  readonly autoApproveLimit: string;
  /** From this amount up (decimal string) only a controller may approve. */
  readonly controllerThreshold: string;
}

export interface ApiThrottle {
  /** Steady-state requests per second across the stage. */
  readonly rateLimit: number;
  /** Requests the stage absorbs in a burst. */
  readonly burstLimit: number;
}

export type NetworkMode = 'isolated' | 'public';

export interface NetworkSettings {
  /**
   * `isolated`: functions in private isolated subnets, no internet or NAT gateway, AWS
   * services reached only through VPC endpoints. `public`: functions outside any VPC (dev).
   */
  readonly mode: NetworkMode;
  /**
   * The region's AWS-managed prefix lists of the S3 and DynamoDB gateway endpoints
   * (`com.amazonaws.<region>.s3`, `com.amazonaws.<region>.dynamodb`); the function security
   * group allows HTTPS to these and to the interface endpoints, nothing else. Required when isolated.
   */
  readonly gatewayPrefixLists?: { readonly s3: string; readonly dynamodb: string };
}

export interface GuardrailSettings {
  /** Guardrail id (the last part of its ARN). */
  readonly id: string;
  /** A published version number; a working draft can change under a running stage. */
  readonly version: string;
}

export type IdentityProviderSettings =
  | {
      readonly type: 'SAML';
      /** Name users pick at sign-in, also the provider name in the user pool. */
      readonly name: string;
      /** HTTPS URL of the customer IdP's SAML metadata. */
      readonly metadataUrl: string;
    }
  | {
      readonly type: 'OIDC';
      readonly name: string;
      /** HTTPS issuer URL of the customer IdP. */
      readonly issuerUrl: string;
      readonly clientId: string;
      /** Secrets Manager secret holding the client secret; resolved at deploy time, never in the template. */
      readonly clientSecretName: string;
    };

export interface FederationSettings {
  readonly providers: readonly IdentityProviderSettings[];
  /** Cognito hosted sign-in domain prefix. */
  readonly domainPrefix: string;
  /** HTTPS URLs the finance tools receive the authorization code on. */
  readonly callbackUrls: readonly string[];
  /** @default the callback URLs */
  readonly logoutUrls?: readonly string[];
}

export interface LogSubscriptionSettings {
  /** CloudWatch Logs destination, Kinesis stream or Firehose ARN the customer's SIEM reads. */
  readonly destinationArn: string;
  /** Role CloudWatch Logs assumes to write to a stream or Firehose; not needed for a Logs destination. */
  readonly roleArn?: string;
  /** @default '' (every line) */
  readonly filterPattern?: string;
}

export interface StageConfig {
  readonly stageName: string;
  /** Bedrock model id or inference profile id, e.g. `us.anthropic.claude-sonnet-4-5-20250929-v1:0`. */
  readonly modelId: string;
  /**
   * For a geographic inference profile (`us.`, `eu.`, `apac.` …): the regions it routes to,
   * as its definition lists them. Model access is granted in exactly these regions.
   */
  readonly modelRegions?: readonly string[];
  /** Bedrock Guardrail applied to every Converse call and required by IAM. */
  readonly guardrail?: GuardrailSettings;
  readonly network: NetworkSettings;
  /** The customer's SAML or OIDC identity provider for finance users. */
  readonly federation?: FederationSettings;
  /** Every log group of the stage also streams to this destination. */
  readonly logSubscription?: LogSubscriptionSettings;
  /**
   * Address subscribed to the stage's alarm topic (failed runbooks, approvals past deadline, model throttling).
   * @default no subscription: the topic is there for the customer's own on-call tooling to subscribe
   */
  readonly alarmEmail?: string;
  readonly evidenceRetention: EvidenceRetention;
  /** CloudWatch Logs retention of every log group, in days (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
  readonly approvalThresholds: ApprovalThresholds;
  /** How long a pending approval waits for a person before the runbook gives up. */
  readonly approvalTimeoutHours: number;
  readonly apiThrottle: ApiThrottle;
  /** @default the account of the CLI credentials (env-agnostic when there are none) */
  readonly account?: string;
  /** @default the region of the CLI credentials (env-agnostic when there are none) */
  readonly region?: string;
}

export type StageConfigErrorCode =
  | 'UNKNOWN_STAGE'
  | 'MISSING_MODEL_ID'
  | 'INVALID_MODEL'
  | 'INVALID_NETWORK'
  | 'INVALID_FEDERATION'
  | 'MISSING_SETTING'
  | 'INVALID_SETTING'
  | 'INVALID_EVIDENCE_RETENTION'
  | 'INVALID_LOG_RETENTION'
  | 'INVALID_THRESHOLD';

export class StageConfigError extends Error {
  readonly code: StageConfigErrorCode;
  constructor(code: StageConfigErrorCode, message: string) {
    super(message);
    this.name = 'StageConfigError';
    this.code = code;
  }
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

type StageDefaults = Omit<StageConfig, 'stageName' | 'modelId'>;

/**
 * Defaults per known stage. The model id has no default on purpose: which model reads a
 * customer's invoices is decided under the customer's Bedrock contract, so cdk.json names it.
 */
export const STAGE_DEFAULTS: Readonly<Record<string, StageDefaults>> = {
  /** dev: GOVERNANCE lock for one day so a dev stack and its evidence can be torn down. */
  dev: {
    evidenceRetention: { mode: 'GOVERNANCE', days: 1 },
    logRetentionDays: 14,
    approvalThresholds: { autoApproveLimit: '1000.00', controllerThreshold: '50000.00' },
    approvalTimeoutHours: 24,
    apiThrottle: { rateLimit: 10, burstLimit: 20 },
    network: { mode: 'public' },
  },
  /** prod: COMPLIANCE lock for seven years (2557 days), the usual retention for AP records. */
  prod: {
    evidenceRetention: { mode: 'COMPLIANCE', days: 2557 },
    logRetentionDays: 365,
    approvalThresholds: { autoApproveLimit: '1000.00', controllerThreshold: '50000.00' },
    approvalTimeoutHours: 72,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
    network: { mode: 'isolated' },
  },
};

const DECIMAL_AMOUNT = /^(0|[1-9]\d*)\.\d{2}$/;
const AWS_ACCOUNT = /^\d{12}$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The settings of one stage: defaults for `stageName` with `contextStages[stageName]` (the
 * `stages` context of cdk.json) merged over them, validated.
 */
export function resolveStageConfig(stageName: string, contextStages: unknown): StageConfig {
  const stages = contextStages === undefined ? {} : contextStages;
  if (!isRecord(stages)) {
    throw new StageConfigError(
      'INVALID_SETTING',
      'Context "stages" must be an object: fix "stages" in cdk.json.',
    );
  }
  const overrides = stages[stageName];
  const defaults = STAGE_DEFAULTS[stageName];
  if (defaults === undefined && overrides === undefined) {
    const known = [...new Set([...Object.keys(STAGE_DEFAULTS), ...Object.keys(stages)])].sort().join(', ');
    throw new StageConfigError(
      'UNKNOWN_STAGE',
      `Unknown stage "${stageName}" (known: ${known}): pass one of those with -c stage=NAME, or add context "stages.${stageName}" in cdk.json.`,
    );
  }
  if (overrides !== undefined && !isRecord(overrides)) {
    throw new StageConfigError(
      'INVALID_SETTING',
      `Context "stages.${stageName}" must be an object: fix it in cdk.json.`,
    );
  }
  const merged = deepMerge(defaults ?? {}, overrides ?? {});
  return validate(stageName, merged);
}

function validate(stageName: string, raw: Record<string, unknown>): StageConfig {
  const where = (key: string): string => `context "stages.${stageName}.${key}" in cdk.json`;

  const modelId = raw.modelId;
  if (typeof modelId !== 'string' || modelId.trim() === '') {
    throw new StageConfigError(
      'MISSING_MODEL_ID',
      `Stage "${stageName}" has no Bedrock model id: set ${where('modelId')} (a model id or inference profile id, e.g. "us.anthropic.claude-sonnet-4-5-20250929-v1:0").`,
    );
  }

  const retention = requireRecord(raw.evidenceRetention, 'evidenceRetention', where);
  const mode = retention.mode;
  if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') {
    throw new StageConfigError(
      'INVALID_EVIDENCE_RETENTION',
      `Evidence retention mode ${JSON.stringify(mode)} is not valid: set ${where('evidenceRetention.mode')} to "COMPLIANCE" or "GOVERNANCE".`,
    );
  }
  const days = retention.days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
    throw new StageConfigError(
      'INVALID_EVIDENCE_RETENTION',
      `Evidence retention of ${JSON.stringify(days)} days is not valid: set ${where('evidenceRetention.days')} to a whole number of days, at least 1.`,
    );
  }

  const logRetentionDays = raw.logRetentionDays;
  if (!(CLOUDWATCH_RETENTION_DAYS as readonly unknown[]).includes(logRetentionDays)) {
    throw new StageConfigError(
      'INVALID_LOG_RETENTION',
      `Log retention of ${JSON.stringify(logRetentionDays)} days is not one CloudWatch Logs accepts: set ${where('logRetentionDays')} to one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}.`,
    );
  }

  const thresholds = requireRecord(raw.approvalThresholds, 'approvalThresholds', where);
  const autoApproveLimit = requireAmount(
    thresholds.autoApproveLimit,
    'approvalThresholds.autoApproveLimit',
    where,
  );
  const controllerThreshold = requireAmount(
    thresholds.controllerThreshold,
    'approvalThresholds.controllerThreshold',
    where,
  );
  if (minorUnits(autoApproveLimit) > minorUnits(controllerThreshold)) {
    throw new StageConfigError(
      'INVALID_THRESHOLD',
      `The auto-approve limit ${autoApproveLimit} is above the controller threshold ${controllerThreshold}: lower ${where('approvalThresholds.autoApproveLimit')} or raise approvalThresholds.controllerThreshold.`,
    );
  }

  const approvalTimeoutHours = requirePositiveInteger(
    raw.approvalTimeoutHours,
    'approvalTimeoutHours',
    where,
  );
  const throttle = requireRecord(raw.apiThrottle, 'apiThrottle', where);
  const rateLimit = requirePositiveInteger(throttle.rateLimit, 'apiThrottle.rateLimit', where);
  const burstLimit = requirePositiveInteger(throttle.burstLimit, 'apiThrottle.burstLimit', where);

  const account = optionalMatching(raw.account, AWS_ACCOUNT, 'account', 'a 12-digit AWS account id', where);
  const region = optionalMatching(
    raw.region,
    AWS_REGION,
    'region',
    'an AWS region such as "eu-west-1"',
    where,
  );

  const model = validateModel(raw.modelId as string, raw.modelRegions, where);
  const guardrail = optionalGuardrail(raw.guardrail, where);
  const network = validateNetwork(raw.network, where);
  const federation = optionalFederation(raw.federation, where);
  const logSubscription = optionalLogSubscription(raw.logSubscription, where);
  const alarmEmail = optionalMatching(
    raw.alarmEmail,
    EMAIL_ADDRESS,
    'alarmEmail',
    'an e-mail address such as "ap-oncall@example.com"',
    where,
  );

  return {
    stageName,
    modelId: model.modelId,
    ...(model.modelRegions === undefined ? {} : { modelRegions: model.modelRegions }),
    ...(guardrail === undefined ? {} : { guardrail }),
    network,
    ...(federation === undefined ? {} : { federation }),
    ...(logSubscription === undefined ? {} : { logSubscription }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    evidenceRetention: { mode, days },
    logRetentionDays: logRetentionDays as number,
    approvalThresholds: { autoApproveLimit, controllerThreshold },
    approvalTimeoutHours,
    apiThrottle: { rateLimit, burstLimit },
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  };
}

/**
 * The regions AWS's geographic inference profiles route to, used when `modelRegions` is not
 * set; a stage whose profile lists other regions names them in `modelRegions`.
 */
export const PROFILE_DEFAULT_REGIONS: Readonly<Record<string, readonly string[]>> = {
  us: ['us-east-1', 'us-east-2', 'us-west-2'],
  'us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  eu: ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'],
  apac: [
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-southeast-1',
    'ap-southeast-2',
  ],
  jp: ['ap-northeast-1', 'ap-northeast-3'],
  au: ['ap-southeast-2', 'ap-southeast-4'],
  ca: ['ca-central-1', 'ca-west-1'],
};

/** Geographic inference profile prefixes and the regions each may route to. */
export const GEOGRAPHIC_PROFILES: Readonly<Record<string, RegExp>> = {
  us: /^us-(east|west)-\d$/,
  'us-gov': /^us-gov-(east|west)-\d$/,
  eu: /^eu-[a-z]+-\d$/,
  apac: /^ap-[a-z]+-\d$/,
  jp: /^ap-northeast-[13]$/,
  au: /^ap-southeast-[24]$/,
  ca: /^ca-[a-z]+-\d$/,
};

const FOUNDATION_MODEL_ID = /^[a-z0-9-]+\.[A-Za-z0-9.:_-]+$/;

function validateModel(
  modelId: string,
  rawRegions: unknown,
  where: (key: string) => string,
): { modelId: string; modelRegions?: readonly string[] } {
  const id = modelId.trim();
  if (id.startsWith('global.') || id.includes(':inference-profile/global.')) {
    throw new StageConfigError(
      'INVALID_MODEL',
      `Model "${id}" is a global inference profile, which may process prompts in any commercial region: set ${where('modelId')} to a geographic profile (e.g. "eu.${id.slice('global.'.length)}") or an in-region model id.`,
    );
  }
  if (id.includes(':') && id.startsWith('arn:')) {
    throw new StageConfigError(
      'INVALID_MODEL',
      `Model "${id}" is an ARN: set ${where('modelId')} to a model id or a geographic inference profile id; the stack builds the ARNs.`,
    );
  }
  if (!FOUNDATION_MODEL_ID.test(id)) {
    throw new StageConfigError(
      'INVALID_MODEL',
      `Model "${id}" is not a Bedrock model id: set ${where('modelId')} to e.g. "anthropic.claude-sonnet-4-5-20250929-v1:0".`,
    );
  }
  const prefix = id.split('.')[0] as string;
  const geography = GEOGRAPHIC_PROFILES[prefix];
  if (geography === undefined) {
    if (rawRegions !== undefined) {
      throw new StageConfigError(
        'INVALID_MODEL',
        `Model "${id}" is an in-region model, so it takes no regions: remove ${where('modelRegions')}.`,
      );
    }
    return { modelId: id };
  }
  const regions = rawRegions ?? PROFILE_DEFAULT_REGIONS[prefix];
  if (
    !Array.isArray(regions) ||
    regions.length === 0 ||
    !regions.every((region) => typeof region === 'string' && geography.test(region))
  ) {
    throw new StageConfigError(
      'INVALID_MODEL',
      `Inference profile "${id}" routes to regions of geography "${prefix}": set ${where('modelRegions')} to the regions its definition lists (e.g. from "aws bedrock get-inference-profile"), each matching ${geography.source}.`,
    );
  }
  return { modelId: id, modelRegions: [...new Set(regions as string[])] };
}

function optionalGuardrail(value: unknown, where: (key: string) => string): GuardrailSettings | undefined {
  if (value === undefined) return undefined;
  const record = isRecord(value) ? value : {};
  const { id, version } = record;
  if (
    typeof id !== 'string' ||
    !/^[a-z0-9]{1,64}$/.test(id) ||
    typeof version !== 'string' ||
    !/^[1-9]\d{0,7}$/.test(version)
  ) {
    throw new StageConfigError(
      'INVALID_MODEL',
      `Guardrail ${JSON.stringify(value)} is not valid: set ${where('guardrail')} to { "id": "<guardrail id>", "version": "<published version number>" }, or remove it.`,
    );
  }
  return { id, version };
}

const PREFIX_LIST = /^pl-[0-9a-f]{8,17}$/;

function validateNetwork(value: unknown, where: (key: string) => string): NetworkSettings {
  const network = isRecord(value) ? value : {};
  const mode = network.mode;
  if (mode === 'public') return { mode };
  if (mode !== 'isolated') {
    throw new StageConfigError(
      'INVALID_NETWORK',
      `Network mode ${JSON.stringify(mode)} is not valid: set ${where('network.mode')} to "isolated" or "public".`,
    );
  }
  const lists = isRecord(network.gatewayPrefixLists) ? network.gatewayPrefixLists : {};
  const { s3, dynamodb } = lists;
  if (
    typeof s3 !== 'string' ||
    !PREFIX_LIST.test(s3) ||
    typeof dynamodb !== 'string' ||
    !PREFIX_LIST.test(dynamodb)
  ) {
    throw new StageConfigError(
      'INVALID_NETWORK',
      `Isolated network mode needs the region's S3 and DynamoDB prefix lists: set ${where('network.gatewayPrefixLists')} to { "s3": "pl-…", "dynamodb": "pl-…" } (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3), or set network.mode to "public".`,
    );
  }
  return { mode, gatewayPrefixLists: { s3, dynamodb } };
}

const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;

function optionalFederation(value: unknown, where: (key: string) => string): FederationSettings | undefined {
  if (value === undefined) return undefined;
  const fail = (key: string, expected: string): never => {
    throw new StageConfigError(
      'INVALID_FEDERATION',
      `Federation setting "${key}" is not valid: set ${where(`federation.${key}`)} to ${expected}.`,
    );
  };
  if (!isRecord(value)) return fail('providers', 'an object with providers, domainPrefix and callbackUrls');
  const { providers, domainPrefix, callbackUrls, logoutUrls } = value;
  if (!Array.isArray(providers) || providers.length === 0)
    fail('providers', 'a list of SAML or OIDC providers');
  const parsed = (providers as unknown[]).map((provider, index): IdentityProviderSettings => {
    const p = isRecord(provider) ? provider : {};
    if (typeof p.name !== 'string' || !/^[\w.-]{1,32}$/.test(p.name))
      fail(`providers[${index}].name`, 'a name of up to 32 letters, digits, . _ -');
    const name = p.name as string;
    if (p.type === 'SAML') {
      if (typeof p.metadataUrl !== 'string' || !HTTPS_URL.test(p.metadataUrl))
        fail(`providers[${index}].metadataUrl`, 'the HTTPS URL of the IdP metadata');
      return { type: 'SAML', name, metadataUrl: p.metadataUrl as string };
    }
    if (p.type === 'OIDC') {
      if (typeof p.issuerUrl !== 'string' || !HTTPS_URL.test(p.issuerUrl))
        fail(`providers[${index}].issuerUrl`, 'the HTTPS issuer URL');
      if (typeof p.clientId !== 'string' || p.clientId === '')
        fail(`providers[${index}].clientId`, 'the client id registered at the IdP');
      if (typeof p.clientSecretName !== 'string' || p.clientSecretName === '')
        fail(
          `providers[${index}].clientSecretName`,
          'the name of the Secrets Manager secret holding the client secret',
        );
      return {
        type: 'OIDC',
        name,
        issuerUrl: p.issuerUrl as string,
        clientId: p.clientId as string,
        clientSecretName: p.clientSecretName as string,
      };
    }
    return fail(`providers[${index}].type`, '"SAML" or "OIDC"');
  });
  if (typeof domainPrefix !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix))
    fail('domainPrefix', 'a lowercase domain prefix');
  const urls = (key: string, list: unknown): string[] => {
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((url) => typeof url === 'string' && HTTPS_URL.test(url))
    )
      fail(key, 'a list of HTTPS URLs');
    return list as string[];
  };
  const callbacks = urls('callbackUrls', callbackUrls);
  const logouts = logoutUrls === undefined ? callbacks : urls('logoutUrls', logoutUrls);
  return {
    providers: parsed,
    domainPrefix: domainPrefix as string,
    callbackUrls: callbacks,
    logoutUrls: logouts,
  };
}

const SUBSCRIPTION_DESTINATION =
  /^arn:aws[a-z-]*:(logs:[a-z0-9-]+:\d{12}:destination:.+|kinesis:[a-z0-9-]+:\d{12}:stream\/.+|firehose:[a-z0-9-]+:\d{12}:deliverystream\/.+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

function optionalLogSubscription(
  value: unknown,
  where: (key: string) => string,
): LogSubscriptionSettings | undefined {
  if (value === undefined) return undefined;
  const record = isRecord(value) ? value : {};
  const { destinationArn, roleArn, filterPattern } = record;
  if (typeof destinationArn !== 'string' || !SUBSCRIPTION_DESTINATION.test(destinationArn)) {
    throw new StageConfigError(
      'INVALID_SETTING',
      `Log subscription destination ${JSON.stringify(destinationArn)} is not valid: set ${where('logSubscription.destinationArn')} to a CloudWatch Logs destination, Kinesis stream or Firehose ARN.`,
    );
  }
  const needsRole = !destinationArn.includes(':logs:');
  if (roleArn === undefined ? needsRole : typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
    throw new StageConfigError(
      'INVALID_SETTING',
      `Log subscription to ${destinationArn} needs the role CloudWatch Logs writes with: set ${where('logSubscription.roleArn')} to an IAM role ARN.`,
    );
  }
  if (filterPattern !== undefined && typeof filterPattern !== 'string') {
    throw new StageConfigError(
      'INVALID_SETTING',
      `Set ${where('logSubscription.filterPattern')} to a CloudWatch Logs filter pattern string, or remove it.`,
    );
  }
  return {
    destinationArn,
    ...(roleArn === undefined ? {} : { roleArn: roleArn as string }),
    ...(filterPattern === undefined ? {} : { filterPattern }),
  };
}

function requireRecord(value: unknown, key: string, where: (key: string) => string): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new StageConfigError('MISSING_SETTING', `Setting "${key}" is missing: set ${where(key)}.`);
  }
  return value;
}

function requireAmount(value: unknown, key: string, where: (key: string) => string): string {
  if (typeof value !== 'string' || !DECIMAL_AMOUNT.test(value)) {
    throw new StageConfigError(
      'INVALID_THRESHOLD',
      `Threshold ${JSON.stringify(value)} is not a decimal amount: set ${where(key)} to a string with two decimals, e.g. "50000.00".`,
    );
  }
  return value;
}

function requirePositiveInteger(value: unknown, key: string, where: (key: string) => string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StageConfigError(
      'INVALID_SETTING',
      `Setting "${key}" is ${JSON.stringify(value)}: set ${where(key)} to a whole number, at least 1.`,
    );
  }
  return value;
}

function optionalMatching(
  value: unknown,
  pattern: RegExp,
  key: string,
  expected: string,
  where: (key: string) => string,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new StageConfigError(
      'INVALID_SETTING',
      `Setting "${key}" is ${JSON.stringify(value)}: set ${where(key)} to ${expected}, or remove it.`,
    );
  }
  return value;
}

/** Decimal string with two decimals → integer minor units, exact. */
function minorUnits(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

function deepMerge(base: object, overrides: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = result[key];
    result[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
