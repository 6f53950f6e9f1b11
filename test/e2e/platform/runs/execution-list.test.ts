import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../../../bin/commands/seed.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { erp, structuredInvoice } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// GET /executions over HTTP on the real local stack: the index read by runbook, merged newest
// first, paged, and limited to what the caller may see.
let harness: Harness;
const deploymentChecks: string[] = [];
const invoices = new Map<string, string>();

const list = (user: string | undefined, query = '') =>
  harness.api('GET', `/executions${query ? `?${query}` : ''}`, user ? { user } : {});

async function startInvoice(user: string, key: string, invoiceNumber: string): Promise<string> {
  const po = erp.purchaseOrders[0];
  if (!po) throw new Error('The sample snapshot has no purchase order.');
  const line = po.lines[0];
  if (!line) throw new Error(`${po.poNumber} has no lines.`);
  const response = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
    user,
    body: {
      invoice: {
        structured: structuredInvoice(po.poNumber, invoiceNumber, [
          { lineNo: 1, sku: line.sku, quantity: '1' },
        ]),
      },
      agentId: 'invoice-review-agent',
    },
    headers: { 'Idempotency-Key': key },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.executionId;
}

beforeAll(async () => {
  harness = await startHarness();
  await seed(erp);
  for (let i = 0; i < 5; i++) {
    const started = await harness.api('POST', '/runbooks/deployment-check/executions', {
      user: 'gray.admin',
      body: { note: `list ${i}` },
      headers: { 'Idempotency-Key': `list-check-000${i}` },
    });
    expect(started.status).toBe(202);
    deploymentChecks.push(started.body.executionId);
    await harness.waitForExecution(started.body.executionId, 'gray.admin');
  }
  invoices.set('avery.clerk', await startInvoice('avery.clerk', 'list-invoice-avery', 'LIST-A-1'));
  invoices.set('blake.clerk', await startInvoice('blake.clerk', 'list-invoice-blake', 'LIST-B-1'));
});
afterAll(async () => {
  await harness?.stop();
});

describe('GET /executions', () => {
  it('shows a requester only their own executions', async () => {
    // Act
    const response = await list('avery.clerk');

    // Assess
    expect(response.status).toBe(200);
    const ids = response.body.executions.map((e: { executionId: string }) => e.executionId);
    expect(ids).toEqual([invoices.get('avery.clerk')]);
    expect(response.body.executions[0]).toMatchObject({
      runbook: 'invoice-reconciliation',
      requestedBy: { username: 'avery.clerk' },
      links: { self: `/executions/${invoices.get('avery.clerk')}` },
    });
    expect(response.body.nextToken).toBeNull();
  });

  it('shows a controller and an auditor every execution, newest first across runbooks', async () => {
    for (const user of ['casey.controller', 'finley.auditor']) {
      // Act
      const response = await list(user);

      // Assess
      expect(response.status).toBe(200);
      const ids = response.body.executions.map((e: { executionId: string }) => e.executionId);
      expect(ids).toEqual([
        invoices.get('blake.clerk'),
        invoices.get('avery.clerk'),
        ...[...deploymentChecks].reverse(),
      ]);
      const created = response.body.executions.map((e: { createdAt: string }) => e.createdAt);
      expect(created).toEqual([...created].sort().reverse());
    }
  });

  it('filters by runbook, status and requester', async () => {
    // Act
    const checks = await list('finley.auditor', 'runbook=deployment-check&status=SUCCEEDED');
    const byBlake = await list('casey.controller', 'requestedBy=blake.clerk');
    const failed = await list('casey.controller', 'runbook=deployment-check&status=FAILED');

    // Assess
    expect(checks.body.executions.map((e: { executionId: string }) => e.executionId)).toEqual(
      [...deploymentChecks].reverse(),
    );
    expect(checks.body.executions.every((e: { status: string }) => e.status === 'SUCCEEDED')).toBe(true);
    expect(byBlake.body.executions.map((e: { executionId: string }) => e.executionId)).toEqual([
      invoices.get('blake.clerk'),
    ]);
    expect(failed.body.executions).toEqual([]);
  });

  it('filters by creation date and time', async () => {
    // Prepare
    const today = new Date().toISOString().slice(0, 10);

    // Act
    const todays = await list('gray.admin', `runbook=deployment-check&from=${today}&to=${today}`);
    const future = await list('gray.admin', 'from=2999-01-01');
    const past = await list('gray.admin', 'to=2000-01-01T00:00:00Z');

    // Assess
    expect(todays.body.executions).toHaveLength(deploymentChecks.length);
    expect(future.body.executions).toEqual([]);
    expect(past.body.executions).toEqual([]);
  });

  it('pages with limit and nextToken: every execution exactly once, in order', async () => {
    // Act
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=3${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
      const response = await list('finley.auditor', query);
      expect(response.status).toBe(200);
      expect(response.body.executions.length).toBeLessThanOrEqual(3);
      seen.push(...response.body.executions.map((e: { executionId: string }) => e.executionId));
      token = response.body.nextToken;
      pages += 1;
    } while (token && pages < 10);

    // Assess
    expect(pages).toBe(3);
    expect(seen).toEqual([
      invoices.get('blake.clerk'),
      invoices.get('avery.clerk'),
      ...[...deploymentChecks].reverse(),
    ]);
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=ten'],
    ['status=DONE'],
    ['runbook=wire-everything'],
    ['from=yesterday'],
    ['to=2026-02-30T25:00:00Z'],
    ['from=2026-02-01&to=2026-01-01'],
    ['nextToken=not-a-token'],
    ['requestedBy=%20'],
    ['sort=desc'],
  ])('answers 400 VALIDATION_FAILED for %s', async (query) => {
    // Act
    const response = await list('finley.auditor', query);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.message).toEqual(expect.any(String));
  });

  it('answers 401 without a token', async () => {
    const response = await list(undefined);
    expect(response.status).toBe(401);
  });
});

describe('tollgate runs', () => {
  const tollgate = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'bin', 'tollgate.ts'), ...args], {
      cwd: PROJECT_ROOT,
    });

  it('lists the same runs in the terminal, filtered and paged', async () => {
    // Act
    const { stdout } = await tollgate(
      'runs',
      '--runbook',
      'deployment-check',
      '--status',
      'SUCCEEDED',
      '--limit',
      '2',
      '--data-dir',
      harness.dataDir,
    );

    // Assess
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^EXECUTION ID\s+RUNBOOK\s+STATUS/);
    expect(lines.slice(1, 3).map((line) => line.split(/\s+/)[0])).toEqual(
      [...deploymentChecks].reverse().slice(0, 2),
    );
    expect(lines[3]).toMatch(/^More: add --next-token \S+$/);
  });

  it('shows a clerk only their own runs and answers --json', async () => {
    // Act
    const { stdout } = await tollgate(
      'runs',
      '--user',
      'blake.clerk',
      '--json',
      '--data-dir',
      harness.dataDir,
    );

    // Assess
    const result = JSON.parse(stdout);
    expect(result.executions.map((e: { executionId: string }) => e.executionId)).toEqual([
      invoices.get('blake.clerk'),
    ]);
  });

  it('refuses a bad status with the API code', async () => {
    // Act
    const failure = await tollgate('runs', '--status', 'DONE', '--data-dir', harness.dataDir).catch(
      (error: { code: number; stderr: string }) => error,
    );

    // Assess
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('[VALIDATION_FAILED]');
  });
});
