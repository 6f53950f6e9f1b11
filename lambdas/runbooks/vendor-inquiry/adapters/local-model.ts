import { classifyMessage } from '#runbooks/vendor-inquiry/core/classify.ts';
import {
  INQUIRY_PROMPT_VERSIONS,
  type InquiryModel,
  type ModelCall,
} from '#runbooks/vendor-inquiry/core/model.ts';

/** Named so no record can be mistaken for a real model's output. */
export const LOCAL_INQUIRY_MODEL_ID = 'tollgate-local-deterministic@1';

/** The deterministic local model: classifies by pattern and phrases nothing (the template's text stands). */
export class LocalInquiryModel implements InquiryModel {
  async classify(message: Parameters<InquiryModel['classify']>[0]): Promise<ModelCall<unknown>> {
    return this.call(INQUIRY_PROMPT_VERSIONS.classify, () => classifyMessage(message));
  }

  async phrase(draft: string): Promise<ModelCall<string>> {
    return this.call(INQUIRY_PROMPT_VERSIONS.phrase, () => draft);
  }

  private call<T>(promptVersion: string, work: () => T): ModelCall<T> {
    const started = performance.now();
    const value = work();
    return {
      value,
      modelId: LOCAL_INQUIRY_MODEL_ID,
      promptVersion,
      usage: { inputTokens: 0, outputTokens: 0 },
      rawOutput: typeof value === 'string' ? value : JSON.stringify(value),
      latencyMs: Math.round(performance.now() - started),
      local: true,
    };
  }
}
