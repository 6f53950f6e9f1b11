import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { readSnapshot, seed } from '../../../../bin/commands/seed.ts';
import { evidenceSource, runExport, runVerify } from '../../../../bin/evidence-commands.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The invoice runbook over HTTP on the real local stack: every labelled case, duplicates
// submitted at once, idempotent starts, and who may decide which approval.
const SAMPLES = join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices');
const cases = JSON.parse(readFileSync(join(SAMPLES, 'cases.json'), 'utf8')) as {
  caseId: string;
  document: string;
  expected: {
    decision: string;
    reasonCodes: string[];
    requiredRole: string | null;
    invoiceNumber: string;
    total: string;
    currency: string;
  };
}[];

function invoiceBody(document: string, agentId = 'invoice-review-agent') {
  const raw = readFileSync(join(SAMPLES, document), 'utf8');
  return { invoice: document.endsWith('.json') ? { structured: JSON.parse(raw) } : { text: raw }, agentId };
}

let harness: Harness;
const results = new Map<string, any>();
/** Every run this file started, for the auditor's reconciliation at the end. */
const started = new Set<string>();

async function submit(user: string, key: string, body: unknown) {
  const response = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
    user,
    body,
    headers: { 'Idempotency-Key': key },
  });
  if (response.status === 202) started.add(response.body.executionId);
  return response;
}

/** Polls until the run has its decision (pending runs wait for a person; the rest finish). */
async function decided(executionId: string, user = 'finley.auditor'): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await harness.api('GET', `/executions/${executionId}`, { user });
    const waiting = body.status === 'RUNNING' && body.approval?.status === 'PENDING';
    if (body.status !== 'RUNNING' || waiting) return body;
    if (Date.now() > deadline)
      throw new Error(`Execution ${executionId} still running: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  harness = await startHarness();
  await seed(readSnapshot(join(SAMPLES, 'erp.json')));
  const submissions = await Promise.all(
    cases.map(
      async (c) =>
        [c.caseId, await submit('avery.clerk', `case-${c.caseId}`, invoiceBody(c.document))] as const,
    ),
  );
  for (const [caseId, response] of submissions) {
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    results.set(caseId, await decided(response.body.executionId));
  }
});
afterAll(async () => {
  await harness?.stop();
});

describe('invoice-reconciliation on the labelled sample set', () => {
  it.each(cases.map((c) => [c.caseId, c]))('%s gets its expected decision, reasons and role', (caseId, c) => {
    const result = results.get(caseId);
    expect(result.proposedDecision, JSON.stringify(result.failure ?? result.error)).toBe(c.expected.decision);
    expect([...result.reasonCodes].sort()).toEqual([...c.expected.reasonCodes].sort());
    expect(result.requiredRole).toBe(c.expected.requiredRole);
    expect(result.invoice.invoiceNumber).toBe(c.expected.invoiceNumber);
    expect(result.invoice.total).toBe(c.expected.total);
  });

  it.each(cases.map((c) => [c.caseId, c]))(
    '%s says the outcome in `decision` and a sentence beside each reason code',
    (caseId, c) => {
      const result = results.get(caseId);
      const outcome = {
        AUTO_APPROVED: 'APPROVED',
        PENDING_APPROVAL: 'PENDING_APPROVAL',
        REJECTED: 'REJECTED',
      };
      expect(result.decision).toBe(outcome[c.expected.decision as keyof typeof outcome]);
      expect(result.finalStatus).toBe(result.decision === 'PENDING_APPROVAL' ? null : result.decision);
      const explained = result.reasons.map((r: { code: string }) => r.code);
      expect(explained.slice(0, result.reasonCodes.length)).toEqual(result.reasonCodes);
      for (const reason of result.reasons) expect(reason.text).toMatch(/\w{3,}/);
    },
  );

  it('holds each auto-approved invoice in escrow until its due date, and nothing for the others', async () => {
    const ledger = new DynamoDbEscrowLedger();
    for (const c of cases) {
      const result = results.get(c.caseId);
      if (c.expected.decision === 'AUTO_APPROVED') {
        expect(result.status).toBe('SUCCEEDED');
        expect(result.hold).toMatchObject({
          amount: c.expected.total,
          currency: c.expected.currency,
          status: 'HELD',
        });
        const hold = await ledger.getHold(result.hold.holdId);
        expect(hold?.releaseAt?.slice(0, 10)).toBe(result.invoice.dueDate);
      } else {
        expect(result.hold).toBeNull();
      }
    }
  });

  it("shows the agent's controls: tier, limits, today's usage and the escrow it has open", async () => {
    const autoApproved = cases.filter((c) => c.expected.decision === 'AUTO_APPROVED');
    const cents = autoApproved.reduce((sum, c) => sum + BigInt(c.expected.total.replace('.', '')), 0n);
    const expected = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
    const response = await harness.api('GET', '/agents/invoice-review-agent/controls', {
      user: 'casey.controller',
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toContain(expected);
    expect(response.body).toMatchObject({ agentId: 'invoice-review-agent', tier: 'bounded' });
    const unknown = await harness.api('GET', '/agents/no-such-agent/controls', { user: 'casey.controller' });
    expect(unknown.status).toBe(404);
  });

  it('explains every finished decision in plain English', () => {
    for (const c of cases.filter((x) => x.expected.decision !== 'PENDING_APPROVAL')) {
      expect(results.get(c.caseId).explanation).toContain(c.expected.invoiceNumber);
    }
  });
});

describe('duplicates and idempotency', () => {
  it('lets only one of two identical invoices submitted at once pass; the other is DUPLICATE_INVOICE', async () => {
    // An invoice without a PO waits for a clerk, so it consumes no PO quantity the twin could trip over.
    const body = invoiceBody('invoices/case-01-009.json');
    (body.invoice as { structured: { invoiceNumber: string } }).structured.invoiceNumber = 'TWIN-77001';
    const [a, b] = await Promise.all([
      submit('avery.clerk', 'twin-a-0001', body),
      submit('blake.clerk', 'twin-b-0001', body),
    ]);
    const [ra, rb] = await Promise.all([decided(a.body.executionId), decided(b.body.executionId)]);
    const decisions = [ra.proposedDecision, rb.proposedDecision].sort();
    expect(decisions).toEqual(['PENDING_APPROVAL', 'REJECTED']);
    const rejected = ra.proposedDecision === 'REJECTED' ? ra : rb;
    expect(rejected.reasonCodes).toContain('DUPLICATE_INVOICE');
  });

  it('starts one execution for the same Idempotency-Key sent twice', async () => {
    const body = invoiceBody('invoices/case-01-009.json');
    (body.invoice as { structured: { invoiceNumber: string } }).structured.invoiceNumber = 'SAME-88003';
    const [first, second] = await Promise.all([
      submit('avery.clerk', 'same-key-0001', body),
      submit('avery.clerk', 'same-key-0001', body),
    ]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.executionId).toBe(second.body.executionId);
    const result = await decided(first.body.executionId);
    expect(result.proposedDecision).toBe('PENDING_APPROVAL');
    expect(result.reasonCodes).toEqual(['NO_PO']);
  });

  it('refuses another agent than the one bound to the runbook with 400 UNKNOWN_AGENT', async () => {
    const response = await submit('avery.clerk', 'bad-another-agent', {
      invoice: { text: 'x'.repeat(30) },
      agentId: 'someone-elses-agent',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('UNKNOWN_AGENT');
    expect(response.body.error.message).toContain('invoice-review-agent');
  });

  it.each([[{}], [{ invoice: {} }], [{ invoice: { html: '<p>' } }]])(
    'answers %j with the invoice shapes it accepts',
    async (body) => {
      const response = await submit('avery.clerk', `bad-shape-${JSON.stringify(body).length}`, body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.message).toContain('text | pdfBase64 | structured');
    },
  );

  it.each([
    ['an unknown invoice form', { invoice: { html: '<p>' }, agentId: 'invoice-review-agent' }],
    [
      'a structured invoice missing its vendor',
      { invoice: { structured: { invoiceNumber: 'X-1' } }, agentId: 'invoice-review-agent' },
    ],
    [
      'a PDF that is not one',
      {
        invoice: { pdfBase64: Buffer.from('hello world').toString('base64') },
        agentId: 'invoice-review-agent',
      },
    ],
  ])('refuses %s with 400 and starts nothing', async (_case, body) => {
    const response = await submit('avery.clerk', `bad-${_case.replaceAll(' ', '-')}`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('approvals', () => {
  const pendingFor = (caseId: string) => results.get(caseId).approval.approvalId as string;

  it('shows a clerk only what a clerk may decide, never the task token, and never their own requests', async () => {
    const clerk = await harness.api('GET', '/approvals?status=PENDING', { user: 'blake.clerk' });
    const requester = await harness.api('GET', '/approvals?status=PENDING', { user: 'avery.clerk' });
    expect(clerk.status).toBe(200);
    expect(clerk.body.approvals.length).toBeGreaterThan(0);
    expect(clerk.body.approvals.every((a: any) => a.requiredRole === 'ap_clerk')).toBe(true);
    expect(JSON.stringify(clerk.body)).not.toMatch(/taskToken/);
    expect(clerk.body.approvals.some((a: any) => a.requestedBy.username === 'avery.clerk')).toBe(true);
    expect(requester.status).toBe(200);
    expect(requester.body.approvals.filter((a: any) => a.requestedBy.username === 'avery.clerk')).toEqual([]);
  });

  it('refuses an AP clerk deciding a controller-level invoice', async () => {
    const response = await harness.api('POST', `/approvals/${pendingFor('case-01-005')}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'looks fine' },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('FORBIDDEN');
  });

  it('refuses the requester deciding their own invoice', async () => {
    const response = await harness.api('POST', `/approvals/${pendingFor('case-01-004')}/decision`, {
      user: 'avery.clerk',
      body: { decision: 'APPROVE', comment: 'my own' },
    });
    expect(response.status).toBe(403);
  });

  it('requires a comment', async () => {
    const response = await harness.api('POST', `/approvals/${pendingFor('case-01-004')}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE' },
    });
    expect(response.status).toBe(400);
  });

  it('resumes the run when the right person approves: the payment is held, the decider recorded', async () => {
    const response = await harness.api('POST', `/approvals/${pendingFor('case-01-005')}/decision`, {
      user: 'casey.controller',
      body: { decision: 'APPROVE', comment: 'Confirmed with the vendor; large order was planned.' },
    });
    expect(response.status).toBe(200);
    const executionId = results.get('case-01-005').executionId;
    const done = await harness.waitForExecution(executionId, 'finley.auditor');
    expect(done.status).toBe('SUCCEEDED');
    expect(done).toMatchObject({
      proposedDecision: 'PENDING_APPROVAL',
      decision: 'APPROVED',
      finalStatus: 'APPROVED',
    });
    expect(done.output).toMatchObject({
      finalStatus: 'APPROVED',
      approval: { decidedBy: 'casey.controller', role: 'controller' },
    });
    expect(done.hold).toMatchObject({ amount: '98495.40', status: 'HELD' });
    const again = await harness.api('POST', `/approvals/${pendingFor('case-01-005')}/decision`, {
      user: 'dana.controller',
      body: { decision: 'REJECT', comment: 'too late' },
    });
    expect(again.status).toBe(409);
  });

  it('ends a rejected invoice without holding money', async () => {
    const response = await harness.api('POST', `/approvals/${pendingFor('case-01-006')}/decision`, {
      user: 'blake.clerk',
      body: { decision: 'REJECT', comment: 'Price above contract; ask for a credit note.' },
    });
    expect(response.status).toBe(200);
    const done = await harness.waitForExecution(results.get('case-01-006').executionId, 'finley.auditor');
    expect(done.output).toMatchObject({ finalStatus: 'REJECTED', hold: null });
    expect(done).toMatchObject({ proposedDecision: 'PENDING_APPROVAL', decision: 'REJECTED' });
    expect(done.explanation).toMatch(/blake\.clerk \(ap_clerk\) rejected it/);
  });
});

describe('documents', () => {
  it('reads an invoice sent as a PDF', async () => {
    // The price-variance invoice again, under a new number, while the first still waits for a clerk.
    const text = readFileSync(join(SAMPLES, 'invoices/case-01-016.txt'), 'utf8').replaceAll(
      'CNS-10516',
      'CNS-66016',
    );
    const pdf = await new Promise<Buffer>((resolve) => {
      const doc = new PDFDocument({ size: 'A4', margin: 40 });
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.font('Courier').fontSize(9).text(text);
      doc.end();
    });
    const response = await submit('avery.clerk', 'pdf-0001', {
      invoice: { pdfBase64: pdf.toString('base64') },
      agentId: 'invoice-review-agent',
    });
    const result = await decided(response.body.executionId);
    expect(result.extraction.source).toBe('pdf');
    expect(result.invoice).toMatchObject({
      invoiceNumber: 'CNS-66016',
      total: '7683.22',
      poNumber: 'PO-4501015',
    });
    expect(result.invoice.lines).toHaveLength(4);
    expect(result.proposedDecision).toBe('PENDING_APPROVAL');
    // The first one's quantities are reserved while it waits, so this one also over-invoices the receipt.
    expect(result.reasonCodes).toEqual(['PRICE_VARIANCE', 'QUANTITY_VARIANCE']);
  });
});

describe('approval deadlines', () => {
  it('escalates an approval nobody decided in time to a controller, who can still decide it', async () => {
    // Prepare: a short window for this one run (read by the start handler at submission)
    process.env.APPROVAL_TIMEOUT_SECONDS = '2';
    const body = invoiceBody('invoices/case-01-009.json');
    (body.invoice as { structured: { invoiceNumber: string } }).structured.invoiceNumber = 'LATE-99009';
    const late0 = await submit('avery.clerk', 'late-0001', body);
    delete process.env.APPROVAL_TIMEOUT_SECONDS;

    // Act: wait until the first approval expired and the escalated one is pending
    const deadline = Date.now() + 20_000;
    let state: any;
    do {
      await new Promise((r) => setTimeout(r, 100));
      state = (await harness.api('GET', `/executions/${late0.body.executionId}`, { user: 'finley.auditor' }))
        .body;
    } while (!(state.approval?.level === 2) && Date.now() < deadline);
    const late = await harness.api('POST', `/approvals/${late0.body.executionId}-1/decision`, {
      user: 'blake.clerk',
      body: { decision: 'APPROVE', comment: 'Sorry, I was away.' },
    });
    const decision = await harness.api('POST', `/approvals/${state.approval.approvalId}/decision`, {
      user: 'casey.controller',
      body: {
        decision: 'APPROVE',
        comment: 'Escalated to me; the PO was missing but the order is confirmed.',
      },
    });

    // Assess
    expect(state.approval).toMatchObject({ level: 2, requiredRole: 'controller' });
    expect(late.status).toBe(409);
    expect(decision.status).toBe(200);
    const done = await harness.waitForExecution(late0.body.executionId, 'finley.auditor');
    expect(done.output).toMatchObject({
      finalStatus: 'APPROVED',
      approval: { decidedBy: 'casey.controller' },
    });
  });
});

describe('quantities under concurrency', () => {
  it('lets only one of two different invoices for the same received goods, submitted at once, pass the quantity check', async () => {
    // case-01-006 was rejected above, so its PO's received quantities are free again.
    const make = (invoiceNumber: string) => {
      const body = invoiceBody('invoices/case-01-006.json');
      (body.invoice as { structured: { invoiceNumber: string } }).structured.invoiceNumber = invoiceNumber;
      return body;
    };
    const [a, b] = await Promise.all([
      submit('avery.clerk', 'race-a-0001', make('ISG-RACE-1')),
      submit('avery.clerk', 'race-b-0001', make('ISG-RACE-2')),
    ]);
    const [ra, rb] = await Promise.all([decided(a.body.executionId), decided(b.body.executionId)]);
    const overInvoiced = [ra, rb].filter((r) => r.reasonCodes.includes('QUANTITY_VARIANCE'));
    expect(overInvoiced).toHaveLength(1);
    expect([ra, rb].every((r) => r.reasonCodes.includes('PRICE_VARIANCE'))).toBe(true);
  });
});

describe('what an auditor gets from these runs', () => {
  it('verifies every evidence object and reconciles the AP decision export with the runs', async () => {
    // Prepare: every run this file started, as the API reports it
    const runs = await Promise.all(
      [...started].map(
        async (id) => (await harness.api('GET', `/executions/${id}`, { user: 'finley.auditor' })).body,
      ),
    );
    const decidedRuns = runs.filter((r) => r.proposedDecision && r.invoice?.total && r.invoice?.currency);
    const centsByCurrency = new Map<string, bigint>();
    for (const r of decidedRuns) {
      const cents = BigInt(String(r.invoice.total).replace('.', ''));
      centsByCurrency.set(r.invoice.currency, (centsByCurrency.get(r.invoice.currency) ?? 0n) + cents);
    }
    // Every run above has stopped writing: close the digest window now rather than wait for it to settle.
    await harness.stack.digestNow({ final: true });
    const source = evidenceSource({ dataDir: harness.dataDir });
    const lines: string[] = [];
    const today = new Date().toISOString().slice(0, 10);
    const outDir = join(harness.dataDir, 'exports');

    // Act
    const verifyExit = await runVerify(source, {}, (line) => lines.push(line));
    const exported = await runExport(source, 'ap-matches-over-amount', {
      from: today,
      to: today,
      minAmount: '0',
      format: 'json',
      outDir,
      engine: 'duckdb',
    });
    const escalations = await runExport(source, 'escalations-with-decider', {
      from: today,
      to: today,
      format: 'json',
      outDir,
      engine: 'duckdb',
    });

    // Assess
    expect(verifyExit, lines.filter((l) => l.includes('INVALID')).join('\n')).toBe(0);
    expect(exported.rows).toHaveLength(decidedRuns.length);
    expect(exported.manifest.amountTotals).toEqual(
      Object.fromEntries(
        [...centsByCurrency].map(([currency, cents]) => [
          currency,
          `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`,
        ]),
      ),
    );
    const decidedByPerson = escalations.rows
      .filter((row) => row.decided_by !== null)
      .map((row) => row.decided_by);
    expect(decidedByPerson).toEqual(expect.arrayContaining(['casey.controller', 'blake.clerk']));
  });
  it("filters the decision export by the invoice's own date as well as the record date", async () => {
    // Prepare: the decided runs and their invoice dates (the samples are dated months before the run)
    const runs = await Promise.all(
      [...started].map(
        async (id) => (await harness.api('GET', `/executions/${id}`, { user: 'finley.auditor' })).body,
      ),
    );
    const dated = runs
      .filter((r) => r.proposedDecision && r.invoice?.total && r.invoice?.currency)
      .map((r) => r.invoice.invoiceDate as string | null)
      .filter((d): d is string => typeof d === 'string')
      .sort();
    const first = dated[0] as string;
    const last = dated.at(-1) as string;
    const source = evidenceSource({ dataDir: harness.dataDir });
    const outDir = join(harness.dataDir, 'exports');
    const options = { minAmount: '0', outDir, engine: 'duckdb' as const };

    // Act
    const byInvoice = await runExport(source, 'ap-matches-over-amount', {
      ...options,
      from: first,
      to: last,
      dateBy: 'invoice',
      format: 'json',
    });
    const byRecord = await runExport(source, 'ap-matches-over-amount', {
      ...options,
      from: first,
      to: last,
      format: 'csv',
    });

    // Assess
    expect(first < new Date().toISOString().slice(0, 10)).toBe(true);
    expect(byInvoice.rows).toHaveLength(dated.length);
    expect(
      byInvoice.rows.every((row) => (row.invoice_date ?? '') >= first && (row.invoice_date ?? '') <= last),
    ).toBe(true);
    expect(byInvoice.manifest).toMatchObject({ dateBy: 'invoice', rowCount: dated.length });
    // Filed today, not on the invoices' dates: nothing by record date, and the CSV still has its header.
    expect(byRecord.rows).toEqual([]);
    const csv = readFileSync(byRecord.outputFile, 'utf8');
    expect(csv).toBe(`${byRecord.columns.join(',')}\n`);
    expect(byRecord.columns).toEqual(
      expect.arrayContaining(['record_id', 'record_date', 'invoice_date', 'amount']),
    );
  });
});
