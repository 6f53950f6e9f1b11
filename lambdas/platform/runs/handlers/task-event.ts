import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '#platform/aws/logger.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';

/**
 * Every Task receives the runbook context the Runbook construct injects into its Parameters:
 * the execution's ARN, from which `executionId` — the execution's name, the id the API, the
 * work room and the evidence use — is derived. `executionId` means that one thing everywhere.
 */
export const runbookContext = z.object({
  runbook: z.string().min(1),
  runbookVersion: z.string().regex(/^[a-f0-9]{64}$/),
  executionArn: z.string().min(1),
});
export type RunbookContext = z.infer<typeof runbookContext> & { readonly executionId: string };

/**
 * Parses a Task's input against its schema (the context keys included) and puts the
 * correlation ids on every log line the handler writes.
 */
export function parseTaskEvent<T extends z.ZodRawShape>(
  shape: T,
  event: unknown,
  context: Context,
): z.infer<z.ZodObject<T>> & RunbookContext {
  const input = runbookContext.extend(shape).parse(event) as z.infer<z.ZodObject<T>> &
    z.infer<typeof runbookContext>;
  const parsed = { ...input, executionId: executionIdOf(input.executionArn) };
  logger.addContext(context);
  logger.appendKeys({
    executionId: parsed.executionId,
    runbook: parsed.runbook,
    runbookVersion: parsed.runbookVersion,
  });
  return parsed;
}
