import { describe, expect, it } from 'vitest';
import { TollgateError } from '#platform/core/errors.ts';
import {
  type ChangeRequest,
  checkDecision,
  checkDeployedVersions,
  checkProposal,
  diffSummary,
  type ReleaseHistory,
  type RunbookArtifacts,
  versionOf,
} from '#platform/releases/core/change-requests.ts';
import { runbookVersion } from '../../../../lib/runbook-definition.ts';

const ASL = JSON.stringify({
  StartAt: 'A',
  States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } },
});
const V1: RunbookArtifacts = {
  asl: ASL,
  markdown: '# one',
  policy: '{"priceTolerancePercent":"2.0","approvalTimeoutHours":72}',
};
const V2: RunbookArtifacts = {
  asl: JSON.stringify({
    StartAt: 'A',
    States: { A: { Type: 'Pass', Next: 'C' }, C: { Type: 'Succeed' } },
  }),
  markdown: '# one',
  policy: '{"priceTolerancePercent":"1.0","approvalTimeoutHours":72}',
};
const admin = { userId: 'u-admin', username: 'gray.admin', role: 'platform_admin' };
const controller = { userId: 'u-casey', username: 'casey.controller', role: 'controller' };
const otherAdmin = { userId: 'u-other', username: 'other.admin', role: 'platform_admin' };

function change(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    changeId: 'c1',
    runbook: 'invoice-reconciliation',
    stage: 'dev',
    kind: 'promotion',
    version: versionOf(V1),
    fromVersion: null,
    diff: diffSummary(null, V1),
    report: null,
    reason: 'first version of the runbook',
    author: admin,
    proposedAt: '2026-12-01T10:00:00.000Z',
    status: 'PENDING',
    ...overrides,
  };
}

function refusal(act: () => unknown): { code: string; reason: unknown } {
  try {
    act();
  } catch (error) {
    if (error instanceof TollgateError) return { code: error.code, reason: error.details?.reason };
    throw error;
  }
  throw new Error('expected a refusal, got none');
}

const approvedInto = (stage: ChangeRequest['stage'], version: string): ChangeRequest =>
  change({ changeId: `${stage}-${version.slice(0, 4)}`, stage, version, status: 'APPROVED' });

describe('the version a change request is about', () => {
  it('is the hash the stack computes over the ASL, Markdown and policy files', () => {
    // Assess
    expect(versionOf(V1)).toBe(runbookVersion(V1.asl, V1.markdown, V1.policy));
    expect(versionOf(V2)).not.toBe(versionOf(V1));
  });

  it('summarises which states and which thresholds changed', () => {
    // Act
    const diff = diffSummary(V1, V2);

    // Assess
    expect(diff).toEqual({
      statesAdded: ['C'],
      statesRemoved: ['B'],
      statesChanged: ['A'],
      thresholdsChanged: [{ threshold: 'priceTolerancePercent', from: '2.0', to: '1.0' }],
      markdownChanged: false,
    });
  });
});

describe('proposing a change', () => {
  const v1 = versionOf(V1);
  const none: ReleaseHistory = { changes: [], live: [] };

  it('refuses a prod promotion of a version that never passed uat', () => {
    // Prepare: approved into dev only
    const history: ReleaseHistory = { changes: [approvedInto('dev', v1)], live: [] };

    // Act
    const refused = refusal(() =>
      checkProposal({
        history,
        runbook: 'invoice-reconciliation',
        stage: 'prod',
        kind: 'promotion',
        version: v1,
        report: { kind: 'policy-replay', sha256: 'x', summary: {} },
      }),
    );

    // Assess
    expect(refused).toEqual({ code: 'CONFLICT', reason: 'VERSION_SKIPPED_UAT' });
  });

  it('refuses a uat promotion without an eval or replay report', () => {
    // Prepare
    const history: ReleaseHistory = { changes: [approvedInto('dev', v1)], live: [] };

    // Act
    const refused = refusal(() =>
      checkProposal({ history, runbook: 'r', stage: 'uat', kind: 'promotion', version: v1, report: null }),
    );

    // Assess
    expect(refused).toEqual({ code: 'VALIDATION_FAILED', reason: 'REPORT_REQUIRED' });
  });

  it('refuses a rollback to a version never approved into the stage', () => {
    // Act
    const refused = refusal(() =>
      checkProposal({
        history: none,
        runbook: 'r',
        stage: 'dev',
        kind: 'rollback',
        version: v1,
        report: null,
      }),
    );

    // Assess
    expect(refused).toEqual({ code: 'CONFLICT', reason: 'NOT_AN_APPROVED_VERSION' });
  });

  it('accepts a first dev promotion and a rollback to an earlier approved version', () => {
    // Prepare: v1 approved into dev, v2 live there now
    const v2 = versionOf(V2);
    const history: ReleaseHistory = {
      changes: [approvedInto('dev', v1), approvedInto('dev', v2)],
      live: [{ stage: 'dev', version: v2, changeId: 'x', since: 't', approvedBy: 'casey.controller' }],
    };

    // Act + Assess
    expect(() =>
      checkProposal({
        history: none,
        runbook: 'r',
        stage: 'dev',
        kind: 'promotion',
        version: v1,
        report: null,
      }),
    ).not.toThrow();
    expect(() =>
      checkProposal({ history, runbook: 'r', stage: 'dev', kind: 'rollback', version: v1, report: null }),
    ).not.toThrow();
  });
});

describe('deciding a change', () => {
  it('refuses approval by its author', () => {
    // Act
    const refused = refusal(() => checkDecision(change(), admin, undefined));

    // Assess
    expect(refused).toEqual({ code: 'FORBIDDEN', reason: 'AUTHOR_MAY_NOT_APPROVE' });
  });

  it('has a controller approve a change that moves finance-owned thresholds, not a platform admin', () => {
    // Prepare
    const thresholds = change({ diff: diffSummary(V1, V2) });

    // Act + Assess
    expect(refusal(() => checkDecision(thresholds, otherAdmin, undefined))).toEqual({
      code: 'FORBIDDEN',
      reason: 'CONTROLLER_APPROVAL_REQUIRED',
    });
    expect(() => checkDecision(thresholds, controller, undefined)).not.toThrow();
  });

  it('refuses when the stage moved since the proposal', () => {
    // Act
    const refused = refusal(() =>
      checkDecision(change(), controller, {
        stage: 'dev',
        version: versionOf(V2),
        changeId: 'other',
        since: 't',
        approvedBy: 'dana.controller',
      }),
    );

    // Assess
    expect(refused).toEqual({ code: 'CONFLICT', reason: 'STAGE_CHANGED_SINCE_PROPOSAL' });
  });
});

describe('the deployment check of releases', () => {
  it('finds a deployed version without an approved change', () => {
    // Act
    const checks = checkDeployedVersions(
      { a: 'v-approved', b: 'v-unapproved' },
      {
        a: { stage: 'uat', version: 'v-approved', changeId: 'c', since: 't', approvedBy: 'casey.controller' },
        b: { stage: 'uat', version: 'v-older', changeId: 'd', since: 't', approvedBy: 'casey.controller' },
      },
    );

    // Assess
    expect(checks.map((c) => [c.runbook, c.approved, c.approvedBy])).toEqual([
      ['a', true, 'casey.controller'],
      ['b', false, null],
    ]);
  });
});
