import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_LIMITS_ENV } from '#platform/aws/resource-env.ts';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { handler as expireHolds } from '#platform/escrow/handlers/expire-holds.ts';
import { registerRunbook } from '#runbooks/registry.ts';
import { NO_BROWSER_ORIGIN } from '../../../../local/dynamodb-local.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';
import { pettyCash } from '../../../support/runbooks/petty-cash/module.ts';

/**
 * A runbook that is not shipped — its folder under test/support, its ASL and Markdown beside
 * it, one registration — runs end to end over HTTP on the local stack, and the platform's
 * approval authority holds for it although it has no invoice anywhere.
 */
let harness: Harness;
let keySeq = 0;
const previousLimits = process.env[APPROVAL_LIMITS_ENV];

beforeAll(async () => {
  // This stage lets a controller approve up to 1,000.00 USD and nothing in any other currency.
  process.env[APPROVAL_LIMITS_ENV] = JSON.stringify({
    ap_clerk: { USD: '500.00' },
    controller: { USD: '1000.00' },
  });
  registerRunbook(pettyCash);
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
  if (previousLimits === undefined) delete process.env[APPROVAL_LIMITS_ENV];
  else process.env[APPROVAL_LIMITS_ENV] = previousLimits;
});

async function startPayout(user: string, body: Record<string, unknown>) {
  const response = await harness.api('POST', '/runbooks/petty-cash/executions', {
    user,
    body,
    headers: { 'idempotency-key': `petty-cash-${++keySeq}-${Date.now()}` },
  });
  expect(response.status).toBe(202);
  return response.body.executionId as string;
}

/** Waits until the run's approval is in the work room of `user`, or fails after 15 s. */
async function pendingApproval(executionId: string, user: string): Promise<any> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await harness.api('GET', '/approvals?status=PENDING', { user });
    const found = body.approvals?.find((a: any) => a.executionId === executionId);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`No pending approval for ${executionId} in ${user}'s work room`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const decide = (approvalId: string, user: string, decision: 'APPROVE' | 'REJECT') =>
  harness.api('POST', `/approvals/${approvalId}/decision`, {
    user,
    body: { decision, comment: 'Checked against the petty-cash policy.' },
  });

describe('a registered runbook over HTTP', () => {
  it('starts with its own request schema and start roles, waits for a controller, and ends with the decision', async () => {
    // Prepare
    const executionId = await startPayout('avery.clerk', {
      amount: '120.00',
      currency: 'USD',
      purpose: 'Team lunch',
    });
    const approval = await pendingApproval(executionId, 'dana.controller');

    // Act
    const decided = await decide(approval.approvalId, 'dana.controller', 'APPROVE');
    const run = await harness.waitForExecution(executionId, 'avery.clerk');

    // Assess
    expect(approval).toMatchObject({ runbook: 'petty-cash', amount: '120.00', currency: 'USD' });
    expect(approval.taskToken).toBeUndefined();
    expect(decided.status).toBe(200);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outcome).toEqual({ status: 'APPROVED', decidedBy: 'dana.controller', role: 'controller' });
  });

  it.each([
    ['a missing purpose', { amount: '1.00', currency: 'USD' }],
    ['a float amount', { amount: 1.5, currency: 'USD', purpose: 'Taxi' }],
    ['an unknown field', { amount: '1.00', currency: 'USD', purpose: 'Taxi', invoice: {} }],
  ])('refuses %s with 400 and starts nothing', async (_what, body) => {
    // Act
    const response = await harness.api('POST', '/runbooks/petty-cash/executions', {
      user: 'avery.clerk',
      body,
      headers: { 'idempotency-key': `petty-cash-bad-${++keySeq}` },
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a role the module does not let start it', async () => {
    // Act
    const response = await harness.api('POST', '/runbooks/petty-cash/executions', {
      user: 'emery.fpa',
      body: { amount: '1.00', currency: 'USD', purpose: 'Taxi' },
      headers: { 'idempotency-key': `petty-cash-fpa-${++keySeq}` },
    });

    // Assess
    expect(response.status).toBe(403);
  });
});

describe('approval authority for a runbook with no invoice', () => {
  it('refuses approving above the controller limit, writes nothing, and still lets the controller reject', async () => {
    // Prepare
    const executionId = await startPayout('avery.clerk', {
      amount: '5000.00',
      currency: 'USD',
      purpose: 'Offsite catering',
    });
    const approvalId = `${executionId}-1`;
    await waitUntilRequested(executionId);

    // Act
    const approve = await decide(approvalId, 'dana.controller', 'APPROVE');
    const workRoom = await harness.api('GET', '/approvals?status=PENDING', { user: 'dana.controller' });
    const stillRunning = await harness.api('GET', `/executions/${executionId}`, { user: 'avery.clerk' });
    const reject = await decide(approvalId, 'dana.controller', 'REJECT');
    const run = await harness.waitForExecution(executionId, 'avery.clerk');

    // Assess
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('OVER_APPROVAL_LIMIT');
    expect(workRoom.body.approvals.map((a: any) => a.approvalId)).not.toContain(approvalId);
    expect(stillRunning.body.status).toBe('RUNNING');
    expect(stillRunning.body.approval.status).toBe('PENDING');
    expect(reject.status).toBe(200);
    expect(run.outcome).toMatchObject({ status: 'REJECTED', decidedBy: 'dana.controller' });
  });

  it('refuses approving in a currency the decider has no limit in', async () => {
    // Prepare
    const executionId = await startPayout('avery.clerk', {
      amount: '10.00',
      currency: 'EUR',
      purpose: 'Taxi',
    });
    await waitUntilRequested(executionId);

    // Act
    const approve = await decide(`${executionId}-1`, 'casey.controller', 'APPROVE');

    // Assess
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('OVER_APPROVAL_LIMIT');
    await decide(`${executionId}-1`, 'casey.controller', 'REJECT');
  });

  it('refuses approving an approval that carries no amount (409), and lets it be rejected', async () => {
    // Prepare
    const executionId = await startPayout('avery.clerk', {
      amount: '10.00',
      currency: 'USD',
      purpose: 'Taxi',
      omitAmount: true,
    });
    await waitUntilRequested(executionId);

    // Act
    const approve = await decide(`${executionId}-1`, 'casey.controller', 'APPROVE');
    const pending = await harness.api('GET', `/executions/${executionId}`, { user: 'avery.clerk' });
    const reject = await decide(`${executionId}-1`, 'casey.controller', 'REJECT');

    // Assess
    expect(approve.status).toBe(409);
    expect(approve.body.error.code).toBe('APPROVAL_AMOUNT_MISSING');
    expect(pending.body.approval.status).toBe('PENDING');
    expect(reject.status).toBe(200);
  });

  it('refuses the requester and a role the runbook does not name, whatever they try', async () => {
    // Prepare
    const executionId = await startPayout('casey.controller', {
      amount: '10.00',
      currency: 'USD',
      purpose: 'Taxi',
    });
    await waitUntilRequested(executionId);

    // Act
    const own = await decide(`${executionId}-1`, 'casey.controller', 'APPROVE');
    const clerk = await decide(`${executionId}-1`, 'blake.clerk', 'REJECT');
    const clerkRoom = await harness.api('GET', '/approvals?status=PENDING', { user: 'blake.clerk' });
    const ownRoom = await harness.api('GET', '/approvals?status=PENDING', { user: 'casey.controller' });

    // Assess
    expect(own.status).toBe(403);
    expect(own.body.error.reason).toBe('REQUESTER_MAY_NOT_DECIDE');
    expect(clerk.status).toBe(403);
    expect(clerk.body.error.reason).toBe('ROLE_MAY_NOT_DECIDE');
    for (const room of [clerkRoom, ownRoom])
      expect(room.body.approvals.map((a: any) => a.executionId)).not.toContain(executionId);
    await decide(`${executionId}-1`, 'dana.controller', 'REJECT');
  });
});

/** Waits until the run shows its approval as requested (the case carries it). */
async function waitUntilRequested(executionId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await harness.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    if (body.approval?.status === 'PENDING') return;
    if (body.status && body.status !== 'RUNNING') throw new Error(`Run ${executionId} ended ${body.status}`);
    if (Date.now() > deadline) throw new Error(`Run ${executionId} asked for no approval in 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('small doors an attacker would try', () => {
  it.each([
    ['GET', '/executions/%E0%A4%A'],
    ['POST', '/approvals/%zz/decision'],
  ])('answers %s %s (malformed percent-encoding) with 400, not 500', async (method, path) => {
    // Act
    const response = await harness.api(method, path, {
      user: 'dana.controller',
      ...(method === 'POST' ? { body: { decision: 'APPROVE', comment: 'Looks right.' } } : {}),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('does not let whoever invokes the expiry sweeper choose its clock', async () => {
    // Prepare: a hold that expires in an hour
    const ledger = new DynamoDbEscrowLedger();
    await ledger.fund({ operationId: 'clock-fund', accountId: 'CLOCK', amount: money('100.00', 'USD') });
    await ledger.hold({
      operationId: 'clock-hold',
      holdId: 'clock-hold',
      accountId: 'CLOCK',
      payee: 'vendor-clock',
      amount: money('40.00', 'USD'),
      reason: 'sweeper clock',
      expiresAt: new Date(Date.now() + 3_600_000),
      initiatedBy: { kind: 'person', id: 'avery.clerk' },
    });

    // Act: an event that claims it is the year 2100
    const swept = await (expireHolds as (event: unknown) => Promise<{ expired: unknown[] }>)({
      at: '2100-01-01T00:00:00Z',
      time: '2100-01-01T00:00:00Z',
    });

    // Assess
    expect(swept.expired).toEqual([]);
    expect((await ledger.getHold('clock-hold'))?.status).toBe('HELD');
  });
});

describe('the local tables and a web page', () => {
  const preflight = (origin: string) =>
    fetch(harness.stack.endpoints.dynamodb, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,x-amz-target',
      },
    });

  it('runs DynamoDB Local with an explicit CORS allow-list that names no web page', async () => {
    // Act
    const evil = await preflight('http://evil.example');
    const listed = await preflight(NO_BROWSER_ORIGIN);

    // Assess: the allow-list is in force (the listed origin is echoed) and a web page is not on it
    expect(listed.headers.get('access-control-allow-origin')).toBe(NO_BROWSER_ORIGIN);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
