import type { EvidenceActor, EvidenceBusiness, EvidenceInput } from './records.ts';

/** What a model call leaves as evidence: which model, which prompt, what it cost and said. */
export interface ModelCallEvidence {
  readonly runbook: string;
  readonly runbookVersion: string;
  readonly executionId: string;
  /** The step, e.g. "ExtractInvoice"; the eventKey becomes "<step>/model_call". */
  readonly step: string;
  readonly actor: EvidenceActor;
  readonly modelId: string;
  readonly promptTemplateId: string;
  readonly promptTemplateVersion: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
  /** The model's output exactly as returned. */
  readonly rawOutput: string;
  /** The prompt as sent; stored as a content-addressed payload. */
  readonly prompt?: string;
  readonly stopReason?: string;
  readonly business?: EvidenceBusiness;
}

export function modelCallEvidence(call: ModelCallEvidence): EvidenceInput {
  return {
    recordType: 'model_call',
    runbook: call.runbook,
    runbookVersion: call.runbookVersion,
    executionId: call.executionId,
    eventKey: `${call.step}/model_call`,
    actor: call.actor,
    ...(call.business ? { business: call.business } : {}),
    details: {
      modelId: call.modelId,
      promptTemplateId: call.promptTemplateId,
      promptTemplateVersion: call.promptTemplateVersion,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      latencyMs: call.latencyMs,
      rawOutput: call.rawOutput,
      ...(call.stopReason ? { stopReason: call.stopReason } : {}),
    },
    ...(call.prompt !== undefined
      ? { payloads: [{ name: 'prompt', contentType: 'text/plain; charset=utf-8', body: call.prompt }] }
      : {}),
  };
}
