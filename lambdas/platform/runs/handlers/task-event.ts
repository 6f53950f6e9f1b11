import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '#platform/aws/logger.ts';

/** Every Task receives the runbook context the Runbook construct injects into its Parameters. */
export const runbookContext = z.object({
  runbook: z.string().min(1),
  runbookVersion: z.string().regex(/^[a-f0-9]{64}$/),
  executionId: z.string().min(1),
});
export type RunbookContext = z.infer<typeof runbookContext>;

/**
 * Parses a Task's input against its schema (the context keys included) and puts the
 * correlation ids on every log line the handler writes.
 */
export function parseTaskEvent<T extends z.ZodRawShape>(
  shape: T,
  event: unknown,
  context: Context,
): z.infer<z.ZodObject<T>> & RunbookContext {
  const parsed = runbookContext.extend(shape).parse(event) as z.infer<z.ZodObject<T>> & RunbookContext;
  logger.addContext(context);
  logger.appendKeys({
    executionId: parsed.executionId,
    runbook: parsed.runbook,
    runbookVersion: parsed.runbookVersion,
  });
  return parsed;
}
