import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLES_DIR, readCases } from '../../../../bin/commands/demo.ts';
import { type EvalReport, runEval } from '../../../../bin/commands/eval.ts';
import { runbookArtifacts } from '../../../../bin/commands/runbook.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// `tollgate eval` on the real local stack: the AP sample set through the real runbook with its
// agent in shadow, scored against its labels. One label is made wrong on purpose (an invoice the
// agent rightly approves, labelled as one it must not; a total misstated), so the report must
// find exactly that miss and count the rest right.
const MISLABELLED = 'case-01-002';
let harness: Harness;
let report: EvalReport;
const cases = readCases(DEFAULT_SAMPLES_DIR);

beforeAll(async () => {
  harness = await startHarness();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-eval-set-'));
  cpSync(DEFAULT_SAMPLES_DIR, dir, { recursive: true });
  const labelled = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as typeof cases;
  const wrong = labelled.find((c) => c.caseId === MISLABELLED);
  if (!wrong) throw new Error(`${MISLABELLED} is not in the sample set`);
  Object.assign(wrong.expected, { decision: 'PENDING_APPROVAL', total: '7010.64' });
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(labelled));
  report = await runEval({ samplesDir: dir, stack: harness.stack });
}, 240_000);
afterAll(async () => {
  await harness?.stop();
});

describe('tollgate eval on a labelled set', () => {
  it('runs every invoice through the real runbook with the agent in shadow: a person would decide each one', () => {
    // Assess
    expect(report.cases).toBe(cases.length);
    expect(report.agentTier).toBe('shadow');
    expect(report.runbookVersion).toBe(harness.stack.runtime.runbookVersions['invoice-reconciliation']);
    const nothingAlone = report.perCase.every((c) => c.runbookDecision !== 'AUTO_APPROVED');
    expect(nothingAlone).toBe(true);
  });

  it('scores the agent against the labels: the one wrong label is the one miss, a false auto-approval', () => {
    // Prepare
    const autoLabelled = cases.filter((c) => c.expected.decision === 'AUTO_APPROVED').length;

    // Assess
    expect(report.decisionAccuracy).toBeCloseTo((cases.length - 1) / cases.length, 4);
    expect(report.falseAutoApprovals).toEqual({ count: 1, caseIds: [MISLABELLED] });
    expect(report.automationRate).toBeCloseTo(autoLabelled / cases.length, 4);
    expect(report.fieldAccuracy.byField.total).toBeCloseTo((cases.length - 1) / cases.length, 4);
    expect(report.fieldAccuracy.byField.invoiceNumber).toBe(1);
    expect(report.perCase.filter((c) => !c.decisionCorrect).map((c) => c.caseId)).toEqual([MISLABELLED]);
    expect(report.costPerInvoice).toMatchObject({
      usd: '0.000000',
      modelIds: ['tollgate-local-deterministic@1'],
    });
  });

  it('is attached to a runbook promotion as its report, figures and hash', async () => {
    // Act
    const proposed = await harness.api('POST', '/runbooks/invoice-reconciliation/releases', {
      user: 'gray.admin',
      body: {
        stage: 'dev',
        artifacts: runbookArtifacts('invoice-reconciliation'),
        report,
        reason: 'scored on the labelled set in shadow',
      },
    });

    // Assess
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    expect(proposed.body.report).toMatchObject({
      kind: 'eval',
      summary: { cases: cases.length, falseAutoApprovals: { count: 1 } },
    });
    expect(proposed.body.report.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('is attached to a promotion of the agent as part of the evidence its signer reads', async () => {
    // Act
    const proposed = await harness.api('POST', '/agents/invoice-review-agent/promotions', {
      user: 'casey.controller',
      body: { tier: 'supervised', justification: 'scored on our own invoices in shadow', evalReport: report },
    });

    // Assess
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    expect(proposed.body.evidence.eval).toMatchObject({
      kind: 'eval',
      summary: { cases: cases.length, decisionAccuracy: report.decisionAccuracy },
    });
  });
});
