import { z } from 'zod';
import { TollgateError } from './errors.ts';

/** What each runbook accepts as the body of `POST /runbooks/{runbook}/executions`. */
const REQUEST_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'deployment-check': z.strictObject({ note: z.string().max(500).optional() }),
};

export function parseRunbookRequest(runbook: string, body: unknown): Record<string, unknown> {
  const schema = REQUEST_SCHEMAS[runbook];
  if (!schema) throw new TollgateError('UNKNOWN_RUNBOOK', `There is no runbook "${runbook}".`);
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new TollgateError(
      'VALIDATION_FAILED',
      `${where}: ${issue?.message ?? 'invalid'}. Fix the request body and send it again.`,
      {
        issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  }
  return result.data as Record<string, unknown>;
}
