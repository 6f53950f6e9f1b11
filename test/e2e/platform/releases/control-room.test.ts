import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGE_ENV } from '#platform/aws/resource-env.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { versionOf } from '#platform/releases/core/change-requests.ts';
import {
  decideRelease,
  proposeRelease,
  runbookArtifacts,
  runbookHistory,
} from '../../../../bin/commands/runbook.ts';
import { evidenceSource, runExport } from '../../../../bin/evidence-commands.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// The control room on the real local stack: a runbook version goes live stage by stage through
// change requests approved by someone other than their author; prod takes only what passed uat;
// a rollback takes the same path; the deployment check fails on a version nobody approved.
const RUNBOOK = 'invoice-reconciliation';
const ADMIN = 'gray.admin';
let harness: Harness;
const chain = new DynamoDbEvidenceChain();
const files = runbookArtifacts(RUNBOOK);
const v1 = versionOf(files);
const tighter = {
  ...files,
  policy: JSON.stringify({ ...JSON.parse(files.policy), priceTolerancePercent: '1.0' }, null, 2),
};
const v2 = versionOf(tighter);
const report = { kind: 'policy-replay', runs: 18, replayed: 18, unchanged: 17, changes: [{}], amounts: {} };

const releases = (path = '') => `/runbooks/${RUNBOOK}/releases${path}`;
const propose = (user: string, body: Record<string, unknown>) =>
  harness.api('POST', releases(), { user, body: { reason: 'tried on the sample set first', ...body } });
const decide = (changeId: string, user: string, decision = 'APPROVE') =>
  harness.api('POST', releases(`/${changeId}/decision`), { user, body: { decision, comment: 'reviewed' } });
const chainLength = async () => (await chain.head(`release-${RUNBOOK}`))?.sequence ?? 0;

async function promoteAndApprove(body: Record<string, unknown>, approver = 'casey.controller') {
  const proposed = await propose(ADMIN, body);
  expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
  const decided = await decide(proposed.body.changeId, approver);
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  return decided.body;
}

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  process.env[STAGE_ENV] = 'local';
  await harness?.stop();
});

describe('a runbook version going live stage by stage', () => {
  it('goes live in dev only when someone other than its author approves it; the author is refused with nothing written', async () => {
    // Act
    const proposed = await propose(ADMIN, { stage: 'dev', artifacts: files });
    const before = await chainLength();
    const byAuthor = await decide(proposed.body.changeId, ADMIN);

    // Assess
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    expect(proposed.body).toMatchObject({ version: v1, fromVersion: null, status: 'PENDING', stage: 'dev' });
    expect(proposed.body.diff.statesAdded).toContain('DecideByTrustGate');
    expect(byAuthor.status).toBe(403);
    expect(byAuthor.body.error).toMatchObject({ code: 'FORBIDDEN', reason: 'AUTHOR_MAY_NOT_APPROVE' });
    expect(await chainLength()).toBe(before);
    const history = await runbookHistory(harness.dataDir, 'finley.auditor', RUNBOOK);
    expect(history.stages.find((s) => s.stage === 'dev')?.version).toBeNull();
    expect(history.changes.map((c) => c.status)).toEqual(['PENDING']);

    // Act: a controller approves
    const approved = await decide(proposed.body.changeId, 'casey.controller');

    // Assess
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.live).toMatchObject({ stage: 'dev', version: v1, approvedBy: 'casey.controller' });
    expect(approved.body.evidencePointer).toEqual({
      executionId: `release-${RUNBOOK}`,
      eventKey: `Release/dev/${proposed.body.changeId}/approved`,
    });
  });

  it('refuses a prod promotion of a version that skipped uat, with nothing written', async () => {
    // Prepare
    const before = await chainLength();
    const changesBefore = (await runbookHistory(harness.dataDir, ADMIN, RUNBOOK)).changes.length;

    // Act
    const refused = await propose(ADMIN, { stage: 'prod', version: v1, report });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CONFLICT', reason: 'VERSION_SKIPPED_UAT' });
    expect(await chainLength()).toBe(before);
    expect((await runbookHistory(harness.dataDir, ADMIN, RUNBOOK)).changes).toHaveLength(changesBefore);
  });

  it('goes to uat with a report, then to prod', async () => {
    // Prepare: the report as a file, as `tollgate replay --json` writes it
    const reportFile = join(mkdtempSync(join(tmpdir(), 'tollgate-report-')), 'replay.json');
    writeFileSync(reportFile, JSON.stringify(report));

    // Act: uat through the command's own calls (tollgate runbook promote / decide)
    const noReport = await propose(ADMIN, { stage: 'uat', version: v1 });
    const toUat = await proposeRelease({
      dataDir: harness.dataDir,
      user: ADMIN,
      runbook: RUNBOOK,
      stage: 'uat',
      kind: 'promotion',
      version: v1,
      reportFile,
      reason: 'replayed on the sample set, one decision changes',
    });
    await decideRelease({
      dataDir: harness.dataDir,
      user: 'casey.controller',
      runbook: RUNBOOK,
      changeId: toUat.changeId,
      decision: 'APPROVE',
      comment: 'replay reviewed',
    });
    await promoteAndApprove({ stage: 'prod', version: v1, report }, 'dana.controller');

    // Assess
    expect(noReport.status).toBe(400);
    expect(noReport.body.error.reason).toBe('REPORT_REQUIRED');
    const history = await runbookHistory(harness.dataDir, 'finley.auditor', RUNBOOK);
    expect(history.stages.map((s) => [s.stage, s.version])).toEqual([
      ['dev', v1],
      ['uat', v1],
      ['prod', v1],
    ]);
    expect(history.changes.find((c) => c.stage === 'uat')?.report).toMatchObject({
      kind: 'policy-replay',
      summary: { runs: 18, changes: 1 },
    });
  });

  it('names the threshold a new version changes, which a controller approves, and rolls back the same way', async () => {
    // Act
    const proposed = await propose(ADMIN, { stage: 'dev', artifacts: tighter });
    const approved = await decide(proposed.body.changeId, 'casey.controller');
    const toUnapproved = await propose(ADMIN, { stage: 'uat', kind: 'rollback', version: v2 });
    const rolledBack = await promoteAndApprove({ stage: 'dev', kind: 'rollback', version: v1 });

    // Assess
    expect(proposed.body.diff).toMatchObject({
      statesAdded: [],
      statesRemoved: [],
      statesChanged: [],
      thresholdsChanged: [{ threshold: 'priceTolerancePercent', from: '2.0', to: '1.0' }],
    });
    expect(approved.body.live).toMatchObject({ stage: 'dev', version: v2 });
    expect(toUnapproved.status).toBe(409);
    expect(toUnapproved.body.error.reason).toBe('NOT_AN_APPROVED_VERSION');
    expect(rolledBack).toMatchObject({ kind: 'rollback', fromVersion: v2, version: v1, status: 'APPROVED' });
    const history = await runbookHistory(harness.dataDir, 'finley.auditor', RUNBOOK);
    expect(history.stages.find((s) => s.stage === 'dev')?.version).toBe(v1);
  });

  it('puts exactly one of two changes racing for the same stage live; the other is refused and writes nothing', async () => {
    // Prepare: two new versions proposed against what dev runs now
    const other = {
      ...files,
      policy: JSON.stringify({ ...JSON.parse(files.policy), priceToleranceAmount: '4.00' }, null, 2),
    };
    const first = await propose(ADMIN, { stage: 'dev', artifacts: tighter });
    const second = await propose(ADMIN, { stage: 'dev', artifacts: other });
    expect([first.status, second.status]).toEqual([201, 201]);

    // Act
    const answers = await Promise.all([
      decide(first.body.changeId, 'casey.controller'),
      decide(second.body.changeId, 'dana.controller'),
    ]);

    // Assess
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409);
    expect(refused?.body.error.reason).toBe('STAGE_CHANGED_SINCE_PROPOSAL');
    const winner = answers.find((a) => a.status === 200)?.body;
    const history = await runbookHistory(harness.dataDir, 'finley.auditor', RUNBOOK);
    expect(history.stages.find((s) => s.stage === 'dev')?.version).toBe(winner.version);
    const loser = history.changes.find(
      (c) => c.changeId !== winner.changeId && c.proposedAt >= first.body.proposedAt,
    );
    expect(loser?.status).toBe('PENDING');
  });

  it('fails the deployment check in uat while a deployed runbook version has no approved change, and passes once all have', async () => {
    // Prepare: the stack now runs as uat
    process.env[STAGE_ENV] = 'uat';
    const start = () =>
      harness.api('POST', '/runbooks/deployment-check/executions', {
        user: ADMIN,
        body: {},
        headers: { 'Idempotency-Key': `check-${Date.now()}` },
      });

    // Act
    const first = await harness.waitForExecution((await start()).body.executionId, ADMIN);

    // Assess
    expect(first.status).toBe('FAILED');
    expect(JSON.stringify(first)).toContain('UnapprovedRunbookVersion');

    // Act: every deployed runbook version approved into dev, then uat
    for (const [runbook, version] of Object.entries(harness.stack.runtime.runbookVersions)) {
      if (runbook === RUNBOOK) continue;
      const artifacts = runbookArtifacts(runbook);
      expect(versionOf(artifacts), runbook).toBe(version);
      for (const stage of ['dev', 'uat']) {
        const path = `/runbooks/${runbook}/releases`;
        const proposed = await harness.api('POST', path, {
          user: ADMIN,
          body: { stage, artifacts, report, reason: 'deployed version under control' },
        });
        expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
        const decided = await harness.api('POST', `${path}/${proposed.body.changeId}/decision`, {
          user: 'casey.controller',
          body: { decision: 'APPROVE', comment: 'reviewed' },
        });
        expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      }
    }
    const second = await harness.waitForExecution((await start()).body.executionId, ADMIN);

    // Assess
    expect(second.status, JSON.stringify(second)).toBe('SUCCEEDED');
    process.env[STAGE_ENV] = 'local';
  });

  it('shows every version put live, with its stage and approver, in the auditor export of agent changes by runbook version', async () => {
    // Prepare
    await harness.stack.digestNow({ final: true });
    const today = new Date().toISOString().slice(0, 10);

    // Act
    const result = await runExport(
      evidenceSource({ dataDir: harness.dataDir }),
      'agent-changes-by-runbook-version',
      { from: today, to: today, format: 'json', outDir: `${harness.dataDir}/exports`, engine: 'duckdb' },
    );

    // Assess
    const mine = result.rows.filter((r) => r.runbook === RUNBOOK);
    const approved = (await runbookHistory(harness.dataDir, 'finley.auditor', RUNBOOK)).changes
      .filter((c) => c.status === 'APPROVED')
      .sort(
        (a, b) =>
          a.version.localeCompare(b.version) || (a.decision?.at ?? '').localeCompare(b.decision?.at ?? ''),
      );
    expect(approved.length).toBeGreaterThanOrEqual(6);
    expect(
      mine.map((r) => [r.change_kind, r.stage, r.runbook_version, r.approver_id, r.approver_role]),
    ).toEqual(
      approved.map((c) => [
        'runbook_version_change',
        c.stage,
        c.version,
        c.decision?.by.username,
        'controller',
      ]),
    );
    expect(mine.filter((r) => r.stage === 'prod').map((r) => [r.runbook_version, r.approver_id])).toEqual([
      [v1, 'dana.controller'],
    ]);
  });
});
