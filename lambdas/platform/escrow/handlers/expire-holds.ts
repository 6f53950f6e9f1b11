import { logger } from '#platform/aws/logger.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { sweepExpiredHolds } from '#platform/escrow/core/expiry-sweep.ts';

const ledger = new DynamoDbEscrowLedger();

/**
 * Scheduled sweeper: holds past their expiry go back to available. Expiry is judged in the
 * write condition, never by TTL, and by this function's own clock: a time in the invoking
 * event is ignored, so whoever can invoke it cannot expire a hold early.
 */
export const handler = async () => {
  const at = new Date();
  const result = await sweepExpiredHolds({ ledger, source: ledger }, at);
  logger.info('expiry sweep finished', { expired: result.expired.length, skipped: result.skipped.length });
  return { at: at.toISOString(), ...result };
};
