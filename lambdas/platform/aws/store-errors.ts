import { TransientStoreError } from '#platform/core/errors.ts';

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Re-raises throttling and conflicts as TransientStoreError, which runbooks retry by name. */
export function rethrowTransient(error: unknown): never {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (TRANSIENT.has(name))
    throw new TransientStoreError(`DynamoDB ${name}; safe to retry.`, { cause: error });
  throw error;
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
