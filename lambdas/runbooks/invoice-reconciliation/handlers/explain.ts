import * as z from 'zod';
import { recordCycleTime, recordModelUsage } from '#platform/aws/metrics.ts';
import { modelCallEvidence } from '#platform/evidence/core/model-call.ts';
import { runbookStep, type StepTask } from '#platform/runs/handlers/runbook-step.ts';
import { releaseInvoiceReservations } from '#runbooks/invoice-reconciliation/adapters/invoice-claims-dynamodb.ts';
import { modelProvider } from '#runbooks/invoice-reconciliation/adapters/model-provider-factory.ts';
import { explainFromFacts } from '#runbooks/invoice-reconciliation/core/explanation.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { ModelThrottledError } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import type { RuleResult } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { agentActor, INVOICE_TASK, invoiceBusiness, RULES_ACTOR } from './invoice-step.ts';

const decision = z.object({
  decision: z.string(),
  requiredRole: z.string().nullable(),
  reasonCodes: z.array(z.string()),
  reasons: z.array(z.object({ code: z.string(), detail: z.string() })),
  autoApproveLimit: z.string().nullable(),
});

/** The status the invoice ends in, after the agent's decision and any person's. */
function finalStatus(gateDecision: string, approval: { decision: string } | null): string {
  if (approval) return approval.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  return gateDecision === 'AUTO_APPROVED' ? 'APPROVED' : 'REJECTED';
}

const input = {
  ...INVOICE_TASK,
  submittedAt: z.iso.datetime(),
  invoice: invoiceSchema,
  decision,
  results: z.array(
    z.object({ code: z.string(), passed: z.boolean(), effect: z.string(), detail: z.string() }),
  ),
  vendor: z.object({ vendorId: z.string(), name: z.string() }).nullable(),
  approval: z
    .object({
      decision: z.string(),
      comment: z.string(),
      decidedBy: z.object({ username: z.string(), role: z.string() }),
    })
    .nullable(),
  hold: z
    .object({
      holdId: z.string(),
      amount: z.string(),
      currency: z.string(),
      releaseAt: z.string().nullable(),
    })
    .nullable(),
  // Set only on the path the runbook takes when the model stayed throttled past its retries.
  modelFailure: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
};
type ExplainTask = StepTask<typeof input>;
const EVENT = 'Explain/model_call';
const FALLBACK_EVENT = 'Explain/from_facts';

/** The run's outcome around the explanation text; a rejected invoice gives its number and quantities back. */
function conclude(task: ExplainTask, text: string) {
  const outcome = {
    decision: task.decision.decision,
    reasonCodes: task.decision.reasonCodes,
    requiredRole: task.decision.requiredRole,
    finalStatus: finalStatus(task.decision.decision, task.approval),
    invoiceNumber: task.invoice.invoiceNumber,
    vendorId: task.vendor?.vendorId ?? null,
    total: task.invoice.total,
    currency: task.invoice.currency,
    approval: task.approval
      ? {
          decision: task.approval.decision,
          decidedBy: task.approval.decidedBy.username,
          role: task.approval.decidedBy.role,
        }
      : null,
    hold: task.hold ?? null,
    explanation: text,
  };
  const { vendor } = task;
  const invoiceNumber = task.invoice.invoiceNumber;
  return {
    result: { text, outcome },
    case: { explanation: text, finalStatus: outcome.finalStatus },
    after: async () => {
      // Nothing will be paid: the invoice number and the PO quantities are free for a corrected invoice.
      if (outcome.finalStatus === 'REJECTED' && vendor && invoiceNumber)
        await releaseInvoiceReservations(
          { vendorId: vendor.vendorId, invoiceNumber, poNumber: task.invoice.poNumber },
          task.executionId,
        );
    },
    cycleTime: () => recordCycleTime(Date.now() - Date.parse(task.submittedAt), outcome.finalStatus),
  };
}

/** Who decided, as the explanation says it. */
function personal(task: ExplainTask): string {
  return task.approval
    ? ` ${task.approval.decidedBy.username} (${task.approval.decidedBy.role}) ${task.approval.decision === 'APPROVE' ? 'approved' : 'rejected'} it: "${task.approval.comment}".`
    : '';
}

/** What is held, as the explanation says it. */
function held(task: ExplainTask): string {
  return task.hold
    ? ` ${task.hold.currency} ${task.hold.amount} is held in escrow (hold ${task.hold.holdId}) until ${task.hold.releaseAt ?? 'release'}.`
    : '';
}

/** Marks an explanation the model could not give; the decision it explains is unchanged. */
export const EXPLANATION_UNAVAILABLE =
  'Model explanation unavailable; this account is built from the rule results.';

/** The explanation from the facts alone, with evidence that the model's explanation failed. */
function fromFacts(task: ExplainTask, request: Parameters<typeof explainFromFacts>[0], modelFailure: string) {
  const text = `${EXPLANATION_UNAVAILABLE} ${explainFromFacts(request)}${personal(task)}${held(task)}`;
  const { cycleTime, ...concluded } = conclude(task, text);
  return {
    ...concluded,
    case: { ...concluded.case, explanationSource: 'facts', explanationFailure: modelFailure.slice(0, 1000) },
    evidence: [
      {
        recordType: 'action' as const,
        eventKey: FALLBACK_EVENT,
        actor: RULES_ACTOR,
        details: {
          action: 'explanation_from_facts',
          explanation: 'unavailable',
          modelFailure: modelFailure.slice(0, 1000),
          text,
        },
        business: invoiceBusiness(task.invoice, task.vendor, {
          decision: task.decision.decision,
          reasonCodes: task.decision.reasonCodes,
        }),
      },
    ],
    metric: cycleTime,
  };
}

/** Task Explain: the plain-English account an auditor reads, written to evidence. */
export const handler = runbookStep({
  input,
  replay: {
    eventKey: (task) => (task.modelFailure ? FALLBACK_EVENT : EVENT),
    // A retried step keeps the explanation the earlier attempt recorded.
    outcome: (record, task) => {
      const { cycleTime, ...concluded } = conclude(
        task,
        String(record.details.rawOutput ?? record.details.text),
      );
      return { ...concluded, metric: cycleTime };
    },
  },
  run: async (task) => {
    const gateReasons: RuleResult[] = task.decision.reasons
      .filter((reason) => !task.results.some((r) => r.code === reason.code && !r.passed))
      .map((reason) => ({
        code: reason.code as RuleResult['code'],
        passed: false,
        effect: 'approval',
        detail: reason.detail,
      }));
    const request = {
      invoice: task.invoice,
      vendorName: task.vendor?.name ?? null,
      decision: task.decision.decision,
      requiredRole: task.decision.requiredRole,
      reasonCodes: task.decision.reasonCodes,
      results: [...(task.results as RuleResult[]), ...gateReasons],
      autoApproveLimit: task.decision.autoApproveLimit,
    };
    // The decision is already in force: a model that cannot explain it never fails the run.
    // Throttling is retried by the runbook first, then comes back here as `modelFailure`;
    // any other model error gets the account built from the facts at once.
    if (task.modelFailure)
      return fromFacts(task, request, `${task.modelFailure.Error}: ${task.modelFailure.Cause ?? ''}`);
    let call: Awaited<ReturnType<ReturnType<typeof modelProvider>['explainDecision']>>;
    try {
      call = await modelProvider().explainDecision(request);
    } catch (error) {
      if (error instanceof ModelThrottledError) throw error;
      return fromFacts(task, request, `${(error as Error).name}: ${(error as Error).message}`);
    }
    const text = `${call.value}${personal(task)}${held(task)}`;
    const { cycleTime, ...concluded } = conclude(task, text);
    return {
      ...concluded,
      evidence: [
        modelCallEvidence({
          runbook: task.runbook,
          runbookVersion: task.runbookVersion,
          executionId: task.executionId,
          step: 'Explain',
          actor: agentActor(task.agentId),
          modelId: call.modelId,
          promptTemplateId: 'explain-decision',
          promptTemplateVersion: call.promptVersion,
          inputTokens: call.usage.inputTokens,
          outputTokens: call.usage.outputTokens,
          latencyMs: call.latencyMs,
          rawOutput: text,
          stopReason: call.stopReason,
          business: invoiceBusiness(task.invoice, task.vendor, {
            decision: task.decision.decision,
            reasonCodes: task.decision.reasonCodes,
          }),
        }),
      ],
      metric: () => {
        recordModelUsage({ step: 'Explain', modelId: call.modelId, ...call.usage, local: call.local });
        cycleTime();
      },
    };
  },
});
