import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot, seed } from '../../../bin/commands/seed.ts';
import { PROJECT_ROOT } from '../../../lib/project-root.ts';
import { type Harness, startHarness } from '../../support/local-stack-harness.ts';

// The work room in a real headless Chromium against the real local stack: people decide from
// the page, the page offers only what the API allows, and axe-core finds no violations.
const SAMPLES = join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices');
const CHROMIUM = process.env.TOLLGATE_CHROMIUM ?? '/usr/bin/chromium';
/**
 * The README links here and shows one of them. Rewritten only when asked
 * (`TOLLGATE_UPDATE_SCREENSHOTS=1`), so a test run leaves the tracked files alone.
 */
const SCREENSHOTS = join(PROJECT_ROOT, 'docs', 'screenshots');
const screenshot = async (
  page: { screenshot(o: { path: string; fullPage: boolean }): Promise<unknown> },
  name: string,
) => {
  if (process.env.TOLLGATE_UPDATE_SCREENSHOTS === '1')
    await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
};
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let harness: Harness;
let browser: Browser;
let origin: string;
/** Sample case → its run and approval. */
const cases = new Map<string, { executionId: string; approvalId: string; text: string }>();

function invoiceBody(caseId: string) {
  const text = existsSync(join(SAMPLES, 'invoices', `${caseId}.txt`))
    ? readFileSync(join(SAMPLES, 'invoices', `${caseId}.txt`), 'utf8')
    : undefined;
  const structured =
    text === undefined ? readFileSync(join(SAMPLES, 'invoices', `${caseId}.json`), 'utf8') : '';
  return {
    text: text ?? structured,
    body: { invoice: text !== undefined ? { text } : { structured: JSON.parse(structured) } },
  };
}

async function pendingApprovalOf(executionId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await harness.api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
    if (body.approval?.status === 'PENDING') return body.approval.approvalId as string;
    if (body.status !== 'RUNNING' || Date.now() > deadline)
      throw new Error(`Run ${executionId} did not come to wait for a person: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.getByLabel('Demo user').selectOption(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  return page;
}

async function axeViolations(page: Page): Promise<{ id: string; nodes: number }[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: any[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => ({ id: v.id as string, nodes: v.nodes.length as number }));
  });
  return result;
}

/** A request with headers fetch will not let a page set (Host), as another site or a rebound name sends. */
function rawRequest(path: string, headers: Record<string, string>, body?: string) {
  const url = new URL(origin);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  harness = await startHarness();
  origin = harness.stack.endpoints.api;
  await seed(readSnapshot(join(SAMPLES, 'erp.json')));
  // Avery (AP clerk) submits: over the agent's authority, over a clerk's (a controller's case), a price variance.
  for (const caseId of ['case-01-004', 'case-01-005', 'case-01-006']) {
    const { body, text } = invoiceBody(caseId);
    const started = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
      user: 'avery.clerk',
      body,
      headers: { 'Idempotency-Key': `work-room-${caseId}` },
    });
    expect(started.status).toBe(202);
    const executionId = started.body.executionId as string;
    cases.set(caseId, { executionId, approvalId: await pendingApprovalOf(executionId), text });
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

const the = (caseId: string) =>
  cases.get(caseId) as { executionId: string; approvalId: string; text: string };

describe('the work room page', () => {
  it('an approver opens a case from the inbox, sees its failing check marked, approves it with a required comment, sees the result at once, and the run completes', async () => {
    // Prepare
    const page = await signIn('blake.clerk');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('.counts').textContent()).toContain('PRICE_VARIANCE');
    await screenshot(page, 'work-room-inbox.png');

    // Act: open the price-variance case and try to approve without a comment, then with one
    await page.getByRole('link', { name: 'ISG-10506' }).click();
    await page.getByRole('heading', { name: 'Timeline and evidence' }).waitFor();
    await screenshot(page, 'work-room-case.png');
    const failedLine = await page.locator('tr.failed').textContent();
    await page.getByRole('button', { name: 'Approve' }).click();
    const refused = await page.getByRole('status').filter({ hasText: 'comment' }).textContent();
    const stillPending = await harness.api('GET', `/executions/${the('case-01-006').executionId}`, {
      user: 'avery.clerk',
    });
    await page.getByLabel('Comment (required)').fill('Price agreed with the buyer by phone.');
    await page.getByRole('button', { name: 'Approve' }).click();
    const shown = await page.getByRole('status').filter({ hasText: 'Approved by' }).textContent();
    const run = await harness.waitForExecution(the('case-01-006').executionId, 'avery.clerk');

    // Assess
    expect(failedLine).toContain('Failed PRICE_VARIANCE');
    expect(refused).toContain('Write a comment');
    expect(stillPending.body.approval.status).toBe('PENDING');
    expect(shown).toContain('Approved by blake.clerk');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.decision).toBe('APPROVED');
    expect(run.approval).toMatchObject({ status: 'DECIDED' });
    await page.context().close();
  });

  it('the case page shows the document, fields with confidence, the rule that stopped the agent, and the evidence hashes', async () => {
    // Prepare
    const page = await signIn('casey.controller');

    // Act
    await page.goto(`${origin}/#/case/${the('case-01-004').approvalId}`);
    await page.getByRole('heading', { name: 'Timeline and evidence' }).waitFor();
    const documentText = await page.locator('pre').first().textContent();
    const fields = await page.getByRole('table', { name: 'Extracted fields and confidence' }).textContent();
    const timeline = await page.locator('.timeline').textContent();
    const { body } = await harness.api('GET', `/approvals/${the('case-01-004').approvalId}`, {
      user: 'casey.controller',
    });
    await page.goto(`${origin}/#/case/${the('case-01-005').approvalId}`);
    await page.waitForFunction(
      (id) => (globalThis as any).document.querySelector('.summary code')?.textContent === id,
      the('case-01-005').executionId,
    );
    const why = await page
      .getByRole('heading', { name: 'Why the agent stopped' })
      .locator('..')
      .textContent();

    // Assess
    expect(documentText).toBe(the('case-01-004').text);
    expect(fields).toMatch(/Total38367\.0095%/);
    expect(body.timeline.length).toBeGreaterThan(3);
    for (const entry of body.timeline) expect(timeline).toContain(entry.hash);
    expect(why).toContain('CONTROLLER_THRESHOLD');
    await page.context().close();
  });

  it('a clerk does not see a controller-level case, and a requester does not see their own', async () => {
    // Prepare
    const blake = await signIn('blake.clerk');
    const avery = await signIn('avery.clerk');

    // Act
    await blake.getByRole('status').filter({ hasText: 'waiting for you' }).waitFor();
    const blakeInbox = await blake.locator('tbody').textContent();
    await avery.getByRole('status').filter({ hasText: 'waiting for you' }).waitFor();
    const averyRows = await avery.locator('tbody tr').count();
    await blake.goto(`${origin}/#/case/${the('case-01-005').approvalId}`);
    const blakeCase = await blake.getByRole('alert').textContent();
    await avery.goto(`${origin}/#/case/${the('case-01-004').approvalId}`);
    await avery.getByRole('heading', { name: 'Decision' }).waitFor();
    const averyButtons = await avery.getByRole('button', { name: /^(Approve|Reject)$/ }).count();
    const averyDecision = await avery.locator('.decide').textContent();

    // Assess
    expect(blakeInbox).toContain('PF&-10504');
    expect(blakeInbox).not.toContain('98,495.40');
    expect(blakeCase).toContain('that you may see');
    expect(averyRows).toBe(0);
    expect(averyButtons).toBe(0);
    expect(averyDecision).toContain('someone else must decide');
    await blake.context().close();
    await avery.context().close();
  });

  it('an auditor reads a case but is offered no decision, and the API refuses one', async () => {
    // Prepare
    const page = await signIn('finley.auditor');

    // Act
    const inbox = await page.locator('main').textContent();
    await page.goto(`${origin}/#/case/${the('case-01-004').approvalId}`);
    await page.getByRole('heading', { name: 'Decision' }).waitFor();
    const buttons = await page.getByRole('button', { name: /^(Approve|Reject)$/ }).count();
    const direct = await harness.api('POST', `/approvals/${the('case-01-004').approvalId}/decision`, {
      user: 'finley.auditor',
      body: { decision: 'APPROVE', comment: 'An auditor trying to approve.' },
    });

    // Assess
    expect(inbox).toContain('does not decide approvals');
    expect(buttons).toBe(0);
    expect(direct.status).toBe(403);
    await page.context().close();
  });

  it('a controller refuses a pending promotion from the agent page; its proposer is offered no sign-off', async () => {
    // Prepare
    const proposed = await harness.api('POST', '/agents/invoice-review-agent/promotions', {
      user: 'casey.controller',
      body: { tier: 'extended', justification: 'Ninety days without an override on invoices.' },
    });
    expect(proposed.status).toBe(201);
    const promotionId = proposed.body.promotionId as string;
    const proposer = await signIn('casey.controller');
    const other = await signIn('dana.controller');

    // Act
    await proposer.goto(`${origin}/#/agent/invoice-review-agent`);
    await proposer.getByText(promotionId).waitFor();
    const proposerButtons = await proposer.getByRole('button', { name: /^(Sign off|Refuse)$/ }).count();
    await other.goto(`${origin}/#/agent/invoice-review-agent`);
    await other.getByText(promotionId).waitFor();
    await other.getByLabel('Comment (required)').fill('Not before the quarter closes.');
    await other.getByRole('button', { name: 'Refuse' }).click();
    const shown = await other.getByRole('status').filter({ hasText: promotionId }).textContent();
    const packet = await harness.api('GET', '/agents/invoice-review-agent/trust-packet', {
      user: 'finley.auditor',
    });

    // Assess
    expect(proposerButtons).toBe(0);
    expect(shown).toContain('refused');
    expect(packet.body.promotions.find((p: any) => p.promotionId === promotionId)?.status).toBe('REFUSED');
    await proposer.context().close();
    await other.context().close();
  });

  it('axe-core finds no accessibility violations on the sign-in, inbox, case, agent and audit pages', async () => {
    // Prepare
    const context = await browser.newContext();
    const signInPage = await context.newPage();
    await signInPage.goto(`${origin}/`);
    await signInPage.getByLabel('Demo user').waitFor();
    const found: Record<string, { id: string; nodes: number }[]> = {
      'sign-in': await axeViolations(signInPage),
    };
    const page = await signIn('casey.controller');

    // Act
    await page.locator('tbody tr').first().waitFor();
    found.inbox = await axeViolations(page);
    await page.goto(`${origin}/#/case/${the('case-01-005').approvalId}`);
    await page.getByRole('heading', { name: 'Timeline and evidence' }).waitFor();
    found.case = await axeViolations(page);
    await page.goto(`${origin}/#/agent/invoice-review-agent`);
    await page.getByRole('heading', { name: 'Pending promotions' }).waitFor();
    found.agent = await axeViolations(page);
    await page.goto(`${origin}/#/audit`);
    await page.getByRole('status').filter({ hasText: 'runs.' }).waitFor();
    found.audit = await axeViolations(page);

    // Assess
    expect(found).toEqual({ 'sign-in': [], inbox: [], case: [], agent: [], audit: [] });
    await context.close();
    await page.context().close();
  });

  it('works from the keyboard alone: sign in, open a case, and reach the decision', async () => {
    // Prepare
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.getByLabel('Demo user').waitFor();
    const focusName = () =>
      page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim() ?? '');
    // The page moves focus to its heading once it has rendered; keys pressed before that land elsewhere.
    await expect.poll(focusName, { timeout: 30_000 }).toBe('Sign in');

    // Act: Tab to the user list, pick with the keyboard, Tab to the button, Enter
    const focusTag = () => page.evaluate(() => (globalThis as any).document.activeElement?.tagName ?? '');
    await page.keyboard.press('Tab'); // from the page's heading (focused on load) to the demo user list
    await expect.poll(focusTag, { timeout: 30_000 }).toBe('SELECT');
    await page.keyboard.press('ArrowDown'); // first user: Avery
    await page.keyboard.press('ArrowDown'); // Blake
    await expect
      .poll(() => page.getByLabel('Demo user').inputValue(), { timeout: 30_000 })
      .toBe('blake.clerk');
    await page.keyboard.press('Tab');
    await expect.poll(focusTag, { timeout: 30_000 }).toBe('BUTTON');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    let reached = '';
    for (let i = 0; i < 40 && reached !== 'PF&-10504'; i++) {
      await page.keyboard.press('Tab');
      reached = await focusName();
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Decision' }).waitFor();
    let decision = '';
    for (let i = 0; i < 10 && decision !== 'Approve'; i++) {
      await page.keyboard.press('Tab');
      decision = await focusName();
    }

    // Assess
    expect(reached).toBe('PF&-10504');
    expect(decision).toBe('Approve');
    await context.close();
  });
});

describe('the local sign-in and the page', () => {
  it('the dev sign-in refuses a foreign Host or Origin and issues no token', async () => {
    // Prepare
    const host = new URL(origin).host;
    const body = JSON.stringify({ username: 'casey.controller' });
    const json = { 'content-type': 'application/json' };

    // Act
    const foreignOrigin = await rawRequest(
      '/dev/sign-in',
      { ...json, host, origin: 'http://evil.example' },
      body,
    );
    const foreignHost = await rawRequest('/dev/sign-in', { ...json, host: 'evil.example' }, body);
    const crossSite = await rawRequest(
      '/dev/sign-in',
      { ...json, host, 'sec-fetch-site': 'cross-site' },
      body,
    );
    const users = await rawRequest('/dev/users', { host: 'rebound.example' });
    const form = await rawRequest('/dev/sign-in', { host, 'content-type': 'text/plain' }, body);
    const own = await rawRequest('/dev/sign-in', { ...json, host, origin: `http://${host}` }, body);

    // Assess
    expect(foreignOrigin.status).toBe(403);
    expect(foreignHost.status).toBe(403);
    expect(crossSite.status).toBe(403);
    expect(users.status).toBe(403);
    for (const refused of [foreignOrigin, foreignHost, crossSite, form])
      expect(refused.body).not.toContain('token');
    expect(form.status).toBe(415);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('the page is served with a content security policy and no framing, nothing but its own files is served, and the API still needs a token', async () => {
    // Act
    const page = await fetch(`${origin}/`);
    const script = await fetch(`${origin}/assets/app.js`);
    const anonymous = await fetch(`${origin}/approvals?status=PENDING`);
    const source = await rawRequest('/web/src/api.ts', { host: new URL(origin).host });
    const traversal = await rawRequest('/assets/%2e%2e/%2e%2e/package.json', { host: new URL(origin).host });

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(anonymous.status).toBe(401);
    for (const other of [source, traversal]) {
      expect(other.status).toBe(404);
      expect(other.body).not.toContain('"dependencies"');
    }
  });
});

describe('GET /approvals/{approvalId}: the case behind an approval', () => {
  it('carries the document as submitted, checked against its hash, and the evidence chain in order', async () => {
    // Act
    const { status, body } = await harness.api('GET', `/approvals/${the('case-01-004').approvalId}`, {
      user: 'blake.clerk',
    });

    // Assess
    expect(status).toBe(200);
    expect(body.document.text).toBe(the('case-01-004').text);
    expect(body.document.sha256).toBe(createHash('sha256').update(the('case-01-004').text).digest('hex'));
    expect(body.approval.taskToken).toBeUndefined();
    expect(body.case.match.results.length).toBeGreaterThan(0);
    const timeline = body.timeline as { sequence: number; hash: string; prevHash: string }[];
    timeline.forEach((entry, i) => {
      expect(entry.sequence).toBe(i + 1);
      if (i > 0) expect(entry.prevHash).toBe(timeline[i - 1]?.hash);
    });
    expect(body.mayDecide.approve).toEqual({ allowed: true, code: null, message: null });
  });

  it('is not found for a clerk who may not decide it, and offers the requester and an auditor no decision', async () => {
    // Act
    const clerkOnControllerCase = await harness.api('GET', `/approvals/${the('case-01-005').approvalId}`, {
      user: 'blake.clerk',
    });
    const requester = await harness.api('GET', `/approvals/${the('case-01-004').approvalId}`, {
      user: 'avery.clerk',
    });
    const auditor = await harness.api('GET', `/approvals/${the('case-01-004').approvalId}`, {
      user: 'finley.auditor',
    });
    const fpa = await harness.api('GET', `/approvals/${the('case-01-004').approvalId}`, {
      user: 'emery.fpa',
    });

    // Assess
    expect(clerkOnControllerCase.status).toBe(404);
    expect(JSON.stringify(clerkOnControllerCase.body)).not.toContain('98495.40');
    expect(requester.status).toBe(200);
    expect(requester.body.mayDecide.approve).toMatchObject({
      allowed: false,
      code: 'REQUESTER_MAY_NOT_DECIDE',
    });
    expect(requester.body.mayDecide.reject).toMatchObject({
      allowed: false,
      code: 'REQUESTER_MAY_NOT_DECIDE',
    });
    expect(auditor.status).toBe(200);
    expect(auditor.body.mayDecide.approve.allowed).toBe(false);
    expect(auditor.body.mayDecide.reject.allowed).toBe(false);
    expect(fpa.status).toBe(403);
  });
});
