import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SAMPLES_DIR } from '../bin/commands/demo.ts';
import { intakeFiles } from '../bin/commands/intake.ts';
import { readSnapshot, seed } from '../bin/commands/seed.ts';
import { catalogFunctions } from '../lib/catalog.ts';
import { issueDevToken } from '../local/dev-identity.ts';
import { startLocalStack } from '../local/local-stack.ts';
import { buildEInvoice, type EInvoiceSpec, pdfWithFiles } from '../test/support/e-invoices.ts';
import { measureAwsUsage } from './aws-usage.ts';

// Intake on the local stack: 100 mixed files (UBL, CII, Factur-X PDFs, printed text, and copies)
// through `tollgate intake`, per kind of document: how fast they are taken and decided, how many
// runs start (copies once), and what each document asks of AWS — Lambda, DynamoDB, S3 — priced
// with aws-prices.json. Model calls at extraction are counted, not priced: e-invoices and
// Factur-X need none; Bedrock tokens for text and PDFs are priced in bench/cost-model.ts.
const samplesDir = process.env.TOLLGATE_SAMPLES_DIR ?? DEFAULT_SAMPLES_DIR;
const prices = JSON.parse(readFileSync(new URL('./aws-prices.json', import.meta.url), 'utf8')) as {
  prices: Record<string, { usd: string }>;
};
const price = (name: string) => Number(prices.prices[name]?.usd);
/** Client-side reads (this bench polling for decisions) depend on the caller, not on the document; left out. */
const CLIENT_READS = new Set(['GetExecution', 'ListApprovals', 'GetAgentControls']);
const usage = measureAwsUsage((functionId) => !CLIENT_READS.has(functionId));

const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-intake-bench-'));
const inbox = mkdtempSync(join(tmpdir(), 'tollgate-intake-files-'));
const stack = await startLocalStack({ port: 0, dataDir, inMemory: true, digestIntervalMs: 0 });
const token = issueDevToken(stack.signingKey, 'finley.auditor');
const erp = readSnapshot(join(samplesDir, 'erp.json'));
await seed(erp);

const po = erp.purchaseOrders.find((p) => p.poNumber === 'PO-4501002');
const vendor = erp.vendors.find((v) => v.vendorId === po?.vendorId);
if (!po || !vendor) throw new Error('The sample snapshot has no PO-4501002.');
const spec = (id: string, syntax: EInvoiceSpec['syntax']): EInvoiceSpec => ({
  syntax,
  id,
  issueDate: '2026-11-02',
  dueDate: '2026-12-02',
  currency: po.currency,
  poNumber: po.poNumber,
  seller: { name: vendor.name, vatId: vendor.taxId, country: 'US' },
  buyer: { name: 'Sample Buyer Inc', country: 'US' },
  lines: [
    { quantity: '1', price: '27.30', name: 'Hard hat class E', sku: 'SKU-50445', category: 'S', rate: '10' },
  ],
});

/** Each kind in its own folder, submitted and decided as one batch; 100 files in all, 10 of them copies. */
const kinds: { name: string; write: (dir: string) => Promise<void> }[] = [
  {
    name: 'UBL e-invoice',
    write: async (dir) => {
      for (let n = 0; n < 30; n++)
        writeFileSync(join(dir, `ubl-${n}.xml`), buildEInvoice(spec(`B-UBL-${n}`, 'UBL-Invoice')).xml);
    },
  },
  {
    name: 'CII e-invoice',
    write: async (dir) => {
      for (let n = 0; n < 30; n++)
        writeFileSync(join(dir, `cii-${n}.xml`), buildEInvoice(spec(`B-CII-${n}`, 'CII')).xml);
    },
  },
  {
    name: 'Factur-X PDF',
    write: async (dir) => {
      for (let n = 0; n < 20; n++) {
        const xml = buildEInvoice(spec(`B-FX-${n}`, 'CII')).xml;
        writeFileSync(
          join(dir, `fx-${n}.pdf`),
          await pdfWithFiles([`Invoice B-FX-${n}`], [['factur-x.xml', xml]]),
        );
      }
    },
  },
  {
    name: 'printed text + copies',
    write: async (dir) => {
      const printed = readdirSync(join(samplesDir, 'invoices'))
        .filter((name) => name.endsWith('.txt'))
        .sort()
        .slice(0, 10);
      for (const name of printed) {
        copyFileSync(join(samplesDir, 'invoices', name), join(dir, name));
        copyFileSync(join(samplesDir, 'invoices', name), join(dir, `copy-of-${name}`));
      }
    },
  },
];

async function decided(executionId: string): Promise<{ extraction?: { modelId?: string | null } }> {
  for (;;) {
    const response = await fetch(`${stack.endpoints.api}/executions/${executionId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as any;
    if (body.status !== 'RUNNING' || body.approval?.status === 'PENDING') return body;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function snapshot() {
  let requests = 0;
  let gbSeconds = 0;
  for (const [fn, entry] of usage.invocations) {
    const memoryMb = catalogFunctions().find((f) => f.id === fn)?.memoryMb ?? 512;
    requests += entry.count;
    gbSeconds += (entry.billedMs / 1000) * (memoryMb / 1024);
  }
  return { requests, gbSeconds, ...usage.dynamo, ...usage.s3Calls };
}

/** One document of each kind first, not counted: module loading and JIT warm-up stay out of the first batch. */
async function warmUp(): Promise<void> {
  const dir = join(inbox, 'warm-up');
  mkdirSync(dir);
  writeFileSync(join(dir, 'w.xml'), buildEInvoice(spec('W-UBL', 'UBL-Invoice')).xml);
  writeFileSync(join(dir, 'w-cii.xml'), buildEInvoice(spec('W-CII', 'CII')).xml);
  const xml = buildEInvoice(spec('W-FX', 'CII')).xml;
  writeFileSync(join(dir, 'w.pdf'), await pdfWithFiles(['Invoice W-FX'], [['factur-x.xml', xml]]));
  const results = await intakeFiles({ dataDir, user: 'avery.clerk', paths: [dir], concurrency: 4 });
  await Promise.all(results.flatMap((r) => (r.executionId ? [decided(r.executionId)] : [])));
}

const rows: string[] = [];
let files = 0;
let started = 0;
let duplicates = 0;
let submitMs = 0;
try {
  await warmUp();
  for (const kind of kinds) {
    const dir = join(inbox, kind.name.replace(/\W+/g, '-'));
    mkdirSync(dir);
    await kind.write(dir);
    const before = snapshot();
    const t0 = performance.now();
    const results = await intakeFiles({ dataDir, user: 'avery.clerk', paths: [dir], concurrency: 4 });
    const t1 = performance.now();
    const runs = [...new Set(results.flatMap((r) => (r.executionId ? [r.executionId] : [])))];
    const outcomes = await Promise.all(runs.map(decided));
    const t2 = performance.now();
    const after = snapshot();
    const refused = results.filter((r) => r.outcome === 'REFUSED');
    if (refused.length > 0) throw new Error(`Refused: ${JSON.stringify(refused.slice(0, 3))}`);
    const documents = runs.length;
    const modelCalls = outcomes.filter((o) => o.extraction?.modelId).length;
    const per1000 = (value: number) => (value / documents) * 1000;
    const usd =
      per1000(after.requests - before.requests) * price('lambdaPerRequest') +
      per1000(after.gbSeconds - before.gbSeconds) * price('lambdaPerGbSecondArm64') +
      per1000(after.writeUnits - before.writeUnits) * price('dynamoDbOnDemandPerWriteRequestUnit') +
      per1000(after.readUnits - before.readUnits) * price('dynamoDbOnDemandPerReadRequestUnit') +
      (per1000(after.put - before.put) / 1000) * price('s3StandardPutPer1000') +
      (per1000(after.get - before.get) / 1000) * price('s3StandardGetPer1000');
    files += results.length;
    started += results.filter((r) => r.outcome === 'STARTED').length;
    duplicates += results.filter((r) => r.outcome === 'DUPLICATE').length;
    submitMs += t1 - t0;
    rows.push(
      `${kind.name.padEnd(22)} ${String(results.length).padStart(5)} ${String(documents).padStart(5)} ${(results.length / ((t1 - t0) / 1000)).toFixed(1).padStart(9)} ${(documents / ((t2 - t0) / 1000)).toFixed(1).padStart(10)} ${(modelCalls / documents).toFixed(2).padStart(11)} ${((after.requests - before.requests) / documents).toFixed(1).padStart(8)} ${usd.toFixed(4).padStart(12)}`,
    );
  }
  process.stdout.write(
    `intake of ${files} files on the local stack (4 at a time): ${started} runs started, ${duplicates} copies answered with an earlier run\n\n`,
  );
  process.stdout.write(
    'kind                   files  runs  submit/s  decided/s  model/doc  lambda/doc  USD/1000 docs*\n',
  );
  for (const row of rows) process.stdout.write(`${row}\n`);
  process.stdout.write(
    `\nall kinds: ${(files / (submitMs / 1000)).toFixed(1)} files/s submitted\n` +
      '* Lambda requests and GB-seconds (arm64, measured ms), DynamoDB request units, S3 requests; Step Functions transitions and Bedrock tokens are in bench/cost-model.ts. Timings are of this machine and the local stack: compare the kinds within one run.\n',
  );
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(inbox, { recursive: true, force: true });
}
