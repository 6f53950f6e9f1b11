import type { Context } from 'aws-lambda';
import { handler as classify } from './classify-inquiry.ts';
import { handler as reply } from './send-reply.ts';

/**
 * The inquiry's model steps in one function (one set of resources in the stack): `step` in the
 * Task's parameters names which — Classify or Reply. Each is its own runbook step with its own
 * input schema and evidence.
 */
export async function handler(event: unknown, context: Context): Promise<unknown> {
  const step = (event as { step?: unknown } | null)?.step;
  if (step === 'Classify') return classify(event, context);
  if (step === 'Reply') return reply(event, context);
  throw new Error(`Unknown vendor-inquiry model step ${JSON.stringify(step)}.`);
}
