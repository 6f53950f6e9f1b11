import * as z from 'zod';
import { logger } from '#platform/aws/logger.ts';
import { recordModelUsage } from '#platform/aws/metrics.ts';
import { pdfAttachments } from '#platform/documents/adapters/pdf-attachments.ts';
import type { EInvoice } from '#platform/documents/core/e-invoice.ts';
import { embeddedEInvoice } from '#platform/documents/core/hybrid-invoice.ts';
import { readEInvoice } from '#platform/documents/core/read-e-invoice.ts';
import { readSubmittedDocument } from '#platform/evidence/adapters/submitted-document.ts';
import { modelCallEvidence } from '#platform/evidence/core/model-call.ts';
import type { EvidencePayload } from '#platform/evidence/core/records.ts';
import { pdfText } from '#platform/model/adapters/pdf-text.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { modelProvider } from '#runbooks/invoice-reconciliation/adapters/model-provider-factory.ts';
import { type EInvoiceSummary, readingOf } from '#runbooks/invoice-reconciliation/core/e-invoice-reading.ts';
import {
  INVOICE_FIELDS,
  type Invoice,
  invoiceSchema,
} from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { ModelOutputError, PROMPT_VERSIONS } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { screenExtractedInvoice } from '#runbooks/invoice-reconciliation/core/screen-extraction.ts';
import { agentActor, INVOICE_TASK, invoiceBusiness } from './invoice-step.ts';

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

const MODEL_EVENT = 'ExtractInvoice/model_call';

/** An e-invoice read without a model: its invoice fields, what it says beyond them, and the record of both. */
function eInvoiceOutcome(
  agentId: string,
  read: EInvoice,
  extraction: { source: 'xml' | 'pdf'; embeddedFile?: string },
  payloads: EvidencePayload[] = [],
) {
  const { invoice, eInvoice } = readingOf(read);
  return {
    result: {
      invoice,
      eInvoice: eInvoice as EInvoiceSummary | null,
      modelId: null as string | null,
      local: false,
    },
    case: { invoice, eInvoice, extraction: { ...extraction, syntax: eInvoice.syntax, modelId: null } },
    evidence: [
      {
        recordType: 'rule_result' as const,
        eventKey: 'ExtractInvoice/e_invoice',
        actor: agentActor(agentId),
        details: {
          rule: 'en16931_e_invoice',
          passed: eInvoice.ruleBreaks.length === 0,
          modelCall: false,
          ...extraction,
          syntax: eInvoice.syntax,
          eInvoice,
          extractedInvoice: invoice,
        },
        ...(payloads.length > 0 ? { payloads } : {}),
        business: invoiceBusiness(invoice),
      },
    ],
  };
}

/**
 * Task ExtractInvoice: structured invoices pass through validated; EN 16931 e-invoices (UBL, CII)
 * are read by the XML parser, no model involved; text and PDFs go to the model. The result's
 * `eInvoice` is what an e-invoice says beyond the invoice fields (null for anything else).
 */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    document: z.object({
      format: z.enum(['text', 'pdf', 'structured', 'xml']),
      sha256: z.string(),
      recordKey: z.string(),
    }),
  },
  replay: {
    eventKey: (task) =>
      task.document.format === 'structured' || task.document.format === 'xml' ? undefined : MODEL_EVENT,
    // What the model read is read once: a retried step replays the record, it does not ask again.
    outcome: (record, task) => {
      const replayed = record.details as { extractedInvoice: Invoice; modelId: string };
      return {
        result: {
          invoice: replayed.extractedInvoice,
          eInvoice: null as EInvoiceSummary | null,
          modelId: replayed.modelId as string | null,
          local: false,
        },
        case: {
          invoice: replayed.extractedInvoice,
          extraction: { source: task.document.format, modelId: replayed.modelId },
        },
      };
    },
  },
  run: async (task) => {
    const bytes = await readSubmittedDocument(task.document.recordKey, task.document.sha256);
    if (task.document.format === 'structured') {
      const parsed = invoiceSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
      const invoice: Invoice = {
        ...parsed,
        confidence: Object.fromEntries(INVOICE_FIELDS.map((field) => [field, 1])),
      };
      return {
        result: { invoice, eInvoice: null, modelId: null, local: false },
        case: { invoice, extraction: { source: 'structured', modelId: null } },
        evidence: [
          {
            recordType: 'rule_result',
            eventKey: 'ExtractInvoice/structured',
            actor: agentActor(task.agentId),
            details: { rule: 'structured_invoice_schema', passed: true, modelCall: false },
            business: invoiceBusiness(invoice),
          },
        ],
      };
    }
    if (task.document.format === 'xml') {
      // Checked when it was submitted; a file that no longer reads fails the step rather than guess.
      return eInvoiceOutcome(task.agentId, readEInvoice(new TextDecoder().decode(bytes)), { source: 'xml' });
    }
    if (task.document.format === 'pdf') {
      // Factur-X / ZUGFeRD: the XML the PDF carries wins over its text; the text stays as evidence.
      const embedded = embeddedEInvoice(await pdfAttachments(bytes));
      if (embedded) {
        const text = await pdfText(bytes).catch(() => '');
        return eInvoiceOutcome(
          task.agentId,
          embedded.invoice,
          { source: 'pdf', embeddedFile: embedded.filename },
          [
            { name: 'embedded-e-invoice', contentType: 'application/xml', body: embedded.xml },
            { name: 'pdf-text', contentType: 'text/plain; charset=utf-8', body: text },
          ],
        );
      }
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
    const extraction = {
      source: task.document.format,
      modelId: call?.modelId ?? null,
      local: call?.local ?? false,
      problem: problem ?? null,
    };
    return {
      result: { invoice, eInvoice: null, modelId: extraction.modelId, local: extraction.local },
      case: { invoice, extraction },
      // The record carries what was extracted, so a retried step replays it instead of asking the model again.
      evidence: [
        {
          ...evidence,
          details: { ...evidence.details, extractedInvoice: invoice, problem: problem ?? null },
        },
      ],
      ...(call
        ? {
            metric: () =>
              recordModelUsage({
                step: 'ExtractInvoice',
                modelId: call.modelId,
                ...call.usage,
                local: call.local,
              }),
          }
        : {}),
    };
  },
});
