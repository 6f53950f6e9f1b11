import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SAMPLES_DIR, percentiles, readCases, type SampleCase } from '../bin/commands/demo.ts';
import { readSnapshot, seed } from '../bin/commands/seed.ts';
import { issueDevToken } from '../local/dev-identity.ts';
import { startLocalStack } from '../local/local-stack.ts';

// Invoice-reconciliation throughput and latency on the local stack, at concurrency 1 and 8 in
// one run. Latency: submit to the agent's decision being in force — AUTO_APPROVED or REJECTED
// runs to their end (hold and explanation written), PENDING_APPROVAL runs to the approval
// waiting in the work room. The human step is not measured.
const PER_LEVEL = Number(process.env.BENCH_INVOICES ?? 48);
const LEVELS = [1, 8];
const POLL_MS = 10;
const samplesDir = process.env.TOLLGATE_SAMPLES_DIR ?? DEFAULT_SAMPLES_DIR;

const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
const stack = await startLocalStack({ port: 0, dataDir, inMemory: true, digestIntervalMs: 0 });
const token = issueDevToken(stack.signingKey, 'avery.clerk');

async function call(method: string, path: string, body?: unknown, key?: string) {
  const response = await fetch(`${stack.endpoints.api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A sample invoice with its number made unique, in text and structured alike. */
function generated(sample: SampleCase, suffix: string): Record<string, unknown> {
  const original = sample.expected.invoiceNumber;
  const unique = `${original}-${suffix}`;
  const content = readFileSync(join(samplesDir, sample.document), 'utf8');
  if (sample.document.endsWith('.json')) {
    const structured = JSON.parse(content) as Record<string, unknown>;
    return {
      invoice: { structured: { ...structured, invoiceNumber: unique } },
      agentId: 'invoice-review-agent',
    };
  }
  return { invoice: { text: content.replaceAll(original, unique) }, agentId: 'invoice-review-agent' };
}

interface Measured {
  readonly ms: number;
  readonly decision: string;
}

async function one(body: Record<string, unknown>, key: string): Promise<Measured> {
  const t0 = performance.now();
  const started = await call('POST', '/runbooks/invoice-reconciliation/executions', body, key);
  if (started.status !== 202)
    throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = started.body.executionId as string;
  for (;;) {
    const { body: run } = await call('GET', `/executions/${id}`);
    const stopped = run.status !== 'RUNNING' && run.status !== 'NOT_STARTED';
    if (run.decision === 'PENDING_APPROVAL' && run.approval?.approvalId)
      return { ms: performance.now() - t0, decision: 'PENDING_APPROVAL' };
    if (stopped) return { ms: performance.now() - t0, decision: run.decision ?? run.status };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function level(concurrency: number, cases: readonly SampleCase[], tag: string) {
  const work = Array.from({ length: PER_LEVEL }, (_, i) => cases[i % cases.length] as SampleCase);
  const results: Measured[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < work.length; i = next++) {
        const sample = work[i] as SampleCase;
        const suffix = `${tag}C${concurrency}N${i}`;
        results.push(await one(generated(sample, suffix), `bench-${suffix}`));
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const byDecision: Record<string, number> = {};
  for (const r of results) byDecision[r.decision] = (byDecision[r.decision] ?? 0) + 1;
  return {
    concurrency,
    invoices: results.length,
    perSecond: results.length / seconds,
    latency: percentiles(results.map((r) => r.ms)),
    byDecision,
  };
}

try {
  await seed(readSnapshot(join(samplesDir, 'erp.json')));
  // The history duplicate keeps its number on purpose elsewhere; here every number is new, so it is left out.
  const cases = readCases(samplesDir).filter((c) => !c.expected.reasonCodes.includes('DUPLICATE_INVOICE'));
  await level(1, cases.slice(0, 3), 'W'); // warm-up: modules loaded, clients connected
  const rows = [];
  for (const concurrency of LEVELS) rows.push(await level(concurrency, cases, 'B'));
  const fmt = (n: number, d = 1) => n.toFixed(d).padStart(9);
  process.stdout.write(
    `Invoice reconciliation on the local stack, ${PER_LEVEL} invoices per level (${cases.length} sample layouts, unique invoice numbers)\n`,
  );
  process.stdout.write('concurrency  invoices  invoices/s   p50 ms   p95 ms  decisions\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.concurrency).padStart(11)} ${String(r.invoices).padStart(9)} ${fmt(r.perSecond, 2).padStart(11)} ${fmt(r.latency.p50, 0)}${fmt(r.latency.p95, 0)}  ${Object.entries(
        r.byDecision,
      )
        .map(([d, n]) => `${d} ${n}`)
        .join(', ')}\n`,
    );
  }
  const [c1, c8] = rows as [(typeof rows)[0], (typeof rows)[0]];
  process.stdout.write(
    `throughput ratio concurrency 8 / concurrency 1: ${(c8.perSecond / c1.perSecond).toFixed(2)}\n`,
  );
  // Decide what waits in the work room, so every run ends and the stack stops promptly.
  const controller = issueDevToken(stack.signingKey, 'casey.controller');
  const list = await fetch(`${stack.endpoints.api}/approvals?status=PENDING`, {
    headers: { authorization: `Bearer ${controller}` },
  });
  for (const approval of ((await list.json()) as { approvals: { approvalId: string }[] }).approvals) {
    await fetch(`${stack.endpoints.api}/approvals/${approval.approvalId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${controller}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'REJECT', comment: 'Benchmark invoice, not a real payable.' }),
    });
  }
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
