/**
 * The environment variables through which a function learns the names of the resources it
 * was granted. The CDK binders set them and the local runtime sets them; handlers read them
 * through `requireEnv`, so configuration and permissions cannot drift apart.
 */
import { TABLE_IDS, type TableId } from '#platform/runs/core/runbook-module.ts';

export { TABLE_IDS, type TableId };

export const TABLE_ENV: Readonly<Record<TableId, string>> = {
  trust: 'TRUST_TABLE_NAME',
  escrow: 'ESCROW_TABLE_NAME',
  work: 'WORK_TABLE_NAME',
  reference: 'REFERENCE_TABLE_NAME',
};

export const EVIDENCE_BUCKET_ENV = 'EVIDENCE_BUCKET_NAME';
/** KMS key (id or ARN) that signs evidence digests; set by the digest binder. */
export const EVIDENCE_SIGNING_KEY_ENV = 'EVIDENCE_SIGNING_KEY_ID';
/**
 * 'true' where the S3 endpoint ignores `If-None-Match: *` on PUT (s3rver): the evidence store
 * then also checks with a HEAD first. The local runtime sets it; AWS never needs it.
 */
export const EVIDENCE_HEAD_BEFORE_PUT_ENV = 'EVIDENCE_HEAD_BEFORE_PUT';
/** The bank-files bucket: payment files go to `outbound/`, the bank's answers arrive in `inbound/`. */
export const BANK_FILES_BUCKET_ENV = 'BANK_FILES_BUCKET_NAME';
/** 'true' where the S3 endpoint ignores `If-None-Match: *` on PUT (s3rver), as for evidence; AWS never needs it. */
export const BANK_FILES_HEAD_BEFORE_PUT_ENV = 'BANK_FILES_HEAD_BEFORE_PUT';
export const STAGE_ENV = 'TOLLGATE_STAGE';
/**
 * The roles each route admits, as JSON `{"GET /approvals": ["ap_clerk", "controller"]}`: set on
 * every API function for the routes it serves (all routes locally). The Cognito authorizer only
 * proves who the caller is; the handler refuses a role the route does not admit.
 */
export const ROUTE_ROLES_ENV = 'TOLLGATE_ROUTE_ROLES';
/** The stage's approval limits per role and currency, as JSON (see `approvalLimitsSchema`); set on every function that decides who may approve. */
export const APPROVAL_LIMITS_ENV = 'TOLLGATE_APPROVAL_LIMITS';
/** The SNS topic trust events (an agent demoted) are published to; unset locally, where they are logged. */
export const TRUST_NOTIFICATIONS_TOPIC_ENV = 'TRUST_NOTIFICATIONS_TOPIC_ARN';

/** `deployment-check` → `RUNBOOK_DEPLOYMENT_CHECK_ARN`. */
export function runbookArnEnv(runbook: string): string {
  return `RUNBOOK_${runbook.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_ARN`;
}

/** `deployment-check` → `RUNBOOK_DEPLOYMENT_CHECK_VERSION`: what a starter stamps on evidence it writes before the run. */
export function runbookVersionEnv(runbook: string): string {
  return `RUNBOOK_${runbook.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_VERSION`;
}

/** `local` selects the deterministic local model; anything else, Bedrock. */
export const MODEL_PROVIDER_ENV = 'TOLLGATE_MODEL_PROVIDER';

export class MissingConfigurationError extends Error {
  readonly code = 'MISSING_CONFIGURATION';
  constructor(variable: string) {
    super(
      `Environment variable ${variable} is not set: bind the resource to this function in the stack (or start it through the local runtime).`,
    );
    this.name = 'MissingConfigurationError';
  }
}

export function requireEnv(variable: string): string {
  const value = process.env[variable];
  if (value === undefined || value === '') throw new MissingConfigurationError(variable);
  return value;
}

export function tableName(table: TableId): string {
  return requireEnv(TABLE_ENV[table]);
}

export function bankFilesBucketName(): string {
  return requireEnv(BANK_FILES_BUCKET_ENV);
}

/** Bedrock model id or inference profile id the function passes as `modelId` to Converse. */
export const MODEL_ID_ENV = 'BEDROCK_MODEL_ID';
/** Guardrail every Converse call carries; IAM refuses a call without it when set. */
export const GUARDRAIL_ID_ENV = 'BEDROCK_GUARDRAIL_ID';
export const GUARDRAIL_VERSION_ENV = 'BEDROCK_GUARDRAIL_VERSION';
