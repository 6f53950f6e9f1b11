import * as z from 'zod';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import {
  releaseReservation,
  uncountForPayeeDay,
} from '#runbooks/refund-payout/adapters/refund-tallies-dynamodb.ts';
import { holdIdOf, REFUND_RULES_ACTOR, REFUND_TASK, refundBusiness } from './refund-step.ts';

const ledger = new DynamoDbEscrowLedger();

/** The Cause a Catch hands over is the error's JSON; the message is what a person reads. */
function causeOf(failure: { Error?: string; Cause?: string } | null | undefined): string | null {
  if (!failure?.Cause) return null;
  try {
    const parsed = JSON.parse(failure.Cause) as { errorMessage?: string };
    return parsed.errorMessage ?? failure.Cause;
  } catch {
    return failure.Cause;
  }
}

/**
 * Task Close: a refund or payout not made says why — REFUSED by the rules, REJECTED by a person,
 * NOT_DECIDED before the deadline, or FAILED — and gives back whatever the run reserved against
 * the order and the payee's day, unless money is actually held for it.
 */
export const handler = runbookStep({
  input: {
    ...REFUND_TASK,
    outcome: z.enum(['REFUSED', 'REJECTED', 'NOT_DECIDED', 'FAILED']),
    decision: z
      .object({ decision: z.string(), reasonCodes: z.array(z.string()), reasons: z.array(z.unknown()) })
      .partial()
      .nullable()
      .optional(),
    approval: z
      .object({
        decision: z.string(),
        comment: z.string(),
        decidedBy: z.object({ username: z.string(), role: z.string() }),
      })
      .partial()
      .nullable()
      .optional(),
    failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).nullable().optional(),
  },
  run: async (task) => {
    const { request } = task;
    const holdId = holdIdOf(request.kind, task.executionId);
    const held = await ledger.getHold(holdId);
    const why = causeOf(task.failure);
    const outcome = {
      status: task.outcome,
      ...(task.decision?.reasonCodes ? { reasonCodes: task.decision.reasonCodes } : {}),
      ...(task.approval?.decidedBy
        ? { decidedBy: task.approval.decidedBy.username, comment: task.approval.comment ?? '' }
        : {}),
      ...(task.failure ? { error: task.failure.Error ?? 'Error', cause: why } : {}),
      ...(held ? { holdId } : {}),
    };
    return {
      result: outcome,
      case: { outcome, approval: null },
      evidence: [
        {
          recordType: 'decision',
          eventKey: `Close/${task.outcome}/outcome`,
          actor: REFUND_RULES_ACTOR,
          details: outcome,
          business: refundBusiness(request, { decision: task.outcome }),
        },
      ],
      // After the record: a run that holds nothing keeps nothing reserved.
      after: held
        ? undefined
        : async () => {
            await uncountForPayeeDay(request.payee, ledgerDay(new Date(task.submittedAt)), task.executionId);
            await releaseReservation(
              request.reference,
              task.executionId,
              money(request.amount, request.currency).minor,
            );
          },
    };
  },
});
