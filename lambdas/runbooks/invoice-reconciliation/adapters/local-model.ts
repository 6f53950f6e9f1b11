import { pdfText } from '#platform/model/adapters/pdf-text.ts';
import { codeFromPurchaseOrder } from '#runbooks/invoice-reconciliation/core/coding.ts';
import { explainFromFacts } from '#runbooks/invoice-reconciliation/core/explanation.ts';
import {
  type ModelCall,
  type ModelProvider,
  PROMPT_VERSIONS,
} from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { extractInvoiceFromText } from '#runbooks/invoice-reconciliation/core/text-extraction.ts';

/** Named so no record can be mistaken for a real model's output. */
export const LOCAL_MODEL_ID = 'tollgate-local-deterministic@1';

/**
 * The deterministic local model behind the ModelProvider port: reads text and PDF-extracted
 * text by pattern, codes from PO and vendor defaults, explains from the rule results.
 */
export class LocalModelProvider implements ModelProvider {
  async extractInvoice(
    document: Parameters<ModelProvider['extractInvoice']>[0],
  ): Promise<ModelCall<unknown>> {
    return this.call(PROMPT_VERSIONS.extractInvoice, async () => {
      const text = document.format === 'pdf' ? await pdfText(document.bytes) : document.text;
      return extractInvoiceFromText(text);
    });
  }

  async proposeCoding(request: Parameters<ModelProvider['proposeCoding']>[0]) {
    return this.call(PROMPT_VERSIONS.proposeCoding, async () => codeFromPurchaseOrder(request));
  }

  async explainDecision(request: Parameters<ModelProvider['explainDecision']>[0]) {
    return this.call(PROMPT_VERSIONS.explainDecision, async () => explainFromFacts(request));
  }

  private async call<T>(promptVersion: string, work: () => Promise<T>): Promise<ModelCall<T>> {
    const started = performance.now();
    const value = await work();
    return {
      value,
      modelId: LOCAL_MODEL_ID,
      promptVersion,
      usage: { inputTokens: 0, outputTokens: 0 },
      rawOutput: typeof value === 'string' ? value : JSON.stringify(value),
      latencyMs: Math.round(performance.now() - started),
      stopReason: 'local',
      local: true,
    };
  }
}
