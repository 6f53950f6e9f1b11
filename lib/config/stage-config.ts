/**
 * Per-stage settings of a Tollgate deployment: one typed object per stage, built from the
 * defaults below with the `stages` context of cdk.json laid over them, and validated before
 * a single construct is created so a bad setting fails `cdk synth` with a sentence that says
 * what to set and where.
 */
import * as z from 'zod';
import {
  type ApprovalLimits,
  approvalLimitsSchema,
  DEFAULT_APPROVAL_LIMITS,
} from '#platform/approvals/core/authority.ts';
import { currencyExponent, money } from '#platform/core/money.ts';
import { ROLES } from '#platform/core/roles.ts';

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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
const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;
const SUBSCRIPTION_DESTINATION =
  /^arn:aws[a-z-]*:(logs:[a-z0-9-]+:\d{12}:destination:.+|kinesis:[a-z0-9-]+:\d{12}:stream\/.+|firehose:[a-z0-9-]+:\d{12}:deliverystream\/.+)$/;

/** A string matching `pattern`; every failure says `expected`. */
const matching = (pattern: RegExp, expected: string) =>
  z.string({ error: expected }).regex(pattern, expected);
/** A whole number, at least 1; every failure says `expected`. */
const wholeNumber = (expected: string) => z.int({ error: expected }).min(1, expected);
const httpsUrls = z
  .array(matching(HTTPS_URL, 'an HTTPS URL'), { error: 'a list of HTTPS URLs' })
  .min(1, 'a list of HTTPS URLs');
const prefixList = matching(
  /^pl-[0-9a-f]{8,17}$/,
  'the id ("pl-…") of the managed prefix list com.amazonaws.<region>.s3 or .dynamodb (aws ec2 describe-managed-prefix-lists)',
);

const evidenceRetentionSchema = z.strictObject(
  {
    /** COMPLIANCE: nobody, not even the root user, can shorten it; GOVERNANCE: privileged users can. */
    mode: z.enum(['COMPLIANCE', 'GOVERNANCE'], { error: '"COMPLIANCE" or "GOVERNANCE"' }),
    /** Default Object Lock retention of every evidence object, in whole days. */
    days: wholeNumber('a whole number of days, at least 1'),
  },
  { error: '{ "mode": "COMPLIANCE" or "GOVERNANCE", "days": <whole days> }' },
);

const apiThrottleSchema = z.strictObject(
  {
    /** Steady-state requests per second across the stage. */
    rateLimit: wholeNumber('a whole number of requests per second, at least 1'),
    /** Requests the stage absorbs in a burst. */
    burstLimit: wholeNumber('a whole number of requests, at least 1'),
  },
  { error: '{ "rateLimit": <requests per second>, "burstLimit": <requests> }' },
);

const networkSchema = z
  .strictObject(
    {
      /**
       * `isolated`: functions in private isolated subnets, no internet or NAT gateway, AWS
       * services reached only through VPC endpoints. `public`: functions outside any VPC (dev).
       */
      mode: z.enum(['isolated', 'public'], { error: '"isolated" or "public"' }),
      /**
       * The region's AWS-managed prefix lists of the S3 and DynamoDB gateway endpoints
       * (`com.amazonaws.<region>.s3`, `com.amazonaws.<region>.dynamodb`); the function security
       * group allows HTTPS to these and to the interface endpoints, nothing else. Required when isolated.
       */
      gatewayPrefixLists: z.strictObject({ s3: prefixList, dynamodb: prefixList }).optional(),
    },
    { error: '{ "mode": "isolated" or "public", "gatewayPrefixLists": … }' },
  )
  .superRefine((network, ctx) => {
    if (network.mode === 'isolated' && network.gatewayPrefixLists === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['gatewayPrefixLists'],
        message:
          'the region\'s S3 and DynamoDB prefix lists, { "s3": "pl-…", "dynamodb": "pl-…" } (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3), which isolated network mode needs; or set network.mode to "public"',
      });
    }
  });

const guardrailSchema = z.strictObject(
  {
    /** Guardrail id (the last part of its ARN). */
    id: matching(/^[a-z0-9]{1,64}$/, 'the guardrail id, the last part of its ARN'),
    /** A published version number; a working draft can change under a running stage. */
    version: matching(
      /^[1-9]\d{0,7}$/,
      'a published version number such as "3" (a draft can change under a stage)',
    ),
  },
  { error: '{ "id": "<guardrail id>", "version": "<published version number>" }, or remove it' },
);

const providerName = matching(/^[\w.-]{1,32}$/, 'a name of up to 32 letters, digits, . _ -');
const identityProviderSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('SAML'),
      /** Name users pick at sign-in, also the provider name in the user pool. */
      name: providerName,
      /** HTTPS URL of the customer IdP's SAML metadata. */
      metadataUrl: matching(HTTPS_URL, 'the HTTPS URL of the IdP metadata'),
    }),
    z.strictObject({
      type: z.literal('OIDC'),
      name: providerName,
      /** HTTPS issuer URL of the customer IdP. */
      issuerUrl: matching(HTTPS_URL, 'the HTTPS issuer URL'),
      clientId: z
        .string({ error: 'the client id registered at the IdP' })
        .min(1, 'the client id registered at the IdP'),
      /** Secrets Manager secret holding the client secret; resolved at deploy time, never in the template. */
      clientSecretName: z
        .string({ error: 'the name of the Secrets Manager secret holding the client secret' })
        .min(1, 'the name of the Secrets Manager secret holding the client secret'),
    }),
  ],
  { error: 'a provider with "type": "SAML" or "OIDC"' },
);

const federationSchema = z
  .strictObject(
    {
      providers: z
        .array(identityProviderSchema, { error: 'a list of SAML or OIDC providers' })
        .min(1, 'a list of SAML or OIDC providers'),
      /** Cognito hosted sign-in domain prefix. */
      domainPrefix: matching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'a lowercase domain prefix'),
      /** HTTPS URLs the finance tools receive the authorization code on. */
      callbackUrls: httpsUrls,
      /** @default the callback URLs */
      logoutUrls: httpsUrls.optional(),
    },
    { error: 'an object with providers, domainPrefix and callbackUrls' },
  )
  .transform((federation) => ({
    ...federation,
    logoutUrls: federation.logoutUrls ?? federation.callbackUrls,
  }));

const logSubscriptionSchema = z
  .strictObject(
    {
      /** CloudWatch Logs destination, Kinesis stream or Firehose ARN the customer's SIEM reads. */
      destinationArn: matching(
        SUBSCRIPTION_DESTINATION,
        'a CloudWatch Logs destination, Kinesis stream or Firehose ARN',
      ),
      /** Role CloudWatch Logs assumes to write to a stream or Firehose; not needed for a Logs destination. */
      roleArn: matching(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN').optional(),
      /** @default '' (every line) */
      filterPattern: z.string({ error: 'a CloudWatch Logs filter pattern string' }).optional(),
    },
    { error: 'an object with destinationArn (and roleArn for a stream or Firehose)' },
  )
  .superRefine((subscription, ctx) => {
    if (!subscription.destinationArn.includes(':logs:') && subscription.roleArn === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['roleArn'],
        message: `the ARN of the IAM role CloudWatch Logs writes to ${subscription.destinationArn} with`,
      });
    }
  });

/** Limits as decimal strings fit their currency; a `*` limit also covers currencies without decimals. */
const stageApprovalLimitsSchema = approvalLimitsSchema.superRefine((limits, ctx) => {
  for (const [role, byCurrency] of Object.entries(limits)) {
    for (const [currency, limit] of Object.entries(byCurrency ?? {})) {
      if (limit === 'unlimited') continue;
      const strictest = currency === '*' ? 'JPY' : currency;
      try {
        money(limit, strictest);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: [role, currency],
          message:
            currency === '*'
              ? 'a whole amount (a "*" limit also covers currencies without decimals, such as JPY), or "unlimited"'
              : `an amount with at most ${currencyExponent(currency)} decimals, as ${currency} has, or "unlimited"`,
        });
      }
    }
  }
});

const MODEL_ID_EXPECTED =
  'a Bedrock model id or inference profile id, e.g. "us.anthropic.claude-sonnet-4-5-20250929-v1:0"';

/** Why `id` cannot be the stage's model, as what to set instead; undefined when it can. */
function modelIdProblem(id: string): string | undefined {
  const global = id.indexOf('global.');
  if (id.startsWith('global.') || id.includes(':inference-profile/global.')) {
    return `a geographic inference profile (e.g. "eu.${id.slice(global + 'global.'.length)}") or an in-region model id: a global profile may process prompts in any commercial region`;
  }
  if (id.startsWith('arn:'))
    return 'a model id or geographic inference profile id, not an ARN: the stack builds the ARNs';
  if (!FOUNDATION_MODEL_ID.test(id)) return MODEL_ID_EXPECTED;
  return undefined;
}

const stageSchema = z
  .strictObject({
    stageName: z.string(),
    /** Bedrock model id or inference profile id, e.g. `us.anthropic.claude-sonnet-4-5-20250929-v1:0`. */
    modelId: z
      .string({ error: MODEL_ID_EXPECTED })
      .trim()
      .min(1, MODEL_ID_EXPECTED)
      .superRefine((id, ctx) => {
        const problem = modelIdProblem(id);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    evidenceRetention: evidenceRetentionSchema,
    /** CloudWatch Logs retention of every log group, in days (a value CloudWatch accepts). */
    logRetentionDays: z.literal(CLOUDWATCH_RETENTION_DAYS, {
      error: `a retention CloudWatch Logs accepts, one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`,
    }),
    /**
     * The most each role may approve, per currency, in any runbook; every stage starts from
     * DEFAULT_APPROVAL_LIMITS and may override single roles and currencies.
     */
    approvalLimits: stageApprovalLimitsSchema,
    apiThrottle: apiThrottleSchema,
    /** @default the account of the CLI credentials (env-agnostic when there are none) */
    account: matching(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
    /** @default the region of the CLI credentials (env-agnostic when there are none) */
    region: matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as "eu-west-1"').optional(),
    /**
     * For a geographic inference profile (`us.`, `eu.`, `apac.` …): the regions it routes to,
     * as its definition lists them. Model access is granted in exactly these regions.
     */
    modelRegions: z
      .array(z.string({ error: 'an AWS region' }), { error: 'a list of AWS regions, e.g. ["us-east-1"]' })
      .optional(),
    /** Bedrock Guardrail applied to every Converse call and required by IAM. */
    guardrail: guardrailSchema.optional(),
    network: networkSchema,
    /** The customer's SAML or OIDC identity provider for finance users. */
    federation: federationSchema.optional(),
    /** Every log group of the stage also streams to this destination. */
    logSubscription: logSubscriptionSchema.optional(),
    /**
     * Address subscribed to the stage's alarm topic (failed runbooks, approvals past deadline, model throttling).
     * @default no subscription: the topic is there for the customer's own on-call tooling to subscribe
     */
    alarmEmail: matching(
      /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
      'an e-mail address such as "ap-oncall@example.com"',
    ).optional(),
  })
  .superRefine((stage, ctx) => {
    const prefix = stage.modelId.split('.')[0] ?? '';
    const geography = GEOGRAPHIC_PROFILES[prefix];
    if (geography === undefined) {
      if (stage.modelRegions !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['modelRegions'],
          params: { remove: true },
          message: `model "${stage.modelId}" is an in-region model, so it takes no regions`,
        });
      }
    } else if (stage.modelRegions?.length === 0 || stage.modelRegions?.some((r) => !geography.test(r))) {
      ctx.addIssue({
        code: 'custom',
        path: ['modelRegions'],
        message: `the regions inference profile "${stage.modelId}" routes to, as its definition lists them (aws bedrock get-inference-profile), each in geography "${prefix}" (${geography.source})`,
      });
    }
  })
  .transform((stage) => {
    const defaultRegions = PROFILE_DEFAULT_REGIONS[stage.modelId.split('.')[0] ?? ''];
    const regions = stage.modelRegions ?? defaultRegions;
    return regions === undefined ? stage : { ...stage, modelRegions: [...new Set(regions)] };
  });

export type StageConfig = z.infer<typeof stageSchema>;
export type EvidenceRetention = StageConfig['evidenceRetention'];
export type ObjectLockMode = EvidenceRetention['mode'];
export type ApiThrottle = StageConfig['apiThrottle'];
export type NetworkSettings = StageConfig['network'];
export type NetworkMode = NetworkSettings['mode'];
export type GuardrailSettings = z.infer<typeof guardrailSchema>;
export type FederationSettings = z.infer<typeof federationSchema>;
export type IdentityProviderSettings = FederationSettings['providers'][number];
export type LogSubscriptionSettings = z.infer<typeof logSubscriptionSchema>;
export type { ApprovalLimits };

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
  | 'INVALID_APPROVAL_LIMITS';

export class StageConfigError extends Error {
  readonly code: StageConfigErrorCode;
  constructor(code: StageConfigErrorCode, message: string) {
    super(message);
    this.name = 'StageConfigError';
    this.code = code;
  }
}

type StageDefaults = Omit<z.input<typeof stageSchema>, 'stageName' | 'modelId' | 'approvalLimits'>;

/** What every stage starts from, a known one or one added in cdk.json. */
const EVERY_STAGE = { approvalLimits: DEFAULT_APPROVAL_LIMITS };

/**
 * Defaults per known stage. The model id has no default on purpose: which model reads a
 * customer's invoices is decided under the customer's Bedrock contract, so cdk.json names it.
 */
export const STAGE_DEFAULTS: Readonly<Record<string, StageDefaults>> = {
  /** dev: GOVERNANCE lock for one day so a dev stack and its evidence can be torn down. */
  dev: {
    evidenceRetention: { mode: 'GOVERNANCE', days: 1 },
    logRetentionDays: 14,
    apiThrottle: { rateLimit: 10, burstLimit: 20 },
    network: { mode: 'public' },
  },
  /**
   * uat: shaped like prod (isolated network) so a runbook version is tried where it will run,
   * with a GOVERNANCE lock of 90 days; prod accepts only a version approved into uat.
   */
  uat: {
    evidenceRetention: { mode: 'GOVERNANCE', days: 90 },
    logRetentionDays: 90,
    apiThrottle: { rateLimit: 20, burstLimit: 40 },
    network: { mode: 'isolated' },
  },
  /** prod: COMPLIANCE lock for seven years (2557 days), the usual retention for AP records. */
  prod: {
    evidenceRetention: { mode: 'COMPLIANCE', days: 2557 },
    logRetentionDays: 365,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
    network: { mode: 'isolated' },
  },
};

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
  const merged = { ...deepMerge(deepMerge(EVERY_STAGE, defaults ?? {}), overrides ?? {}), stageName };
  const parsed = stageSchema.safeParse(merged, { error: fallbackExpectation });
  if (parsed.success) return parsed.data;
  const problems = uniqueByPath(parsed.error.issues.flatMap((issue) => settingProblems(issue, merged)));
  const first = problems[0];
  throw new StageConfigError(
    first ? first.code : 'INVALID_SETTING',
    problems.map((problem) => sentence(stageName, problem)).join('\n'),
  );
}

/** Settings cdk.json may still carry from earlier versions, and where their job went. */
const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  approvalThresholds:
    "approvals are limited per role and currency in approvalLimits; the invoice runbook's thresholds are in statemachines/policies/ap-invoice.json",
  approvalTimeoutHours: "the invoice runbook's approval timeout is in statemachines/policies/ap-invoice.json",
};

const CODE_BY_SETTING: Readonly<Record<string, StageConfigErrorCode>> = {
  modelId: 'INVALID_MODEL',
  modelRegions: 'INVALID_MODEL',
  guardrail: 'INVALID_MODEL',
  network: 'INVALID_NETWORK',
  federation: 'INVALID_FEDERATION',
  evidenceRetention: 'INVALID_EVIDENCE_RETENTION',
  logRetentionDays: 'INVALID_LOG_RETENTION',
  approvalLimits: 'INVALID_APPROVAL_LIMITS',
};

interface SettingProblem {
  readonly code: StageConfigErrorCode;
  readonly path: readonly PropertyKey[];
  readonly input: unknown;
  /** What to set it to, or (when `remove`) why it has to go. */
  readonly clause: string;
  readonly remove: boolean;
}

/** What a value should be, for the issues whose schema (here, the approval limits') names none. */
function fallbackExpectation(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.path?.[0] === 'approvalLimits') {
    if (issue.path.length === 1)
      return 'limits per role, then per currency, e.g. { "controller": { "*": "unlimited" } }';
    if (issue.path.length === 2) return 'limits per currency, e.g. { "USD": "50000.00", "*": "unlimited" }';
    return 'a decimal amount such as "50000.00", or "unlimited"';
  }
  if (issue.code === 'invalid_type') return issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
  return undefined;
}

/** The sentences one zod issue becomes, each naming the setting and its value in `stage`. */
function settingProblems(issue: z.core.$ZodIssue, stage: Record<string, unknown>): SettingProblem[] {
  const problem = (path: readonly PropertyKey[], clause: string, remove: boolean): SettingProblem => {
    const input = valueAt(stage, path);
    const setting = String(path[0]);
    const missing = input === undefined || (typeof input === 'string' && input.trim() === '');
    const code =
      setting === 'modelId' && missing
        ? 'MISSING_MODEL_ID'
        : path.length === 1 && input === undefined
          ? 'MISSING_SETTING'
          : (CODE_BY_SETTING[setting] ?? 'INVALID_SETTING');
    return { code, path, input, clause, remove };
  };
  if (issue.code === 'unrecognized_keys') {
    const hint = (key: string): string =>
      issue.path.length === 0
        ? (RETIRED_SETTINGS[key] ?? 'Tollgate has no such setting')
        : issue.path.join('.') === 'approvalLimits'
          ? `approval limits are per role: ${ROLES.join(', ')}`
          : 'Tollgate has no such setting';
    return issue.keys.map((key) => problem([...issue.path, key], hint(key), true));
  }
  const clause = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [problem(issue.path, clause, issue.code === 'custom' && issue.params?.remove === true)];
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (current, key) =>
      isRecord(current) || Array.isArray(current)
        ? (current as Record<PropertyKey, unknown>)[key]
        : undefined,
    value,
  );
}

/** One sentence per setting: the first problem zod finds in it says the most. */
function uniqueByPath(problems: readonly SettingProblem[]): SettingProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = settingPath(problem.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sentence(stageName: string, problem: SettingProblem): string {
  const relative = settingPath(problem.path);
  const where = `context "stages.${stageName}.${relative}"`;
  const has = problem.input === undefined ? `no ${relative}` : `${relative} ${shown(problem.input)}`;
  return problem.remove
    ? `Stage "${stageName}" has ${has}: remove ${where} from cdk.json (${problem.clause}).`
    : `Stage "${stageName}" has ${has}: set ${where} in cdk.json to ${problem.clause}.`;
}

/** `['federation', 'providers', 0, 'name']` → `federation.providers[0].name`. */
function settingPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 79)}…` : json;
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
