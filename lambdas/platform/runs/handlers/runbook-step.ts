import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceInput, EvidenceReceipt, EvidenceRecord } from '#platform/evidence/core/records.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { parseTaskEvent, type RunbookContext } from './task-event.ts';

/** A record this step leaves; the wrapper adds the runbook, version and execution. */
export type StepEvidence = Omit<EvidenceInput, 'runbook' | 'runbookVersion' | 'executionId'>;

/** What one attempt of a step produced: its result, the evidence of it, its part of the case, its metric. */
export interface StepOutcome<Result> {
  readonly result: Result;
  /** Written in this order before the case is updated; a failed write fails the step (the runbook retries it). */
  readonly evidence?: readonly StepEvidence[];
  /** Fields this step sets on the run's case (what GET /executions/{id} shows). */
  readonly case?: Readonly<Record<string, unknown>>;
  /** Effects that must follow the record (e.g. giving reservations back), run once the evidence and the case are written. */
  readonly after?: () => Promise<void>;
  /** Published last. */
  readonly metric?: () => void;
}

export interface StepDefinition<Shape extends z.ZodRawShape, Result> {
  /** The Task's own input fields, beside the runbook context every Task receives. */
  readonly input: Shape;
  /**
   * The evidence event whose record makes this step decided: when an earlier attempt left it,
   * `replay` rebuilds the outcome from it instead of asking the model or deciding again.
   */
  readonly replay?: {
    readonly eventKey: (task: StepTask<Shape>) => string | undefined;
    readonly outcome: (
      record: EvidenceRecord,
      task: StepTask<Shape>,
    ) => Omit<StepOutcome<Result>, 'evidence'> | Promise<Omit<StepOutcome<Result>, 'evidence'>>;
  };
  readonly run: (task: StepTask<Shape>) => Promise<StepOutcome<Result>>;
}

export type StepTask<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>> & RunbookContext;

const chain = new DynamoDbEvidenceChain();

/**
 * The one wrapper every runbook Task handler is: parse the Task input (correlation ids on every
 * log line), replay an earlier attempt's record on retry, run the step, write its evidence,
 * update the case, publish its metric. A step handler keeps only its own logic.
 */
export function runbookStep<Shape extends z.ZodRawShape, Result>(
  step: StepDefinition<Shape, Result>,
): (event: unknown, context: Context) => Promise<Result> {
  return async (event, context) => {
    const task = parseTaskEvent(step.input, event, context) as StepTask<Shape>;
    const replayKey = step.replay?.eventKey(task);
    const earlier = replayKey ? (await chain.findEvent(task.executionId, replayKey))?.record : undefined;
    const outcome: StepOutcome<Result> =
      earlier && step.replay ? await step.replay.outcome(earlier, task) : await step.run(task);
    await writeStepEvidence(task, outcome.evidence ?? []);
    if (outcome.case) await updateCase(task.executionId, outcome.case);
    await outcome.after?.();
    outcome.metric?.();
    return outcome.result;
  };
}

/** Appends a step's records under the run's context, in order. */
export async function writeStepEvidence(
  task: RunbookContext,
  records: readonly StepEvidence[],
): Promise<EvidenceReceipt[]> {
  const receipts: EvidenceReceipt[] = [];
  for (const record of records) {
    receipts.push(
      await evidenceWriter().append({
        ...record,
        runbook: task.runbook,
        runbookVersion: task.runbookVersion,
        executionId: task.executionId,
      }),
    );
  }
  return receipts;
}
