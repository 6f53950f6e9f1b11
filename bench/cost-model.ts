import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS } from '#runbooks/invoice-reconciliation/adapters/bedrock-model.ts';
import { DEFAULT_SAMPLES_DIR, readCases, runDemo } from '../bin/commands/demo.ts';
import { evidenceSource } from '../bin/evidence-commands.ts';
import { catalogFunctions } from '../lib/catalog.ts';
import { startLocalStack } from '../local/local-stack.ts';
import { measureAwsUsage } from './aws-usage.ts';

// AWS cost per 1,000 invoices, per component, from counts measured on one local run of the AP
// sample set (every invoice to its end, approvals decided as in the demo) and the list prices
// in aws-prices.json. Estimates for planning, not a bill.
const prices = JSON.parse(readFileSync(new URL('./aws-prices.json', import.meta.url), 'utf8')) as {
  asOf: string;
  note: string;
  prices: Record<string, { usd: string; source: string }>;
};
const price = (name: string) => Number(prices.prices[name]?.usd);
const samplesDir = process.env.TOLLGATE_SAMPLES_DIR ?? DEFAULT_SAMPLES_DIR;
/** Client-side reads (polling, summaries) depend on the caller, not on the invoice; left out. */
const CLIENT_READS = new Set(['GetExecution', 'ListApprovals', 'GetAgentControls']);
/** Assumed log volume per invocation at INFO (a few structured lines); not measured locally. */
const LOG_BYTES_PER_INVOCATION = 1500;

const { invocations, dynamo, s3Calls } = measureAwsUsage((functionId) => !CLIENT_READS.has(functionId));

const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cost-'));
const stack = await startLocalStack({ port: 0, dataDir, inMemory: true, digestIntervalMs: 0 });
try {
  // Invoices only: the payment loop has its own cost per 1,000 payments (bench/payment-run.ts).
  const summary = await runDemo({ stack, samplesDir, payments: false });
  const invoices = summary.invoices;
  const per1000 = (count: number) => (count / invoices) * 1000;

  // State transitions: every state entered, from the local engine's execution history.
  let transitions = 0;
  let executions = 0;
  for (const file of readdirSync(join(dataDir, 'executions')).filter((f) => f.endsWith('.json'))) {
    const execution = JSON.parse(readFileSync(join(dataDir, 'executions', file), 'utf8')) as {
      stateMachineArn: string;
      history: { type: string }[];
    };
    if (!execution.stateMachineArn.endsWith('invoice-reconciliation')) continue;
    executions += 1;
    transitions += execution.history.filter((e) => e.type === 'StateEntered').length;
  }

  let requests = 0;
  let gbSeconds = 0;
  const lambdaRows: string[] = [];
  for (const [fn, entry] of [...invocations.entries()].sort()) {
    if (CLIENT_READS.has(fn)) continue;
    const memoryMb = catalogFunctions().find((f) => f.id === fn)?.memoryMb ?? 512;
    requests += entry.count;
    gbSeconds += (entry.billedMs / 1000) * (memoryMb / 1024);
    lambdaRows.push(
      `    ${fn.padEnd(28)} ${String(entry.count).padStart(4)} calls, mean ${(entry.ms / entry.count).toFixed(1)} ms, ${memoryMb} MB`,
    );
  }

  const store = evidenceSource({ dataDir }).store;
  const objects = {
    records: (await store.list('records/')).length,
    payloads: (await store.list('payloads/')).length,
    digests: (await store.list('digests/')).length,
  };
  const s3Puts = objects.records + objects.payloads + objects.digests;

  // Bedrock: the local model reports 0 tokens, so estimate from prompt sizes (characters / 4).
  const cases = readCases(samplesDir);
  const schema = (tool: string) => JSON.stringify(TOOLS[tool]).length;
  const text = cases.filter((c) => !c.document.endsWith('.json'));
  const structuredChars = cases
    .filter((c) => c.document.endsWith('.json'))
    .map((c) => readFileSync(join(samplesDir, c.document), 'utf8').length);
  const meanStructured = structuredChars.reduce((a, b) => a + b, 0) / Math.max(1, structuredChars.length);
  const SYSTEM_AND_WRAPPER = 400;
  const extractIn = text.reduce(
    (total, c) =>
      total +
      (readFileSync(join(samplesDir, c.document), 'utf8').length +
        schema('record_invoice') +
        SYSTEM_AND_WRAPPER) /
        4,
    0,
  );
  const extractOut = (text.length * meanStructured * 1.5) / 4; // the invoice JSON plus per-field confidences
  const calls = (fn: string) => invocations.get(fn)?.count ?? 0;
  const codingIn =
    calls('InvoiceProposeCoding') * ((schema('record_gl_coding') + SYSTEM_AND_WRAPPER + meanStructured) / 4);
  const codingOut = calls('InvoiceProposeCoding') * 120;
  const explainIn =
    calls('InvoiceExplain') * ((schema('record_explanation') + SYSTEM_AND_WRAPPER + 1500) / 4);
  const explainOut = calls('InvoiceExplain') * 150;
  const tokensIn = extractIn + codingIn + explainIn;
  const tokensOut = extractOut + codingOut + explainOut;

  const logGb = (requests * LOG_BYTES_PER_INVOCATION) / 1024 ** 3;
  const components: [string, string, number][] = [
    [
      'Step Functions Standard',
      `${(transitions / executions).toFixed(1)} state transitions per invoice`,
      per1000(transitions) * price('stepFunctionsStandardPerStateTransition'),
    ],
    [
      'Lambda requests',
      `${(requests / invoices).toFixed(1)} invocations per invoice`,
      per1000(requests) * price('lambdaPerRequest'),
    ],
    [
      'Lambda compute (arm64)',
      `${((gbSeconds / invoices) * 1000).toFixed(1)} GB-ms per invoice (local durations)`,
      per1000(gbSeconds) * price('lambdaPerGbSecondArm64'),
    ],
    [
      'DynamoDB writes',
      `${(dynamo.writeUnits / invoices).toFixed(1)} WRU per invoice`,
      per1000(dynamo.writeUnits) * price('dynamoDbOnDemandPerWriteRequestUnit'),
    ],
    [
      'DynamoDB reads',
      `${(dynamo.readUnits / invoices).toFixed(1)} RRU per invoice`,
      per1000(dynamo.readUnits) * price('dynamoDbOnDemandPerReadRequestUnit'),
    ],
    [
      'S3 PUT (evidence)',
      `${(s3Puts / invoices).toFixed(1)} objects per invoice`,
      (per1000(s3Puts) / 1000) * price('s3StandardPutPer1000'),
    ],
    [
      'S3 GET',
      `${(s3Calls.get / invoices).toFixed(1)} GETs per invoice`,
      (per1000(s3Calls.get) / 1000) * price('s3StandardGetPer1000'),
    ],
    [
      'Bedrock input tokens',
      `${Math.round(tokensIn / invoices)} tokens per invoice (estimate)`,
      (per1000(tokensIn) / 1000) * price('bedrockSonnetInputPer1000Tokens'),
    ],
    [
      'Bedrock output tokens',
      `${Math.round(tokensOut / invoices)} tokens per invoice (estimate)`,
      (per1000(tokensOut) / 1000) * price('bedrockSonnetOutputPer1000Tokens'),
    ],
    [
      'CloudWatch Logs ingestion',
      `${LOG_BYTES_PER_INVOCATION} bytes per invocation (assumed)`,
      per1000(logGb) * price('cloudWatchLogsIngestionPerGb'),
    ],
  ];
  const total = components.reduce((sum, [, , usd]) => sum + usd, 0);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `AWS cost per 1,000 invoices (us-east-1 list prices as of ${prices.asOf}; measured on ${invoices} sample invoices, ${executions} runs, all to their end)`,
  );
  out(
    'component                    measured                                          USD per 1,000 invoices',
  );
  for (const [name, basis, usd] of components)
    out(`${name.padEnd(28)} ${basis.padEnd(50)} ${usd.toFixed(4).padStart(10)}`);
  out(`${'Total'.padEnd(28)} ${''.padEnd(50)} ${total.toFixed(4).padStart(10)}`);
  out('');
  out(
    'Lambda invocations measured (client polling functions GetExecution/ListApprovals/GetAgentControls excluded):',
  );
  for (const row of lambdaRows) out(row);
  out(
    `DynamoDB: ${dynamo.calls} calls from runbook and API functions, ${dynamo.unmeasured} without consumed capacity in the answer.`,
  );
  out(
    `S3: ${objects.records} records, ${objects.payloads} payloads, ${objects.digests} digests in the evidence bucket; ${s3Calls.get} GETs counted.`,
  );
  out(
    `Bedrock: the local model reports 0 tokens; estimated as (document + tool schema + system prompt characters) / 4 for ${text.length} text invoices' extraction (structured e-invoices skip the model), and the coding and explanation calls measured (${calls('InvoiceProposeCoding')} and ${calls('InvoiceExplain')}), with assumed outputs of 120 and 150 tokens.`,
  );
  out(prices.note);
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
