import * as z from 'zod';
import { type ApprovalItem, getApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';
import { runbookStep, writeStepEvidence } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import {
  calledBackNumber,
  type Decider,
  separationProblem,
} from '#runbooks/vendor-bank-change/core/bank-change.ts';
import {
  approvalIdOf,
  BANK_CHANGE_RULES_ACTOR,
  BANK_CHANGE_TASK,
  comparisonResult,
  DecisionNotReadableError,
  type DecisionResult,
  decisionResult,
  SeparationOfDutiesError,
} from './bank-change-step.ts';

const sor = new DynamoDbSystemOfRecord();

/** The decision of this run under `approvalId`, as the decision route wrote it; anything else throws. */
export async function readDecided(
  approvalId: string,
  task: { runbook: string; executionId: string },
): Promise<ApprovalItem & { decidedBy: Decider; decision: 'APPROVE' | 'REJECT'; decidedAt: string }> {
  const item = await getApproval(approvalId);
  if (!item) throw new DecisionNotReadableError(approvalId, 'it is not in the work room');
  if (item.runbook !== task.runbook || executionIdOf(item.executionArn) !== task.executionId)
    throw new DecisionNotReadableError(approvalId, 'it belongs to another run');
  if (item.status !== 'DECIDED' || !item.decision || !item.decidedBy || !item.decidedAt)
    throw new DecisionNotReadableError(approvalId, `it is ${item.status.toLowerCase()}, not decided`);
  return item as ApprovalItem & { decidedBy: Decider; decision: 'APPROVE' | 'REJECT'; decidedAt: string };
}

/**
 * Task ReadVerification / ReadControllerApproval: the waiting task's output names only which
 * approval was decided; what was decided and by whom is read here from the work room, and the
 * separation of duties is checked where it is read. A verification counts only if its comment
 * names a number from the vendor master; an approval by the requester or the verifier fails the
 * run closed, with nothing changed.
 */
export const handler = runbookStep({
  input: {
    ...BANK_CHANGE_TASK,
    stage: z.enum(['verification', 'approval']),
    approval: z.object({ approvalId: z.string().min(1).max(200) }),
    comparison: comparisonResult,
    verification: decisionResult.nullable().optional(),
  },
  run: async (task) => {
    const item = await readDecided(task.approval.approvalId, task);
    const decider = item.decidedBy;
    let result: DecisionResult = {
      approvalId: item.approvalId,
      decision: item.decision,
      by: decider.username,
      byUserId: decider.userId,
      role: decider.role,
      at: item.decidedAt,
      comment: item.comment ?? '',
      phone: null,
      reason: null,
    };
    let problem: string | null;
    if (task.stage === 'verification') {
      problem = separationProblem(task.requestedBy, decider);
      if (!problem && item.decision === 'APPROVE') {
        const vendor = await sor.getVendor(task.comparison.vendorId);
        const phone = calledBackNumber(result.comment, vendor?.contactPhones ?? []);
        result = phone
          ? { ...result, decision: 'VERIFIED', phone }
          : {
              ...result,
              decision: 'NOT_VERIFIED',
              reason:
                'The verification names no phone number from the vendor master; a call-back on any other number proves nothing.',
            };
      } else if (!problem) result = { ...result, decision: 'REJECTED' };
    } else {
      if (task.verification?.decision !== 'VERIFIED')
        throw new SeparationOfDutiesError('the change was never verified');
      // Who verified is read from the work room too, never taken from the run's state.
      const verified = await readDecided(approvalIdOf(task.executionId, 'verification'), task);
      const verifiedBy: Decider = verified.decidedBy;
      // A rejection changes nothing, whoever makes it; an approval must come from a third person.
      problem = item.decision === 'APPROVE' ? separationProblem(task.requestedBy, verifiedBy, decider) : null;
    }
    const view = {
      by: result.by,
      role: result.role,
      at: result.at,
      comment: result.comment,
      decision: result.decision,
    };
    const evidence = {
      recordType: 'rule_result' as const,
      eventKey: `Read/${task.stage}/rule_result`,
      actor: BANK_CHANGE_RULES_ACTOR,
      details: {
        approvalId: item.approvalId,
        stage: task.stage,
        ...view,
        ...(result.phone ? { calledOn: result.phone } : {}),
        separationOfDuties: problem ?? 'held',
        requestedBy: task.requestedBy.username,
        ...(result.reason ? { reason: result.reason } : {}),
      },
      business: {
        vendorId: task.comparison.vendorId,
        vendorName: task.comparison.vendorName,
        decision: problem ? 'REFUSED' : result.decision,
      },
    };
    if (problem) {
      // The refusal is recorded before the run fails, so the auditor sees why nothing changed.
      await writeStepEvidence(task, [evidence]);
      throw new SeparationOfDutiesError(problem);
    }
    const caseField =
      task.stage === 'verification'
        ? {
            verification: {
              ...view,
              ...(result.phone ? { calledOn: result.phone } : {}),
              ...(result.reason ? { reason: result.reason } : {}),
            },
          }
        : { controllerApproval: view };
    return { result, case: { ...caseField, awaiting: null }, evidence: [evidence] };
  },
});
