import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { recordModelUsage } from '#platform/aws/metrics.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import { modelCallEvidence } from '#platform/evidence/core/model-call.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { modelProvider } from '#runbooks/invoice-reconciliation/adapters/model-provider-factory.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { agentActor, earlierRecord, invoiceBusiness, parseInvoiceTask } from './invoice-task.ts';

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

/** Task ProposeCoding: GL account and cost center per line with a rationale; a proposal, never a decision. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask({ invoice: invoiceSchema, match }, event, context);
  const earlier = await earlierRecord(task, 'ProposeCoding/model_call');
  if (earlier) {
    const { coding, modelId } = earlier.details as { coding: unknown; modelId: string };
    await updateCase(task.executionId, { coding });
    return { lines: coding, modelId };
  }
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
  await evidenceWriter().append({ ...evidence, details: { ...evidence.details, coding: call.value } });
  await updateCase(task.executionId, { coding: call.value });
  recordModelUsage({ step: 'ProposeCoding', modelId: call.modelId, ...call.usage, local: call.local });
  return { lines: call.value, modelId: call.modelId };
}
