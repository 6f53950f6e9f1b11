import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TollgateError } from '#platform/core/errors.ts';
import { LOCAL_MODEL_ID } from '#runbooks/invoice-reconciliation/adapters/local-model.ts';
import { issueDevToken } from '../../local/dev-identity.ts';
import { type LocalStack, startLocalStack } from '../../local/local-stack.ts';
import { DEMO_AGENT_ID, DEMO_REQUESTER, invoiceBody, readCases, type SampleCase } from './demo.ts';
import { readSnapshot, seed } from './seed.ts';

/** The labelled fields of the set (cases.json `expected`) that extraction must read right. */
const FIELDS = ['invoiceNumber', 'total', 'currency'] as const;
const MODEL_STEPS = ['ExtractInvoice/model_call', 'ProposeCoding/model_call'] as const;
const RUNBOOK = 'invoice-reconciliation';

export interface EvalCase {
  readonly caseId: string;
  readonly executionId: string;
  readonly expected: SampleCase['expected'];
  /** What the agent would have decided alone (shadow), else the gate's decision. */
  readonly agentDecision: string | null;
  readonly agentReasonCodes: readonly string[];
  /** What the runbook did with it: with the agent in shadow, a person decides everything it does not reject. */
  readonly runbookDecision: string | null;
  readonly fields: Readonly<Record<(typeof FIELDS)[number], boolean>>;
  readonly decisionCorrect: boolean;
  readonly reasonCodesCorrect: boolean;
  readonly falseAutoApproval: boolean;
  readonly model: {
    readonly modelId: string | null;
    readonly inputTokens: number;
    readonly outputTokens: number;
  };
}

export interface EvalReport {
  readonly kind: 'eval';
  readonly samples: string;
  readonly runbook: string;
  readonly runbookVersion: string;
  readonly agentId: string;
  readonly agentTier: 'shadow';
  readonly ranAt: string;
  readonly cases: number;
  /** Share of labelled fields (invoice number, total, currency) read right, overall and per field. */
  readonly fieldAccuracy: { readonly overall: number; readonly byField: Readonly<Record<string, number>> };
  /** Share of cases where the agent's decision is the labelled one. */
  readonly decisionAccuracy: number;
  /** Share of cases where the decision and every reason code are the labelled ones. */
  readonly reasonCodeAccuracy: number;
  /** Cases the agent would have approved alone that the labels say it must not. */
  readonly falseAutoApprovals: { readonly count: number; readonly caseIds: readonly string[] };
  /** Share of cases the agent would have approved alone. */
  readonly automationRate: number;
  /**
   * Model cost from the tokens each run's model calls recorded in evidence, priced by the
   * dashboard's price table; null where the model has no listed price (the local model is free).
   */
  readonly costPerInvoice: {
    readonly usd: string | null;
    readonly modelIds: readonly string[];
    readonly inputTokens: number;
    readonly outputTokens: number;
  };
  readonly perCase: readonly EvalCase[];
}

export interface EvalOptions {
  readonly samplesDir: string;
  /** A running local stack (tests); otherwise a fresh one in a temporary folder, stopped at the end. */
  readonly stack?: LocalStack;
  readonly dataDir?: string;
  readonly agentId?: string;
  readonly timeoutMs?: number;
  readonly progress?: (line: string) => void;
}

interface ExecutionView {
  readonly status: string;
  readonly proposedDecision?: string | null;
  readonly invoice?: Record<string, unknown> | null;
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10_000) / 10_000);

/** Decimal strings compared as numbers of the same value ("1200" = "1200.00"); never through floats. */
function sameAmount(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const norm = (s: string) => {
    const [whole = '', fraction = ''] = s.trim().split('.');
    return `${whole.replace(/^0+(?=\d)/, '')}.${fraction.replace(/0+$/, '')}`;
  };
  return /^-?\d+(\.\d+)?$/.test(a) && norm(a) === norm(b);
}

/**
 * `tollgate eval <labelled-dir>`: the labelled set (erp.json, cases.json, invoices/) through the
 * real invoice runbook on a fresh local stack, with its agents registered in shadow tier: every
 * step runs and the agent's own decision is recorded beside the gate's, but a person would decide
 * every case. The report compares the agent with the labels.
 */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const samplesDir = resolve(options.samplesDir);
  for (const file of ['erp.json', 'cases.json'])
    if (!existsSync(join(samplesDir, file)))
      throw new TollgateError(
        'VALIDATION_FAILED',
        `${samplesDir} has no ${file}: give a folder in the format of the AP sample set (erp.json, cases.json, invoices/).`,
      );
  const cases = readCases(samplesDir);
  const agentId = options.agentId ?? DEMO_AGENT_ID;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stack =
    options.stack ??
    (await startLocalStack({
      port: 0,
      dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'tollgate-eval-')),
      digestIntervalMs: 0,
    }));
  try {
    // Loaded once the stack has set the functions' environment (log level, endpoints).
    const { DynamoDbEvidenceChain } = await import('#platform/evidence/adapters/evidence-chain-dynamodb.ts');
    const { getCase } = await import('#platform/runs/adapters/case-store-dynamodb.ts');
    const { estimateModelCostMicroUsd } = await import('#platform/aws/metrics.ts');
    await seed(readSnapshot(join(samplesDir, 'erp.json')), { agentTier: 'shadow' });
    const api = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${stack.endpoints.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${issueDevToken(stack.signingKey, DEMO_REQUESTER)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: response.status,
        body: (await response.json()) as ExecutionView & Record<string, unknown>,
      };
    };
    const chain = new DynamoDbEvidenceChain();
    const tag = Date.now().toString(36);
    const perCase: EvalCase[] = [];
    for (const sample of cases) {
      const started = await api(
        'POST',
        `/runbooks/${RUNBOOK}/executions`,
        invoiceBody(samplesDir, sample.document, agentId),
        {
          'Idempotency-Key': `eval-${tag}-${sample.caseId}`,
        },
      );
      if (started.status !== 202)
        throw new Error(
          `Submitting ${sample.caseId} answered ${started.status}: ${JSON.stringify(started.body)}`,
        );
      const executionId = started.body.executionId as string;
      const deadline = Date.now() + timeoutMs;
      let seen = (await api('GET', `/executions/${executionId}`)).body;
      while (!seen.proposedDecision && (seen.status === 'RUNNING' || seen.status === 'NOT_STARTED')) {
        if (Date.now() > deadline)
          throw new Error(`${sample.caseId} reached no decision in ${timeoutMs} ms.`);
        await new Promise((r) => setTimeout(r, 50));
        seen = (await api('GET', `/executions/${executionId}`)).body;
      }
      const found = (await getCase(executionId)) ?? {};
      const gate = (found.gate ?? {}) as {
        decision?: string;
        reasonCodes?: string[];
        shadow?: { agentWouldHave: string; reasonCodes: string[] };
      };
      const agentDecision = gate.shadow?.agentWouldHave ?? gate.decision ?? null;
      const agentReasonCodes = [...(gate.shadow?.reasonCodes ?? gate.reasonCodes ?? [])].sort();
      const invoice = (seen.invoice ?? {}) as Record<string, unknown>;
      const fields = {
        invoiceNumber: invoice.invoiceNumber === sample.expected.invoiceNumber,
        total: sameAmount(invoice.total, sample.expected.total),
        currency: invoice.currency === sample.expected.currency,
      };
      const model = { modelId: null as string | null, inputTokens: 0, outputTokens: 0 };
      for (const step of MODEL_STEPS) {
        const call = (await chain.findEvent(executionId, step))?.record.details;
        if (!call) continue;
        model.modelId = String(call.modelId);
        model.inputTokens += Number(call.inputTokens ?? 0);
        model.outputTokens += Number(call.outputTokens ?? 0);
      }
      const expectedCodes = [...sample.expected.reasonCodes].sort();
      const decisionCorrect = agentDecision === sample.expected.decision;
      perCase.push({
        caseId: sample.caseId,
        executionId,
        expected: sample.expected,
        agentDecision,
        agentReasonCodes,
        runbookDecision: seen.proposedDecision ?? null,
        fields,
        decisionCorrect,
        reasonCodesCorrect: decisionCorrect && agentReasonCodes.join(',') === expectedCodes.join(','),
        falseAutoApproval: agentDecision === 'AUTO_APPROVED' && sample.expected.decision !== 'AUTO_APPROVED',
        model,
      });
      options.progress?.(
        `${sample.caseId}: agent would ${agentDecision ?? 'not decide'}, labelled ${sample.expected.decision}`,
      );
    }
    return summarise(perCase, estimateModelCostMicroUsd, {
      samples: samplesDir,
      runbookVersion: stack.runtime.runbookVersions[RUNBOOK] ?? '(unknown)',
      agentId,
    });
  } finally {
    if (!options.stack) await stack.stop();
  }
}

function summarise(
  perCase: readonly EvalCase[],
  estimateModelCostMicroUsd: (modelId: string, input: number, output: number) => number | undefined,
  about: { samples: string; runbookVersion: string; agentId: string },
): EvalReport {
  const n = perCase.length;
  const byField = Object.fromEntries(
    FIELDS.map((field) => [field, ratio(perCase.filter((c) => c.fields[field]).length, n)]),
  );
  const fieldHits = perCase.reduce((sum, c) => sum + FIELDS.filter((f) => c.fields[f]).length, 0);
  const falseAuto = perCase.filter((c) => c.falseAutoApproval);
  let micro = 0;
  let priced = true;
  for (const c of perCase) {
    if (!c.model.modelId) continue;
    // The local model is free, as the dashboard counts it.
    const cost =
      c.model.modelId === LOCAL_MODEL_ID
        ? 0
        : estimateModelCostMicroUsd(c.model.modelId, c.model.inputTokens, c.model.outputTokens);
    if (cost === undefined) priced = false;
    else micro += cost;
  }
  const perInvoiceMicro = n === 0 ? 0 : Math.round(micro / n);
  return {
    kind: 'eval',
    samples: about.samples,
    runbook: RUNBOOK,
    runbookVersion: about.runbookVersion,
    agentId: about.agentId,
    agentTier: 'shadow',
    ranAt: new Date().toISOString(),
    cases: n,
    fieldAccuracy: { overall: ratio(fieldHits, n * FIELDS.length), byField },
    decisionAccuracy: ratio(perCase.filter((c) => c.decisionCorrect).length, n),
    reasonCodeAccuracy: ratio(perCase.filter((c) => c.reasonCodesCorrect).length, n),
    falseAutoApprovals: { count: falseAuto.length, caseIds: falseAuto.map((c) => c.caseId) },
    automationRate: ratio(perCase.filter((c) => c.agentDecision === 'AUTO_APPROVED').length, n),
    costPerInvoice: {
      usd: priced ? (perInvoiceMicro / 1_000_000).toFixed(6) : null,
      modelIds: [...new Set(perCase.flatMap((c) => (c.model.modelId ? [c.model.modelId] : [])))],
      inputTokens: perCase.reduce((s, c) => s + c.model.inputTokens, 0),
      outputTokens: perCase.reduce((s, c) => s + c.model.outputTokens, 0),
    },
    perCase,
  };
}

/** The report as lines to read. */
export function formatEval(report: EvalReport): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `Evaluation of ${report.runbook} ${report.runbookVersion.slice(0, 12)} on ${report.cases} labelled invoices (agent ${report.agentId} in shadow)`,
    `  Field accuracy        ${pct(report.fieldAccuracy.overall)} (${Object.entries(
      report.fieldAccuracy.byField,
    )
      .map(([f, r]) => `${f} ${pct(r)}`)
      .join(', ')})`,
    `  Decision accuracy     ${pct(report.decisionAccuracy)} (with every reason code: ${pct(report.reasonCodeAccuracy)})`,
    `  False auto-approvals  ${report.falseAutoApprovals.count}${report.falseAutoApprovals.caseIds.length ? ` (${report.falseAutoApprovals.caseIds.join(', ')})` : ''}`,
    `  Automation rate       ${pct(report.automationRate)}`,
    `  Cost per invoice      ${report.costPerInvoice.usd === null ? 'no listed price for' : `${report.costPerInvoice.usd} USD,`} ${report.costPerInvoice.modelIds.join(', ') || 'no model call'} (${report.costPerInvoice.inputTokens} input, ${report.costPerInvoice.outputTokens} output tokens in all)`,
    ...report.perCase
      .filter((c) => !c.decisionCorrect || Object.values(c.fields).some((ok) => !ok))
      .map(
        (c) =>
          `  MISS ${c.caseId}: agent ${c.agentDecision} [${c.agentReasonCodes.join(', ')}], labelled ${c.expected.decision} [${c.expected.reasonCodes.join(', ')}]${Object.entries(
            c.fields,
          )
            .filter(([, ok]) => !ok)
            .map(([f]) => `; ${f} misread`)
            .join('')}`,
      ),
    '',
  ];
}
