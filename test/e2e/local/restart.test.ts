import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { readSnapshot, seed } from '../../../bin/commands/seed.ts';
import { applyLocalEnvironment } from '../../../local/local-stack.ts';
import { freePort } from '../../../local/ports.ts';
import { SAMPLES } from '../../support/ap-invoices.ts';
import { type StackProcess, spawnLocalStack } from '../../support/local-stack-harness.ts';

// Runs waiting for a person survive a crash of the whole local stack: `tollgate local` as a child
// process, killed with SIGKILL and started again on the same data folder.
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-restart-'));
let port: number;
let stack: StackProcess | undefined;
afterAll(async () => {
  await stack?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Approvals by an AP clerk (cases.json: PENDING_APPROVAL, required role ap_clerk). */
const WAITS_THROUGH_RESTART = { caseId: 'case-01-004', total: '38367.00' };
const KILLED_AFTER_DECISION = { caseId: 'case-01-007', total: '5856.90' };
const RUNBOOK_CHANGED = { caseId: 'case-01-008' };
const WAITS_THROUGH_CLEAN_STOP = { caseId: 'case-01-006' };
const executionIds = new Map<string, string>();
const cases = JSON.parse(readFileSync(join(SAMPLES, 'cases.json'), 'utf8')) as {
  caseId: string;
  document: string;
}[];

function recordFile(executionId: string): string {
  return join(dataDir, 'executions', `tollgate-local-invoice-reconciliation__${executionId}.json`);
}

function record(executionId: string): {
  status: string;
  runbookVersion: string;
  history: { type: string; state?: string }[];
} {
  return JSON.parse(readFileSync(recordFile(executionId), 'utf8'));
}

async function start(): Promise<StackProcess> {
  stack = await spawnLocalStack({ port, dataDir });
  return stack;
}

async function submit(live: StackProcess, caseId: string): Promise<string> {
  const document = cases.find((c) => c.caseId === caseId)?.document ?? '';
  const raw = readFileSync(join(SAMPLES, document), 'utf8');
  const invoice = document.endsWith('.json') ? { structured: JSON.parse(raw) } : { text: raw };
  const response = await live.api('POST', '/runbooks/invoice-reconciliation/executions', {
    user: 'avery.clerk',
    body: { invoice, agentId: 'invoice-review-agent' },
    headers: { 'Idempotency-Key': `restart-${caseId}` },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.executionId;
}

/** Polls GET /executions/{id} until `done` holds for it (bounded: 30 s). */
async function until(live: StackProcess, executionId: string, done: (body: any) => boolean): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await live.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    if (done(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`Execution ${executionId} never got there: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const waitingForApproval = (body: any) => body.status === 'RUNNING' && body.approval?.status === 'PENDING';
const stopped = (body: any) => body.status !== 'RUNNING' && body.status !== 'NOT_STARTED';

describe('local runs across a killed and restarted stack', () => {
  it('resumes a run waiting for approval: the same approval is still pending, decidable, and the run finishes', async () => {
    // Prepare: three invoices waiting for an AP clerk, then the whole stack killed
    port = await freePort();
    const first = await start();
    applyLocalEnvironment(first.runtime);
    await seed(readSnapshot(join(SAMPLES, 'erp.json')));
    await Promise.all(
      [WAITS_THROUGH_RESTART, KILLED_AFTER_DECISION, RUNBOOK_CHANGED].map(async ({ caseId }) => {
        const executionId = await submit(first, caseId);
        executionIds.set(caseId, executionId);
        await until(first, executionId, waitingForApproval);
      }),
    );
    await first.kill();
    // One run's runbook is edited while the stack is down (as if its ASL had changed).
    const changed = recordFile(executionIds.get(RUNBOOK_CHANGED.caseId)!);
    writeFileSync(
      changed,
      JSON.stringify({
        ...record(executionIds.get(RUNBOOK_CHANGED.caseId)!),
        runbookVersion: 'f'.repeat(64),
      }),
    );

    // Act
    const second = await start();
    const executionId = executionIds.get(WAITS_THROUGH_RESTART.caseId)!;
    const resumed = await second.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    const work = await second.api('GET', '/approvals?status=PENDING', { user: 'blake.clerk' });
    const decision = await second.api('POST', `/approvals/${resumed.body.approval?.approvalId}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'Checked with the buyer after the restart.' },
    });
    const done = await until(second, executionId, stopped);

    // Assess
    expect(resumed.body).toMatchObject({ status: 'RUNNING', approval: { status: 'PENDING' } });
    expect(work.body.approvals.map((a: { approvalId: string }) => a.approvalId)).toContain(
      resumed.body.approval.approvalId,
    );
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toMatchObject({
      finalStatus: 'APPROVED',
      approval: { decidedBy: 'blake.clerk', role: 'ap_clerk' },
    });
    expect(done.hold).toMatchObject({ amount: WAITS_THROUGH_RESTART.total, status: 'HELD' });
    const history = record(executionId).history;
    expect(history).toContainEqual(
      expect.objectContaining({ type: 'ExecutionResumed', state: 'AwaitApproval' }),
    );
    expect(history.filter((e) => e.type === 'ExecutionSucceeded')).toHaveLength(1);
  });

  it('ends a run whose runbook changed while the stack was down as ABORTED, saying why', async () => {
    const live = stack!;
    const executionId = executionIds.get(RUNBOOK_CHANGED.caseId)!;
    const { body } = await live.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    expect(body.status).toBe('ABORTED');
    expect(body.error.cause).toMatch(
      /^LOCAL_RESTART_UNRESUMABLE: runbook version changed from f{64} to [a-f0-9]{64}\.$/,
    );
  });

  it('completes a run killed right after its approval was decided, holding the payment once', async () => {
    // Prepare
    const live = stack!;
    const executionId = executionIds.get(KILLED_AFTER_DECISION.caseId)!;
    const waiting = await until(live, executionId, waitingForApproval);

    // Act: the kill follows the decision's 200 at once, while the run moves on to the escrow hold
    const decision = await live.api('POST', `/approvals/${waiting.approval.approvalId}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'Short shipment accepted by the buyer.' },
    });
    await live.kill();
    const atKill = record(executionId).status;
    const restarted = await start();
    const done = await until(restarted, executionId, stopped);

    // Assess
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);
    expect(atKill).toBe('RUNNING');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toMatchObject({ finalStatus: 'APPROVED' });
    expect(done.hold).toMatchObject({ amount: KILLED_AFTER_DECISION.total, status: 'HELD' });
    const holds = (await new DynamoDbEscrowLedger().journal(done.hold.accountId)).filter(
      (entry) => entry.kind === 'hold' && entry.holdId === done.hold.holdId,
    );
    expect(holds).toHaveLength(1);
    expect(record(executionId).history).toContainEqual(expect.objectContaining({ type: 'ExecutionResumed' }));
  });

  it('keeps a waiting run across a clean stop (Ctrl-C) as well', async () => {
    // Prepare
    const live = stack!;
    const executionId = await submit(live, WAITS_THROUGH_CLEAN_STOP.caseId);
    await until(live, executionId, waitingForApproval);

    // Act
    await live.stop();
    const restarted = await start();
    const resumed = await restarted.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    const decision = await restarted.api('POST', `/approvals/${resumed.body.approval?.approvalId}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'REJECT', comment: 'Price above contract; ask for a credit note.' },
    });
    const done = await until(restarted, executionId, stopped);

    // Assess
    expect(resumed.body).toMatchObject({ status: 'RUNNING', approval: { status: 'PENDING' } });
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toMatchObject({ finalStatus: 'REJECTED', hold: null });
  });
});
