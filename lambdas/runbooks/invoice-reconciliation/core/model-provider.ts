import type { Invoice } from './invoice.ts';
import type { RuleResult } from './reason-codes.ts';

/** An invoice document as it arrived: text (a printed invoice or an e-mail) or a PDF. */
export type InvoiceDocument =
  | { readonly format: 'text'; readonly text: string }
  | { readonly format: 'pdf'; readonly bytes: Uint8Array };

/** What every model call leaves for the evidence record. */
export interface ModelCall<T> {
  readonly value: T;
  readonly modelId: string;
  readonly promptVersion: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly rawOutput: string;
  readonly latencyMs: number;
  readonly stopReason: string;
  /** True for the deterministic local model; every record it writes says so. */
  readonly local: boolean;
}

export interface CodingLine {
  readonly lineNo: number;
  readonly glAccount: string;
  readonly costCenter: string;
  readonly rationale: string;
}

export interface CodingRequest {
  readonly invoice: Invoice;
  readonly vendorDefaultGlAccount: string | null;
  readonly purchaseOrder: {
    readonly costCenter: string;
    readonly lines: readonly { lineNo: number; sku: string; description: string; glAccount: string }[];
  } | null;
  readonly lineMatches: readonly {
    invoiceLineNo: number;
    poLineNo: number | null;
    glAccount: string | null;
  }[];
}

export interface ExplainRequest {
  readonly invoice: Invoice;
  readonly vendorName: string | null;
  readonly decision: string;
  readonly requiredRole: string | null;
  readonly reasonCodes: readonly string[];
  readonly results: readonly RuleResult[];
  readonly autoApproveLimit: string | null;
}

/** Port: the model. Bedrock Converse in AWS; the deterministic local model on a laptop. */
export interface ModelProvider {
  /** The invoice fields as the model read them; the caller validates and screens them. */
  extractInvoice(document: InvoiceDocument): Promise<ModelCall<unknown>>;
  proposeCoding(request: CodingRequest): Promise<ModelCall<CodingLine[]>>;
  explainDecision(request: ExplainRequest): Promise<ModelCall<string>>;
}

/** The model service throttled us; runbooks retry it by name with backoff. */
export class ModelThrottledError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelThrottled';
  }
}

/** The model answered, but not with a usable tool call (cut off, no tool use, wrong shape). */
export class ModelOutputError extends Error {
  readonly reason: 'MAX_TOKENS' | 'NO_TOOL_USE' | 'INVALID_TOOL_INPUT' | 'BLOCKED';
  readonly rawOutput: string;
  constructor(reason: ModelOutputError['reason'], message: string, rawOutput = '') {
    super(message);
    this.name = 'ModelOutputInvalid';
    this.reason = reason;
    this.rawOutput = rawOutput;
  }
}

export const PROMPT_VERSIONS = {
  extractInvoice: 'extract-invoice@1',
  proposeCoding: 'propose-coding@1',
  explainDecision: 'explain-decision@1',
} as const;
