import { TollgateError } from '#platform/core/errors.ts';
import type { EscrowLedger } from './escrow-ledger.ts';

export interface ExpirySource {
  dueForExpiry(at: Date, limit: number): Promise<string[]>;
}

/**
 * Expires every open hold due at `at`. The operation id is derived from the hold, so two
 * sweepers racing, or a sweep retried, expire each hold once; a disputed or already-closed
 * hold is skipped, never forced.
 */
export async function sweepExpiredHolds(
  deps: { ledger: Pick<EscrowLedger, 'expire'>; source: ExpirySource },
  at: Date,
  limit = 100,
): Promise<{ expired: string[]; skipped: string[] }> {
  const expired: string[] = [];
  const skipped: string[] = [];
  for (const holdId of await deps.source.dueForExpiry(at, limit)) {
    try {
      await deps.ledger.expire({ operationId: `expire:${holdId}`, holdId, at });
      expired.push(holdId);
    } catch (error) {
      if (error instanceof TollgateError && error.code === 'HOLD_NOT_OPEN') skipped.push(holdId);
      else throw error;
    }
  }
  return { expired, skipped };
}
