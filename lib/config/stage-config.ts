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

export interface StageConfig {
  readonly stageName: string;
  /** Bedrock model id or inference profile id, e.g. `us.anthropic.claude-sonnet-4-5-20250929-v1:0`. */
  readonly modelId: string;
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
  },
  /** prod: COMPLIANCE lock for seven years (2557 days), the usual retention for AP records. */
  prod: {
    evidenceRetention: { mode: 'COMPLIANCE', days: 2557 },
    logRetentionDays: 365,
    approvalThresholds: { autoApproveLimit: '1000.00', controllerThreshold: '50000.00' },
    approvalTimeoutHours: 72,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
  },
};

const DECIMAL_AMOUNT = /^(0|[1-9]\d*)\.\d{2}$/;
const AWS_ACCOUNT = /^\d{12}$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

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

  return {
    stageName,
    modelId: modelId.trim(),
    evidenceRetention: { mode, days },
    logRetentionDays: logRetentionDays as number,
    approvalThresholds: { autoApproveLimit, controllerThreshold },
    approvalTimeoutHours,
    apiThrottle: { rateLimit, burstLimit },
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
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
