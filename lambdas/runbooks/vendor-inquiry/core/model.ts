import type { InquiryMessage } from './classify.ts';
import type { InquiryFacts } from './facts.ts';

/** What every model call leaves for the evidence record. */
export interface ModelCall<T> {
  readonly value: T;
  readonly modelId: string;
  readonly promptVersion: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly rawOutput: string;
  readonly latencyMs: number;
  /** True for the deterministic local model; every record it writes says so. */
  readonly local: boolean;
}

/**
 * Port: the model of the inquiry runbook. It sees the subject and body (never the sender, which
 * identity alone decides) and, to phrase a reply, only the template's text and the facts. Its
 * answers are validated by the caller; its phrasing is checked against the facts before sending.
 */
export interface InquiryModel {
  /** Intent and references; the caller parses the value with `classificationSchema`. */
  classify(message: Pick<InquiryMessage, 'subject' | 'body'>): Promise<ModelCall<unknown>>;
  /** The reply in the agent's words; the caller checks every number in it against the facts. */
  phrase(draft: string, facts: InquiryFacts | null): Promise<ModelCall<string>>;
}

export const INQUIRY_PROMPT_VERSIONS = {
  classify: 'classify-vendor-inquiry@1',
  phrase: 'phrase-vendor-reply@1',
} as const;

/** The model answered, but not with a usable tool call. */
export class InquiryModelOutputError extends Error {
  readonly rawOutput: string;
  constructor(message: string, rawOutput = '') {
    super(message);
    this.name = 'ModelOutputInvalid';
    this.rawOutput = rawOutput;
  }
}

/** The model service throttled us; the runbook retries it by name with backoff. */
export class InquiryModelThrottledError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelThrottled';
  }
}
