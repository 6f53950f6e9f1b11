import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatMoney } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { issueDevToken } from '../../local/dev-identity.ts';
import { LOCAL_EVIDENCE_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack.ts';
import { evidenceSource, runVerify } from '../evidence-commands.ts';
import { formatInquirySummary, type InquiryDemoSummary, runInquiryDemo } from './demo-inquiries.ts';
import { formatPaymentSummary, type PaymentLoopSummary, runPaymentLoop } from './demo-payments.ts';
import { readSnapshot, seed } from './seed.ts';

/** The AP sample set, beside the project; TOLLGATE_SAMPLES_DIR or --samples points elsewhere. */
/** What the demo's people reject: a price off the PO, or an invoice in another currency than its PO. */
export const DEMO_REJECTS: readonly string[] = ['PRICE_VARIANCE', 'CURRENCY_MISMATCH'];

export const DEFAULT_SAMPLES_DIR = resolve(
  PROJECT_ROOT,
  process.env.TOLLGATE_SAMPLES_DIR ?? '../shared/samples/ap-invoices',
);
export const DEMO_AGENT_ID = 'invoice-review-agent';
export const DEMO_REQUESTER = 'avery.clerk';
/** Who decides each approval: never the requester; a controller only where the controller is required. */
export const DEMO_APPROVERS: Readonly<Record<string, string>> = {
  ap_clerk: 'blake.clerk',
  controller: 'casey.controller',
};

export type Decision = 'AUTO_APPROVED' | 'PENDING_APPROVAL' | 'REJECTED';

export interface SampleCase {
  readonly caseId: string;
  readonly kind: string;
  readonly document: string;
  readonly expected: {
    readonly decision: Decision;
    readonly reasonCodes: readonly string[];
    readonly requiredRole: string | null;
    readonly invoiceNumber: string;
    readonly total: string;
    readonly currency: string;
  };
}

export function readCases(samplesDir: string): SampleCase[] {
  return JSON.parse(readFileSync(join(samplesDir, 'cases.json'), 'utf8')) as SampleCase[];
}

/** The request body for one sample document: text documents as text, .json e-invoices as structured. */
export function invoiceBody(samplesDir: string, document: string, agentId: string): Record<string, unknown> {
  const content = readFileSync(join(samplesDir, document), 'utf8');
  return {
    invoice: document.endsWith('.json') ? { structured: JSON.parse(content) } : { text: content },
    agentId,
  };
}

export interface CaseOutcome {
  readonly caseId: string;
  readonly invoiceNumber: string;
  readonly executionId: string;
  readonly decision: string | null;
  readonly reasonCodes: readonly string[];
  readonly requiredRole: string | null;
  readonly approval: { readonly role: string; readonly decidedBy: string; readonly decision: string } | null;
  readonly status: string;
  readonly finalStatus: string | null;
  /** Submission (server createdAt) to the moment the agent's decision was first seen, ms. */
  readonly decisionMs: number;
  /** Submission (server createdAt) to the execution's stop (server stoppedAt), ms; includes the approval step. */
  readonly cycleMs: number;
  readonly mismatches: readonly string[];
  /** Set when the run did not end as its decisions say it should (e.g. a step failed after approval). */
  readonly runProblem: string | null;
}

export interface DemoSummary {
  readonly invoices: number;
  readonly decisions: Readonly<Record<Decision, number>>;
  readonly autoApproved: number;
  readonly automationRate: number;
  readonly exceptionsByReason: Readonly<Record<string, number>>;
  readonly approvalsByRole: Readonly<Record<string, { approved: number; rejected: number }>>;
  readonly finalStatuses: Readonly<Record<string, number>>;
  readonly cycleMs: { readonly p50: number; readonly p95: number };
  readonly decisionMs: { readonly p50: number; readonly p95: number };
  readonly escrowHeld: readonly string[];
  readonly escrowOpenHolds: number;
  /** The part the agent approved alone (its open exposure). */
  readonly agentEscrowHeld: readonly string[];
  readonly agentEscrowOpenHolds: number;
  readonly asExpected: number;
  readonly mismatches: readonly { caseId: string; problems: readonly string[] }[];
  readonly runProblems: readonly { caseId: string; problem: string }[];
  readonly evidence: { readonly valid: number; readonly invalid: number; readonly exitCode: number };
  readonly evidenceFolder: string;
  readonly dataDir: string;
  readonly cases: readonly CaseOutcome[];
  /** The money loop after the approvals (payment run, bank answers, reconciliation); null when skipped. */
  readonly payments: PaymentLoopSummary | null;
  /** Vendors asking about their invoices afterwards (the vendor-inquiry runbook); null when skipped. */
  readonly inquiries: InquiryDemoSummary | null;
}

export interface DemoOptions {
  /** A running local stack (tests); otherwise the demo starts one on free ports and stops it at the end. */
  readonly stack?: LocalStack;
  /** Data folder for the stack the demo starts; default a fresh temporary folder. */
  readonly dataDir?: string;
  readonly samplesDir?: string;
  readonly agentId?: string;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** How long one invoice may take to reach its decision or its end. */
  readonly timeoutMs?: number;
  /** Go on past the approvals: pay, let the simulated bank answer, reconcile. @default true */
  readonly payments?: boolean;
  /** Then vendors ask about their invoices: answered, and one drafted for a clerk. @default true */
  readonly inquiries?: boolean;
}

type ApiCall = (
  method: string,
  path: string,
  user: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: ExecutionView & Record<string, unknown> }>;

/** The part of GET /executions/{id} the demo reads. */
interface ExecutionView {
  readonly status: string;
  readonly createdAt: string;
  readonly stoppedAt: string | null;
  /** The agent's proposal (AUTO_APPROVED, PENDING_APPROVAL, REJECTED); `finalStatus` is the outcome. */
  readonly proposedDecision?: string | null;
  readonly reasonCodes?: string[];
  readonly requiredRole?: string | null;
  readonly finalStatus?: string | null;
  readonly approval?: { approvalId?: string } | null;
  readonly failure?: unknown;
}

/**
 * The whole AP story on the local stack: seed the system of record, submit every sample
 * invoice as an AP clerk, decide the approvals as the right people, digest and verify the
 * evidence, and sum it up as a controller would read it.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const samplesDir = resolve(options.samplesDir ?? DEFAULT_SAMPLES_DIR);
  const agentId = options.agentId ?? DEMO_AGENT_ID;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const cases = readCases(samplesDir);
  const ownStack = !options.stack;
  const stack =
    options.stack ??
    (await startLocalStack({
      port: 0,
      dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'tollgate-demo-')),
      digestIntervalMs: 0,
    }));
  const bar = progressBar(options.progress, cases.length * 3);
  try {
    const api = apiClient(stack);
    bar.note(`Seeding ${join(samplesDir, 'erp.json')}`);
    const snapshot = readSnapshot(join(samplesDir, 'erp.json'));
    await seed(snapshot);

    const runs: { sample: SampleCase; executionId: string; decisionSeenAt: number; seen: ExecutionView }[] =
      [];
    const runTag = Date.now().toString(36);
    for (const sample of cases) {
      const started = await api(
        'POST',
        '/runbooks/invoice-reconciliation/executions',
        DEMO_REQUESTER,
        invoiceBody(samplesDir, sample.document, agentId),
        { 'Idempotency-Key': `demo-${runTag}-${sample.caseId}` },
      );
      if (started.status !== 202)
        throw new Error(
          `Submitting ${sample.caseId} answered ${started.status}: ${JSON.stringify(started.body)}`,
        );
      bar.tick(`submitted ${sample.caseId}`);
      const executionId = started.body.executionId as string;
      const seen = await poll(
        api,
        executionId,
        (b) => Boolean(b.proposedDecision) || (b.status !== 'RUNNING' && b.status !== 'NOT_STARTED'),
        timeoutMs,
      );
      runs.push({ sample, executionId, decisionSeenAt: Date.now(), seen });
      bar.tick(`${sample.caseId} ${seen.proposedDecision ?? seen.status}`);
    }

    const decided = new Map<string, { role: string; decidedBy: string; decision: string }>();
    for (const run of runs) {
      if (run.seen.proposedDecision !== 'PENDING_APPROVAL') {
        bar.tick(`${run.sample.caseId} needs no approval`);
        continue;
      }
      const withApproval = await poll(api, run.executionId, (b) => b.approval?.approvalId, timeoutMs);
      const approvalId = withApproval.approval?.approvalId as string;
      const role = (withApproval.requiredRole ?? 'ap_clerk') as string;
      const decider = DEMO_APPROVERS[role] ?? DEMO_APPROVERS.controller;
      const pending = await api('GET', '/approvals?status=PENDING', decider as string);
      const work = (pending.body as { approvals?: { approvalId: string }[] }).approvals ?? [];
      if (!work.some((a) => a.approvalId === approvalId))
        throw new Error(`Approval ${approvalId} of ${run.sample.caseId} is not in ${decider}'s work room.`);
      const reject = (withApproval.reasonCodes as string[]).some((code) => DEMO_REJECTS.includes(code));
      const decision = reject ? 'REJECT' : 'APPROVE';
      const answer = await api('POST', `/approvals/${approvalId}/decision`, decider as string, {
        decision,
        comment: reject
          ? `Rejected (${(withApproval.reasonCodes as string[]).join(', ')}): the vendor is to issue a corrected invoice.`
          : `Approved after review of ${(withApproval.reasonCodes as string[]).join(', ')}.`,
      });
      if (answer.status !== 200)
        throw new Error(`Deciding ${approvalId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      decided.set(run.executionId, { role, decidedBy: decider as string, decision });
      bar.tick(`${run.sample.caseId} ${decision === 'APPROVE' ? 'approved' : 'rejected'} by ${decider}`);
    }

    const outcomes: CaseOutcome[] = [];
    for (const run of runs) {
      const end = await poll(
        api,
        run.executionId,
        (b) => b.status !== 'RUNNING' && b.status !== 'NOT_STARTED',
        timeoutMs,
      );
      const created = Date.parse(end.createdAt);
      outcomes.push({
        caseId: run.sample.caseId,
        invoiceNumber: run.sample.expected.invoiceNumber,
        executionId: run.executionId,
        decision: end.proposedDecision ?? null,
        reasonCodes: end.reasonCodes ?? [],
        requiredRole: end.requiredRole ?? null,
        approval: decided.get(run.executionId) ?? null,
        status: end.status,
        finalStatus: end.finalStatus ?? null,
        decisionMs: run.decisionSeenAt - created,
        cycleMs: Date.parse(end.stoppedAt ?? new Date().toISOString()) - created,
        mismatches: compare(run.sample, end),
        runProblem: runProblem(run.sample, end, decided.get(run.executionId)),
      });
    }
    bar.done('all runs finished');

    // Every hold on the funding accounts, whoever approved it; the agent's own share from its controls.
    const ledger = new DynamoDbEscrowLedger();
    const accounts = await Promise.all(snapshot.fundingAccounts.map((a) => ledger.getAccount(a.accountId)));
    const controls = await api('GET', `/agents/${encodeURIComponent(agentId)}/controls`, DEMO_REQUESTER);
    const agentEscrow = controls.body.openEscrow as {
      holds: number;
      amounts: { amount: string; currency: string }[];
    };

    const payments =
      options.payments === false
        ? null
        : await runPaymentLoop({
            api,
            tag: runTag,
            timeoutMs,
            note: (line) => options.progress?.write(`${line}\n`),
          });

    const inquiries =
      options.inquiries === false
        ? null
        : await runInquiryDemo({
            api,
            tag: runTag,
            timeoutMs,
            snapshot,
            invoices: outcomes.map((o) => ({
              executionId: o.executionId,
              invoiceNumber: o.invoiceNumber,
              finalStatus: o.finalStatus,
            })),
          });

    await stack.digestNow({ final: true });
    const verifyLines: string[] = [];
    const exitCode = await runVerify(evidenceSource({ dataDir: stack.dataDir }), {}, (line) =>
      verifyLines.push(line),
    );
    const valid = verifyLines.filter((l) => l.endsWith(': valid')).length;
    const invalid = verifyLines.filter((l) => /: INVALID: /.test(l)).length;

    return summarise(outcomes, {
      escrowHeld: accounts.flatMap((a) => (a ? [`${formatMoney(a.held)} ${a.currency}`] : [])),
      escrowOpenHolds: accounts.reduce((n, a) => n + (a?.openHolds ?? 0), 0),
      agentEscrowHeld: agentEscrow.amounts.map((m) => `${m.amount} ${m.currency}`),
      agentEscrowOpenHolds: agentEscrow.holds,
      evidence: { valid, invalid, exitCode },
      evidenceFolder: join(stack.dataDir, 's3', LOCAL_EVIDENCE_BUCKET),
      dataDir: stack.dataDir,
      payments,
      inquiries,
    });
  } finally {
    if (ownStack) await stack.stop();
  }
}

/** Zero when every decision matched cases.json and the evidence verified. */
export function demoExitCode(summary: DemoSummary): number {
  return summary.mismatches.length === 0 &&
    summary.evidence.exitCode === 0 &&
    summary.evidence.invalid === 0 &&
    (summary.payments?.problems.length ?? 0) === 0 &&
    (summary.inquiries?.problems.length ?? 0) === 0
    ? 0
    : 1;
}

export function formatSummary(summary: DemoSummary): string[] {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const lines = [
    '',
    'Invoice reconciliation: demo run',
    `  Invoices processed        ${summary.invoices}`,
    `  Agent decisions           ${Object.entries(summary.decisions)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ')}`,
    `  Automation rate           ${pct(summary.automationRate)} (${summary.autoApproved} auto-approved of ${summary.invoices})`,
    `  Final status              ${Object.entries(summary.finalStatuses)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
    '  Exceptions by reason code',
    ...Object.entries(summary.exceptionsByReason).map(([code, n]) => `    ${code.padEnd(24)}${n}`),
    '  Approvals by role',
    ...Object.entries(summary.approvalsByRole).map(
      ([role, c]) =>
        `    ${role.padEnd(24)}${c.approved + c.rejected} (${c.approved} approved, ${c.rejected} rejected)`,
    ),
    `  Time to agent decision    p50 ${summary.decisionMs.p50} ms, p95 ${summary.decisionMs.p95} ms (submission to decision seen by polling)`,
    `  Cycle time                p50 ${summary.cycleMs.p50} ms, p95 ${summary.cycleMs.p95} ms (submission to run end, including the scripted approval step)`,
    `  Held in escrow            ${summary.escrowHeld.join(', ') || '0'} in ${summary.escrowOpenHolds} open holds on the funding accounts`,
    `    of which agent-approved ${summary.agentEscrowHeld.join(', ') || '0'} in ${summary.agentEscrowOpenHolds} holds`,
    `  Decisions as expected     ${summary.asExpected} of ${summary.invoices}`,
    ...summary.mismatches.map((m) => `    MISMATCH ${m.caseId}: ${m.problems.join('; ')}`),
    `  Runs ended as decided     ${summary.invoices - summary.runProblems.length} of ${summary.invoices}`,
    ...summary.runProblems.map((m) => `    RUN ${m.caseId}: ${m.problem}`),
    ...(summary.payments ? formatPaymentSummary(summary.payments) : []),
    ...(summary.inquiries ? formatInquirySummary(summary.inquiries) : []),
    `  Evidence verified         ${summary.evidence.valid} objects valid, ${summary.evidence.invalid} invalid${summary.evidence.exitCode === 0 ? '' : ' (verification FAILED)'}`,
    `  Evidence folder           ${summary.evidenceFolder}`,
    '',
  ];
  return lines;
}

function summarise(
  outcomes: readonly CaseOutcome[],
  extra: Pick<
    DemoSummary,
    | 'escrowHeld'
    | 'escrowOpenHolds'
    | 'agentEscrowHeld'
    | 'agentEscrowOpenHolds'
    | 'evidence'
    | 'evidenceFolder'
    | 'dataDir'
    | 'payments'
    | 'inquiries'
  >,
): DemoSummary {
  const decisions: Record<Decision, number> = { AUTO_APPROVED: 0, PENDING_APPROVAL: 0, REJECTED: 0 };
  const exceptionsByReason: Record<string, number> = {};
  const approvalsByRole: Record<string, { approved: number; rejected: number }> = {};
  const finalStatuses: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.decision && o.decision in decisions) decisions[o.decision as Decision] += 1;
    for (const code of o.reasonCodes) exceptionsByReason[code] = (exceptionsByReason[code] ?? 0) + 1;
    if (o.approval) {
      const entry = approvalsByRole[o.approval.role] ?? { approved: 0, rejected: 0 };
      if (o.approval.decision === 'APPROVE') entry.approved += 1;
      else entry.rejected += 1;
      approvalsByRole[o.approval.role] = entry;
    }
    const final = o.finalStatus ?? o.status;
    finalStatuses[final] = (finalStatuses[final] ?? 0) + 1;
  }
  const mismatches = outcomes
    .filter((o) => o.mismatches.length > 0)
    .map((o) => ({ caseId: o.caseId, problems: o.mismatches }));
  return {
    invoices: outcomes.length,
    decisions,
    autoApproved: decisions.AUTO_APPROVED,
    automationRate: outcomes.length ? decisions.AUTO_APPROVED / outcomes.length : 0,
    exceptionsByReason: Object.fromEntries(Object.entries(exceptionsByReason).sort()),
    approvalsByRole,
    finalStatuses,
    cycleMs: percentiles(outcomes.map((o) => o.cycleMs)),
    decisionMs: percentiles(outcomes.map((o) => o.decisionMs)),
    asExpected: outcomes.length - mismatches.length,
    mismatches,
    runProblems: outcomes.flatMap((o) => (o.runProblem ? [{ caseId: o.caseId, problem: o.runProblem }] : [])),
    cases: outcomes,
    ...extra,
  };
}

/** What differs from cases.json: decision, reason codes, required role. */
/** The end a run should reach after the agent's and the person's decisions. */
function runProblem(
  sample: SampleCase,
  seen: ExecutionView,
  approval: { decision: string } | undefined,
): string | null {
  const { decision } = sample.expected;
  const approved =
    decision === 'AUTO_APPROVED' || (decision === 'PENDING_APPROVAL' && approval?.decision === 'APPROVE');
  const expectedFinal = approved ? 'APPROVED' : 'REJECTED';
  if (seen.status === 'SUCCEEDED' && seen.finalStatus === expectedFinal) return null;
  const failure = seen.failure ? `: ${JSON.stringify(seen.failure).slice(0, 300)}` : '';
  return `run ended ${seen.status}/${seen.finalStatus ?? '-'} (expected SUCCEEDED/${expectedFinal})${failure}`;
}

function compare(sample: SampleCase, seen: ExecutionView): string[] {
  const problems: string[] = [];
  const { expected } = sample;
  if (seen.proposedDecision !== expected.decision)
    problems.push(`decision ${seen.proposedDecision} (expected ${expected.decision})`);
  const codes = [...(seen.reasonCodes ?? [])].sort().join(',');
  const wanted = [...expected.reasonCodes].sort().join(',');
  // A rejected invoice needs only its rejecting code; other codes may come with it.
  const codesMatch =
    expected.decision === 'REJECTED'
      ? expected.reasonCodes.every((c) => (seen.reasonCodes ?? []).includes(c))
      : codes === wanted;
  if (!codesMatch) problems.push(`reason codes [${codes}] (expected [${wanted}])`);
  if ((seen.requiredRole ?? null) !== expected.requiredRole)
    problems.push(`required role ${seen.requiredRole} (expected ${expected.requiredRole})`);
  return problems;
}

export function percentiles(values: readonly number[]): { p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length
      ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number)
      : 0;
  return { p50: at(50), p95: at(95) };
}

function apiClient(stack: LocalStack): ApiCall {
  return async (method, path, user, body, headers = {}) => {
    const response = await fetch(`${stack.endpoints.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${issueDevToken(stack.signingKey, user)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

async function poll(
  api: ApiCall,
  executionId: string,
  until: (body: ExecutionView) => unknown,
  timeoutMs: number,
): Promise<ExecutionView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api('GET', `/executions/${executionId}`, DEMO_REQUESTER);
    if (status !== 200)
      throw new Error(`GET /executions/${executionId} answered ${status}: ${JSON.stringify(body)}`);
    if (until(body)) return body;
    if (body.status !== 'RUNNING' && body.status !== 'NOT_STARTED')
      throw new Error(`Execution ${executionId} ended ${body.status} before the step awaited.`);
    if (Date.now() > deadline)
      throw new Error(`Execution ${executionId} still ${body.status} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A plain-text bar: redrawn in place on a terminal, one line per step otherwise (CI logs). */
function progressBar(stream: DemoOptions['progress'], total: number) {
  let count = 0;
  const width = 30;
  const render = (label: string) => {
    if (!stream) return;
    const filled = Math.round((Math.min(count, total) / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(count).padStart(String(total).length)}/${total} ${label}`;
    stream.write(stream.isTTY ? `\r${line.padEnd(100)}` : `${line}\n`);
  };
  return {
    note(label: string) {
      render(label);
    },
    tick(label: string) {
      count++;
      render(label);
    },
    done(label: string) {
      count = total;
      render(label);
      if (stream?.isTTY) stream.write('\n');
    },
  };
}
