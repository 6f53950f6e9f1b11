import type { Context } from 'aws-lambda';
import { handler as review } from './clerk-review.ts';
import { handler as identifyAndGather } from './identify-and-gather.ts';
import { handler as recordFailure } from './record-failure.ts';

/**
 * The inquiry's deterministic steps in one function (one set of resources in the stack): `step`
 * in the Task's parameters names which — IdentifyAndGatherFacts, ClerkReview or RecordFailure.
 * Each is its own runbook step with its own input schema and evidence.
 */
export async function handler(event: unknown, context: Context): Promise<unknown> {
  const step = (event as { step?: unknown } | null)?.step;
  if (step === 'IdentifyAndGatherFacts') return identifyAndGather(event, context);
  if (step === 'ClerkReview') return review(event, context);
  if (step === 'RecordFailure') return recordFailure(event, context);
  throw new Error(`Unknown vendor-inquiry step ${JSON.stringify(step)}.`);
}
