import * as z from 'zod';
import { recordModelUsage } from '#platform/aws/metrics.ts';
import { modelCallEvidence } from '#platform/evidence/core/model-call.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { modelProvider } from '#runbooks/invoice-reconciliation/adapters/model-provider-factory.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import type { CodingLine } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { agentActor, INVOICE_TASK, invoiceBusiness } from './invoice-step.ts';

const match = z.object({
  vendor: z.object({ vendorId: z.string(), name: z.string(), defaultGlAccount: z.string() }).nullable(),
  purchaseOrder: z
    .object({
      costCenter: z.string(),
      lines: z.array(
        z.object({ lineNo: z.number(), sku: z.string(), description: z.string(), glAccount: z.string() }),
      ),
    })
    .nullable(),
  lines: z.array(
    z.object({
      invoiceLineNo: z.number(),
      poLineNo: z.number().nullable(),
      glAccount: z.string().nullable(),
    }),
  ),
});

const EVENT = 'ProposeCoding/model_call';

/** Task ProposeCoding: GL account and cost center per line with a rationale; a proposal, never a decision. */
export const handler = runbookStep({
  input: { ...INVOICE_TASK, invoice: invoiceSchema, match },
  replay: {
    eventKey: () => EVENT,
    outcome: (record) => {
      const { coding, modelId } = record.details as { coding: CodingLine[]; modelId: string };
      return { result: { lines: coding, modelId }, case: { coding } };
    },
  },
  run: async (task) => {
    const call = await modelProvider().proposeCoding({
      invoice: task.invoice,
      vendorDefaultGlAccount: task.match.vendor?.defaultGlAccount ?? null,
      purchaseOrder: task.match.purchaseOrder,
      lineMatches: task.match.lines,
    });
    const evidence = modelCallEvidence({
      runbook: task.runbook,
      runbookVersion: task.runbookVersion,
      executionId: task.executionId,
      step: 'ProposeCoding',
      actor: agentActor(task.agentId),
      modelId: call.modelId,
      promptTemplateId: 'propose-coding',
      promptTemplateVersion: call.promptVersion,
      inputTokens: call.usage.inputTokens,
      outputTokens: call.usage.outputTokens,
      latencyMs: call.latencyMs,
      rawOutput: call.rawOutput,
      stopReason: call.stopReason,
      business: invoiceBusiness(task.invoice, task.match.vendor),
    });
    return {
      result: { lines: call.value, modelId: call.modelId },
      case: { coding: call.value },
      evidence: [{ ...evidence, details: { ...evidence.details, coding: call.value } }],
      metric: () =>
        recordModelUsage({ step: 'ProposeCoding', modelId: call.modelId, ...call.usage, local: call.local }),
    };
  },
});
