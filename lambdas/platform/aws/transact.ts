import { TransientStoreError } from '#platform/core/errors.ts';
import { rethrowTransient } from './store-errors.ts';

/** What one attempt decided from its fresh read: write these items, then answer `result`; or answer without writing. */
export type TransactPlan<Item, R> =
  | { readonly write: readonly Item[]; readonly result: R }
  | { readonly done: R };

/** What failed write conditions mean to the caller: the read was stale (decide again), or this is the answer. */
export type ConditionVerdict<R> = 'retry' | { readonly result: R };

export interface TransactOptions<Item, R> {
  /** Reads fresh state and decides. A refusal is thrown from here and ends the loop as it is. */
  readonly plan: (attempt: number) => Promise<TransactPlan<Item, R>>;
  /** Sends one TransactWriteItems with these items (low-level or document client). */
  readonly send: (items: readonly Item[]) => Promise<unknown>;
  /** Called when the transaction was cancelled by write conditions only; `failed` indexes the items whose condition failed. */
  readonly onConditionFailure: (
    failed: readonly number[],
    items: readonly Item[],
  ) => ConditionVerdict<R> | Promise<ConditionVerdict<R>>;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Names the operation in the error at the bound. */
  readonly what: string;
  /** Sees the cancellation reason codes of every cancelled transaction. */
  readonly onCancellation?: (reasons: readonly string[]) => void;
  /** The error at the bound. @default a TransientStoreError, which runbooks retry by name */
  readonly exhausted?: (cause: unknown) => Error;
}

/**
 * Read, decide, write as one TransactWriteItems; again from a fresh read when the write lost a
 * race (a stale condition, a transaction conflict, throttling), with jittered backoff, at most
 * `maxAttempts` times in all. A transient failure of a read in the attempt is retried the same way.
 */
export async function transactFromFreshRead<Item, R>(options: TransactOptions<Item, R>): Promise<R> {
  let cause: unknown;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) await backoff(attempt - 1);
    try {
      const plan = await options.plan(attempt);
      if ('done' in plan) return plan.done;
      const failed = await writeOnce(plan.write, options);
      if (!failed) return plan.result;
      const verdict = await options.onConditionFailure(failed, plan.write);
      if (verdict !== 'retry') return verdict.result;
      cause = new TransientStoreError(`${options.what}: the state changed since it was read.`);
    } catch (error) {
      if (!(error instanceof TransientStoreError)) throw error;
      cause = error;
    }
  }
  throw (
    options.exhausted?.(cause) ??
    new TransientStoreError(
      `${options.what} did not commit in ${options.maxAttempts} attempts under contention; safe to retry.`,
      { cause },
    )
  );
}

/** Undefined when committed; the failed condition indexes when only conditions cancelled it. */
async function writeOnce<Item, R>(
  items: readonly Item[],
  options: TransactOptions<Item, R>,
): Promise<number[] | undefined> {
  try {
    await options.send(items);
    return undefined;
  } catch (error) {
    if ((error as { name?: string } | null)?.name !== 'TransactionCanceledException') rethrowTransient(error);
    const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
      (reason) => reason.Code ?? 'None',
    );
    options.onCancellation?.(reasons);
    if (reasons.some((code) => code !== 'None' && code !== 'ConditionalCheckFailed')) {
      throw new TransientStoreError(`Transaction cancelled (${reasons.join(', ')}); safe to retry.`, {
        cause: error,
      });
    }
    return reasons.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
  }
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
