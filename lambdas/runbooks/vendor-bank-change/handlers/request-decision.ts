import * as z from 'zod';
import { openApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { formatMoney, zero } from '#platform/core/money.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import {
  approvalIdOf,
  BANK_CHANGE_RULES_ACTOR,
  BANK_CHANGE_TASK,
  comparisonResult,
  decisionResult,
} from './bank-change-step.ts';

const sor = new DynamoDbSystemOfRecord();

const STEPS = {
  verification: {
    level: 1,
    requiredRole: 'ap_clerk',
    instructions:
      'Call the vendor back on a number listed here, never one from the request. APPROVE only if the vendor confirmed the new details; the comment must say who confirmed, on which of these numbers, and when. REJECT otherwise.',
  },
  approval: {
    level: 2,
    requiredRole: 'controller',
    instructions:
      'Approve the change only if you are neither the requester nor the verifier; the run refuses an approval by either.',
  },
} as const;

/**
 * Task AwaitVerification / AwaitControllerApproval (.waitForTaskToken): the change waits in the
 * work room, first for a call-back verification, then for a controller. A bank-detail change moves
 * no money itself, so each approval carries a zero amount in the vendor's currency: the platform
 * still checks the decider's role and limit, and never lets the requester decide.
 */
export const handler = runbookStep({
  input: {
    ...BANK_CHANGE_TASK,
    stage: z.enum(['verification', 'approval']),
    taskToken: z.string().min(1),
    timeoutSeconds: z.number().int().positive(),
    comparison: comparisonResult,
    verification: decisionResult.nullable().optional(),
  },
  run: async (task) => {
    const step = STEPS[task.stage];
    const approvalId = approvalIdOf(task.executionId, task.stage);
    const { comparison } = task;
    const vendor = await sor.getVendor(comparison.vendorId);
    const { deadline } = await openApproval({
      approvalId,
      level: step.level,
      executionArn: task.executionArn,
      runbook: task.runbook,
      runbookVersion: task.runbookVersion,
      requiredRole: step.requiredRole,
      amount: formatMoney(zero(comparison.currency)),
      currency: comparison.currency,
      business: { vendorId: comparison.vendorId, vendorName: comparison.vendorName },
      requestedBy: task.requestedBy,
      // No agent proposes the change: a decision here is no outcome for any agent's trust.
      agentId: '',
      taskToken: task.taskToken,
      proposal: {
        kind: 'vendor_bank_change',
        step: task.stage,
        instructions: step.instructions,
        vendorId: comparison.vendorId,
        vendorName: comparison.vendorName,
        differences: comparison.differences,
        riskFlags: comparison.riskFlags,
        reason: task.request.reason,
        origin: task.request.origin,
        ...(task.stage === 'verification'
          ? { callBackNumbers: vendor?.contactPhones ?? [] }
          : {
              verification: task.verification
                ? { by: task.verification.by, at: task.verification.at, comment: task.verification.comment }
                : null,
            }),
      },
      timeoutSeconds: task.timeoutSeconds,
      now: new Date(),
    });
    const awaiting = {
      approvalId,
      step: task.stage,
      status: 'PENDING',
      requiredRole: step.requiredRole,
      deadline,
    };
    return {
      result: { approvalId },
      case: { awaiting },
      evidence: [
        {
          recordType: 'escalation',
          eventKey: `Await/${task.stage}/escalation`,
          actor: BANK_CHANGE_RULES_ACTOR,
          details: { ...awaiting, riskFlags: comparison.riskFlags.map((flag) => flag.code) },
          business: {
            vendorId: comparison.vendorId,
            vendorName: comparison.vendorName,
            decision: task.stage === 'verification' ? 'PENDING_VERIFICATION' : 'PENDING_APPROVAL',
          },
        },
      ],
    };
  },
});
