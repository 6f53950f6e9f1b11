import { TransientStoreError } from '#platform/core/errors.ts';

/**
 * The errors runbook Tasks retry, by the name Step Functions matches in `ErrorEquals` (a
 * handler's thrown error reaches the state machine as its `name`), and the backoff each gets.
 * Every Task in `statemachines/*.asl.json` retries TRANSIENT_TASK_ERRORS on TRANSIENT_RETRY; a
 * Task whose function calls the model (`model: 'invoke'`) also retries MODEL_TASK_ERRORS on
 * MODEL_RETRY. Anything else fails the step into its Catch. `test/infra/asl-retry-catch.test.ts`
 * holds every runbook in the catalog to this.
 */

/** Lambda failed internally; the invocation may not have run, so running it again is the fix. */
export const LAMBDA_SERVICE_EXCEPTION = 'Lambda.ServiceException';
/** Lambda's own service failed the invoke call; transient on the AWS side. */
export const LAMBDA_AWS_LAMBDA_EXCEPTION = 'Lambda.AWSLambdaException';
/** The call from Step Functions to Lambda failed in transit (network, timeout); nothing was decided. */
export const LAMBDA_SDK_CLIENT_EXCEPTION = 'Lambda.SdkClientException';
/** Account or function concurrency throttled the invoke; it succeeds once capacity frees up. */
export const LAMBDA_TOO_MANY_REQUESTS_EXCEPTION = 'Lambda.TooManyRequestsException';

/** DynamoDB or S3 throttling and transaction conflicts; every handler's writes are idempotent, so a rerun is safe. */
export const TRANSIENT_STORE_ERROR = new TransientStoreError('').name;
/**
 * An evidence bucket call failed other than by throttling (a connection reset or 5xx the SDK gave up on);
 * evidence appends are idempotent, so a retry is safe and costs seconds when the cause is permanent.
 * (The class lives in the S3 adapter, which this core module does not load; the test asserts the name.)
 */
export const EVIDENCE_STORE_ERROR = 'EvidenceStoreError';
/**
 * Bedrock throttled, was unavailable or the model was not ready; model quotas refill by the minute,
 * hence the longer backoff. (The class, ModelThrottledError, belongs to the runbook that calls the
 * model; the test asserts its name.)
 */
export const MODEL_THROTTLED = 'ModelThrottled';

/** The Lambda service errors: any Task that invokes a function can meet them. */
export const LAMBDA_SERVICE_ERRORS: readonly string[] = [
  LAMBDA_SERVICE_EXCEPTION,
  LAMBDA_AWS_LAMBDA_EXCEPTION,
  LAMBDA_SDK_CLIENT_EXCEPTION,
  LAMBDA_TOO_MANY_REQUESTS_EXCEPTION,
];

/** Every Task retries these, `.waitForTaskToken` Tasks and the failure-recording Task included. */
export const TRANSIENT_TASK_ERRORS: readonly string[] = [
  ...LAMBDA_SERVICE_ERRORS,
  TRANSIENT_STORE_ERROR,
  EVIDENCE_STORE_ERROR,
];

/** Tasks whose function has `model: 'invoke'` also retry these; no other Task can throw them. */
export const MODEL_TASK_ERRORS: readonly string[] = [MODEL_THROTTLED];

/** One ASL retrier's backoff, field for field as it appears in the state machine. */
export interface TaskRetryPolicy {
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds: number;
  readonly JitterStrategy: 'FULL';
}

/** TRANSIENT_TASK_ERRORS: up to 4 retries (`MaxAttempts` counts retries), waiting at most 1, 2, 4, 8 s (full jitter). */
export const TRANSIENT_RETRY: TaskRetryPolicy = {
  IntervalSeconds: 1,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 20,
  JitterStrategy: 'FULL',
};

/** MODEL_TASK_ERRORS: up to 6 retries, waiting at most 2, 4, 8, 16, 32, 60 s (doubling, capped, full jitter). */
export const MODEL_RETRY: TaskRetryPolicy = {
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
