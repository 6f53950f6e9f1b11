import { runbookVersion } from '#lib/runbook-definition.ts';
import { TollgateError } from '#platform/core/errors.ts';

/**
 * The control room: a runbook version (SHA-256 over its ASL, Markdown and policy) goes live in a
 * stage only through an approved change request, one stage after the other (dev → uat → prod).
 * A rollback to an earlier approved version takes the same path. Pure rules; no AWS.
 */
export const RELEASE_STAGES = ['dev', 'uat', 'prod'] as const;
export type ReleaseStage = (typeof RELEASE_STAGES)[number];

export function isReleaseStage(value: string): value is ReleaseStage {
  return (RELEASE_STAGES as readonly string[]).includes(value);
}

/** The stage a version must have gone live in before `stage`; undefined for the first. */
export function previousStage(stage: ReleaseStage): ReleaseStage | undefined {
  const index = RELEASE_STAGES.indexOf(stage);
  return index > 0 ? RELEASE_STAGES[index - 1] : undefined;
}

/** The three files a version is the hash of, as stored on disk. */
export interface RunbookArtifacts {
  readonly asl: string;
  readonly markdown: string;
  /** The policy file's text; '' for a runbook without one. */
  readonly policy: string;
}

export function versionOf(artifacts: RunbookArtifacts): string {
  return runbookVersion(artifacts.asl, artifacts.markdown, artifacts.policy);
}

export interface ThresholdChange {
  readonly threshold: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** What a change request changes, against the version live in the target stage. */
export interface DiffSummary {
  readonly statesAdded: readonly string[];
  readonly statesRemoved: readonly string[];
  readonly statesChanged: readonly string[];
  /** Policy settings (finance-owned thresholds) that differ, by dotted path. */
  readonly thresholdsChanged: readonly ThresholdChange[];
  readonly markdownChanged: boolean;
}

function statesOf(asl: string): Record<string, unknown> {
  const parsed = JSON.parse(asl) as { States?: Record<string, unknown> };
  const states: Record<string, unknown> = {};
  const walk = (map: Record<string, unknown> | undefined, prefix: string) => {
    for (const [name, state] of Object.entries(map ?? {})) {
      states[`${prefix}${name}`] = state;
      const s = state as {
        Branches?: { States?: Record<string, unknown> }[];
        ItemProcessor?: { States?: Record<string, unknown> };
        Iterator?: { States?: Record<string, unknown> };
      };
      for (const [i, branch] of (s.Branches ?? []).entries()) walk(branch.States, `${prefix}${name}/${i}/`);
      walk((s.ItemProcessor ?? s.Iterator)?.States, `${prefix}${name}/`);
    }
  };
  walk(parsed.States, '');
  return states;
}

function flatten(value: unknown, prefix = ''): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return prefix ? { [prefix]: value } : {};
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    Object.assign(out, flatten(inner, prefix ? `${prefix}.${key}` : key));
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** States added, removed and changed, policy thresholds changed; `from` null = nothing live yet. */
export function diffSummary(from: RunbookArtifacts | null, to: RunbookArtifacts): DiffSummary {
  const before = from ? statesOf(from.asl) : {};
  const after = statesOf(to.asl);
  const policyBefore = from?.policy ? flatten(JSON.parse(from.policy)) : {};
  const policyAfter = to.policy ? flatten(JSON.parse(to.policy)) : {};
  const keys = [...new Set([...Object.keys(policyBefore), ...Object.keys(policyAfter)])].sort();
  return {
    statesAdded: Object.keys(after)
      .filter((s) => !(s in before))
      .sort(),
    statesRemoved: Object.keys(before)
      .filter((s) => !(s in after))
      .sort(),
    statesChanged: Object.keys(after)
      .filter((s) => s in before && !same(before[s], after[s]))
      .sort(),
    thresholdsChanged: keys
      .filter((k) => !same(policyBefore[k], policyAfter[k]))
      .map((threshold) => ({
        threshold,
        from: policyBefore[threshold] ?? null,
        to: policyAfter[threshold] ?? null,
      })),
    markdownChanged: from ? from.markdown !== to.markdown : true,
  };
}

export type ChangeKind = 'promotion' | 'rollback';
export type ChangeStatus = 'PENDING' | 'APPROVED' | 'REFUSED';

/** An eval or replay report attached to a change: what it is, what it found, and its hash. */
export interface AttachedReport {
  readonly kind: 'eval' | 'policy-replay';
  readonly sha256: string;
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface Person {
  readonly userId: string;
  readonly username: string;
  readonly role: string;
}

export interface ChangeRequest {
  readonly changeId: string;
  readonly runbook: string;
  readonly stage: ReleaseStage;
  readonly kind: ChangeKind;
  readonly version: string;
  /** The version live in the stage when proposed (null: none yet); approval requires it still is. */
  readonly fromVersion: string | null;
  readonly diff: DiffSummary;
  readonly report: AttachedReport | null;
  readonly reason: string;
  readonly author: Person;
  readonly proposedAt: string;
  readonly status: ChangeStatus;
  readonly decision?: { readonly by: Person; readonly at: string; readonly comment: string };
}

/** Which version is live in a stage, since when, by which approved change. */
export interface StageRelease {
  readonly stage: ReleaseStage;
  readonly version: string;
  readonly changeId: string;
  readonly since: string;
  readonly approvedBy: string;
}

/** Everything known of one runbook's releases: its change requests and what is live per stage. */
export interface ReleaseHistory {
  readonly changes: readonly ChangeRequest[];
  readonly live: readonly StageRelease[];
}

/** The versions that went live in `stage` through an approved change. */
export function approvedVersions(history: ReleaseHistory, stage: ReleaseStage): Set<string> {
  return new Set(
    history.changes.filter((c) => c.stage === stage && c.status === 'APPROVED').map((c) => c.version),
  );
}

const refuse = (code: 'CONFLICT' | 'FORBIDDEN' | 'VALIDATION_FAILED', reason: string, message: string) =>
  new TollgateError(code, message, { reason });

/**
 * Whether a change may be proposed: a promotion only of a version approved into the stage
 * before (prod only what passed uat), a rollback only to a version approved into this stage
 * before; never the version already live. Throws with the reason; returns nothing.
 */
export function checkProposal(input: {
  readonly history: ReleaseHistory;
  readonly runbook: string;
  readonly stage: ReleaseStage;
  readonly kind: ChangeKind;
  readonly version: string;
  readonly report: AttachedReport | null;
}): void {
  const { history, stage, version, runbook } = input;
  const live = history.live.find((l) => l.stage === stage);
  if (live?.version === version)
    throw refuse('CONFLICT', 'ALREADY_LIVE', `Version ${version.slice(0, 12)} is already live in ${stage}.`);
  if (history.changes.some((c) => c.stage === stage && c.version === version && c.status === 'PENDING'))
    throw refuse(
      'CONFLICT',
      'CHANGE_ALREADY_PENDING',
      `A change putting ${version.slice(0, 12)} live in ${stage} already waits for approval.`,
    );
  if (input.kind === 'rollback') {
    if (!approvedVersions(history, stage).has(version))
      throw refuse(
        'CONFLICT',
        'NOT_AN_APPROVED_VERSION',
        `Version ${version.slice(0, 12)} of ${runbook} was never approved into ${stage}; roll back only to a version that was (tollgate runbook history ${runbook}).`,
      );
    return;
  }
  const previous = previousStage(stage);
  if (previous && !approvedVersions(history, previous).has(version))
    throw refuse(
      'CONFLICT',
      `VERSION_SKIPPED_${previous.toUpperCase()}`,
      `${stage} accepts only a version that passed ${previous}: version ${version.slice(0, 12)} of ${runbook} was never approved into ${previous}. Promote it to ${previous} first.`,
    );
  if (previous && input.report === null)
    throw refuse(
      'VALIDATION_FAILED',
      'REPORT_REQUIRED',
      `A promotion to ${stage} carries an eval or replay report (tollgate eval, tollgate replay --json); attach one.`,
    );
}

/** A change that moves a finance-owned threshold is approved by a controller; any other by a controller or platform admin. */
export function approverRoles(change: Pick<ChangeRequest, 'diff'>): readonly string[] {
  return change.diff.thresholdsChanged.length > 0 ? ['controller'] : ['controller', 'platform_admin'];
}

/** Whether `approver` may decide `change` now, with `live` the stage's version as it stands. */
export function checkDecision(change: ChangeRequest, approver: Person, live: StageRelease | undefined): void {
  if (change.author.userId === approver.userId)
    throw refuse(
      'FORBIDDEN',
      'AUTHOR_MAY_NOT_APPROVE',
      'You proposed this change, so someone else must approve or refuse it.',
    );
  const roles = approverRoles(change);
  if (!roles.includes(approver.role))
    throw refuse(
      'FORBIDDEN',
      'CONTROLLER_APPROVAL_REQUIRED',
      `This change moves finance-owned thresholds (${change.diff.thresholdsChanged.map((t) => t.threshold).join(', ')}); a controller approves it.`,
    );
  if (change.status !== 'PENDING')
    throw refuse(
      'CONFLICT',
      'CHANGE_NOT_PENDING',
      `Change ${change.changeId} was already ${change.status.toLowerCase()}.`,
    );
  if ((live?.version ?? null) !== change.fromVersion)
    throw refuse(
      'CONFLICT',
      'STAGE_CHANGED_SINCE_PROPOSAL',
      `${change.stage} runs ${live?.version.slice(0, 12) ?? 'nothing'} now, not ${change.fromVersion?.slice(0, 12) ?? 'nothing'} as when this change was proposed; propose it again.`,
    );
}

export interface DeployedVersionCheck {
  readonly runbook: string;
  readonly deployed: string;
  readonly approved: boolean;
  /** The approved change that put this version live in the stage, if any. */
  readonly changeId: string | null;
  readonly approvedBy: string | null;
}

/** Each deployed runbook version against the stage's approved releases: approved only when live by an approved change. */
export function checkDeployedVersions(
  deployed: Readonly<Record<string, string>>,
  liveByRunbook: Readonly<Record<string, StageRelease | undefined>>,
): DeployedVersionCheck[] {
  return Object.entries(deployed)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([runbook, version]) => {
      const live = liveByRunbook[runbook];
      const approved = live?.version === version;
      return {
        runbook,
        deployed: version,
        approved,
        changeId: approved ? (live?.changeId ?? null) : null,
        approvedBy: approved ? (live?.approvedBy ?? null) : null,
      };
    });
}
