import { isConditionFailure, rethrowTransient } from './store-errors.ts';

/**
 * Sends one conditional write. A failed condition is an answer (already there, not ours, changed),
 * so it returns false instead of throwing; throttling surfaces as TransientStoreError.
 */
export async function writeIf(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    rethrowTransient(error);
  }
}
