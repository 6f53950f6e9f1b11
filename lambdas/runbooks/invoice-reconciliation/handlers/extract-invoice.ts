import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '#platform/aws/logger.ts';
import { recordModelUsage } from '#platform/aws/metrics.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import { readSubmittedDocument } from '#platform/evidence/adapters/submitted-document.ts';
import { modelCallEvidence } from '#platform/evidence/core/model-call.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { modelProvider } from '#runbooks/invoice-reconciliation/adapters/model-provider-factory.ts';
import {
  INVOICE_FIELDS,
  type Invoice,
  invoiceSchema,
} from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { ModelOutputError, PROMPT_VERSIONS } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { screenExtractedInvoice } from '#runbooks/invoice-reconciliation/core/screen-extraction.ts';
import {
  agentActor,
  earlierRecord,
  invoiceBusiness,
  parseInvoiceTask,
  recordEvidence,
} from './invoice-task.ts';

/** Nothing readable: every field missing with confidence 0, so the rules send it to a person. */
const UNREADABLE: Invoice = {
  invoiceNumber: null,
  vendorName: null,
  vendorTaxId: null,
  invoiceDate: null,
  dueDate: null,
  currency: null,
  poNumber: null,
  lines: [],
  subtotal: null,
  tax: null,
  total: null,
  remitTo: null,
  notes: null,
  confidence: Object.fromEntries(INVOICE_FIELDS.map((field) => [field, 0])),
};

/** Task ExtractInvoice: structured e-invoices pass through validated; text and PDFs go to the model. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask(
    {
      document: z.object({
        format: z.enum(['text', 'pdf', 'structured']),
        sha256: z.string(),
        recordKey: z.string(),
      }),
    },
    event,
    context,
  );
  const bytes = await readSubmittedDocument(task.document.recordKey, task.document.sha256);

  if (task.document.format === 'structured') {
    const parsed = invoiceSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
    const invoice: Invoice = {
      ...parsed,
      confidence: Object.fromEntries(INVOICE_FIELDS.map((field) => [field, 1])),
    };
    await recordEvidence(
      task,
      'rule_result',
      'ExtractInvoice/structured',
      agentActor(task.agentId),
      { rule: 'structured_invoice_schema', passed: true, modelCall: false },
      invoiceBusiness(invoice),
    );
    await updateCase(task.executionId, { invoice, extraction: { source: 'structured', modelId: null } });
    return { invoice, modelId: null, local: false };
  }

  const earlier = await earlierRecord(task, 'ExtractInvoice/model_call');
  if (earlier) {
    const replayed = earlier.details as { extractedInvoice: Invoice; modelId: string };
    await updateCase(task.executionId, {
      invoice: replayed.extractedInvoice,
      extraction: { source: task.document.format, modelId: replayed.modelId },
    });
    return { invoice: replayed.extractedInvoice, modelId: replayed.modelId, local: false };
  }
  const provider = modelProvider();
  let invoice = UNREADABLE;
  let call: Awaited<ReturnType<typeof provider.extractInvoice>> | undefined;
  let problem: string | undefined;
  try {
    call = await provider.extractInvoice(
      task.document.format === 'pdf'
        ? { format: 'pdf', bytes }
        : { format: 'text', text: new TextDecoder().decode(bytes) },
    );
    const checked = invoiceSchema.safeParse(call.value);
    if (checked.success) {
      // The model read a vendor's document: its answer is screened before any rule uses it.
      const screened = screenExtractedInvoice(checked.data);
      invoice = screened.invoice;
      if (screened.findings.length > 0) {
        problem = `Screened out of the model's answer: ${screened.findings.map((f) => `${f.path} (${f.reason})`).join(', ')}.`;
      }
    } else {
      problem = `The model's answer does not fit the invoice schema: ${checked.error.issues[0]?.path.join('.')} ${checked.error.issues[0]?.message}.`;
    }
  } catch (error) {
    if (!(error instanceof ModelOutputError)) throw error;
    problem = `${error.reason}: ${error.message}`;
  }
  if (problem) logger.warn('extraction unusable; the invoice goes to a person', { problem });
  const evidence = modelCallEvidence({
    runbook: task.runbook,
    runbookVersion: task.runbookVersion,
    executionId: task.executionId,
    step: 'ExtractInvoice',
    actor: agentActor(task.agentId),
    modelId: call?.modelId ?? 'unknown',
    promptTemplateId: 'extract-invoice',
    promptTemplateVersion: call?.promptVersion ?? PROMPT_VERSIONS.extractInvoice,
    inputTokens: call?.usage.inputTokens ?? 0,
    outputTokens: call?.usage.outputTokens ?? 0,
    latencyMs: call?.latencyMs ?? 0,
    rawOutput: call?.rawOutput ?? '',
    ...(call ? { stopReason: call.stopReason } : {}),
    business: invoiceBusiness(invoice),
  });
  // The record carries what was extracted, so a retried step replays it instead of asking the model again.
  await evidenceWriter().append({
    ...evidence,
    details: { ...evidence.details, extractedInvoice: invoice, problem: problem ?? null },
  });
  const extraction = {
    source: task.document.format,
    modelId: call?.modelId ?? null,
    local: call?.local ?? false,
    problem: problem ?? null,
  };
  await updateCase(task.executionId, { invoice, extraction });
  if (call)
    recordModelUsage({ step: 'ExtractInvoice', modelId: call.modelId, ...call.usage, local: call.local });
  return { invoice, modelId: extraction.modelId, local: extraction.local };
}
