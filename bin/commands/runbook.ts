import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TollgateError } from '#platform/core/errors.ts';
import type {
  ChangeRequest,
  RunbookArtifacts,
  StageRelease,
} from '#platform/releases/core/change-requests.ts';
import { runbookModule } from '#runbooks/registry.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { issueDevToken, loadOrCreateSigningKey } from '../../local/dev-identity.ts';
import { readRuntime } from '../../local/local-stack.ts';

/** The three files of a runbook as they are in this checkout: what its version is the hash of. */
export function runbookArtifacts(runbook: string, root = PROJECT_ROOT): RunbookArtifacts {
  const module = runbookModule(runbook);
  if (!module) throw new TollgateError('UNKNOWN_RUNBOOK', `There is no runbook ${runbook}.`);
  const dir = module.definitionDir ?? 'statemachines';
  return {
    asl: readFileSync(join(root, dir, `${runbook}.asl.json`), 'utf8'),
    markdown: readFileSync(join(root, dir, `${runbook}.md`), 'utf8'),
    policy: module.policy ? readFileSync(join(root, module.policy), 'utf8') : '',
  };
}

/** One call to the running local stack's API as a demo user; an error answer throws with its code and reason. */
export async function callLocalApi<T>(
  dataDir: string,
  user: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const runtime = readRuntime(dataDir);
  if (!runtime)
    throw Object.assign(new Error(`No local stack runs on ${dataDir}. Start it with \`npm run local\`.`), {
      code: 'NOT_RUNNING',
    });
  const response = await fetch(`${runtime.endpoints.api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${issueDevToken(loadOrCreateSigningKey(dataDir), user)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as T & {
    error?: { code: string; message: string; reason?: string };
  };
  if (!response.ok || answer.error) {
    const reason = answer.error?.reason;
    throw Object.assign(
      new Error(
        `${reason ? `${reason}: ` : ''}${answer.error?.message ?? `${method} ${path} answered ${response.status}.`}`,
      ),
      { code: answer.error?.code ?? 'INTERNAL', reason, status: response.status },
    );
  }
  return answer;
}

export interface ReleaseHistoryView {
  readonly runbook: string;
  readonly stages: readonly (StageRelease | { stage: string; version: null })[];
  readonly changes: readonly ChangeRequest[];
}

export function runbookHistory(dataDir: string, user: string, runbook: string): Promise<ReleaseHistoryView> {
  return callLocalApi(dataDir, user, 'GET', `/runbooks/${encodeURIComponent(runbook)}/releases`);
}

export interface ProposeOptions {
  readonly dataDir: string;
  readonly user: string;
  readonly runbook: string;
  readonly stage: string;
  readonly kind: 'promotion' | 'rollback';
  /** A version already proposed once; otherwise the files of this checkout are sent. */
  readonly version?: string;
  readonly reportFile?: string;
  readonly reason: string;
}

/** `tollgate runbook promote|rollback`: POST /runbooks/{runbook}/releases as a platform admin. */
export function proposeRelease(options: ProposeOptions): Promise<ChangeRequest> {
  const report = options.reportFile ? JSON.parse(readFileSync(options.reportFile, 'utf8')) : undefined;
  return callLocalApi(
    options.dataDir,
    options.user,
    'POST',
    `/runbooks/${encodeURIComponent(options.runbook)}/releases`,
    {
      stage: options.stage,
      kind: options.kind,
      ...(options.version ? { version: options.version } : { artifacts: runbookArtifacts(options.runbook) }),
      ...(report ? { report } : {}),
      reason: options.reason,
    },
  );
}

/** `tollgate runbook decide`: POST /runbooks/{runbook}/releases/{changeId}/decision. */
export function decideRelease(options: {
  readonly dataDir: string;
  readonly user: string;
  readonly runbook: string;
  readonly changeId: string;
  readonly decision: 'APPROVE' | 'REJECT';
  readonly comment: string;
}): Promise<ChangeRequest> {
  return callLocalApi(
    options.dataDir,
    options.user,
    'POST',
    `/runbooks/${encodeURIComponent(options.runbook)}/releases/${encodeURIComponent(options.changeId)}/decision`,
    { decision: options.decision, comment: options.comment },
  );
}

/** The history as a release manager reads it. */
export function formatHistory(view: ReleaseHistoryView): string[] {
  const short = (v: string | null) => (v ? v.slice(0, 12) : '-');
  return [
    `Runbook ${view.runbook}`,
    ...view.stages.map((s) =>
      s.version
        ? `  ${s.stage.padEnd(5)} ${short(s.version)}  live since ${(s as StageRelease).since}, approved by ${(s as StageRelease).approvedBy} (change ${(s as StageRelease).changeId})`
        : `  ${s.stage.padEnd(5)} -             nothing approved yet`,
    ),
    '',
    'Changes (oldest first):',
    ...view.changes.map((c) => {
      const diff = [
        c.diff.statesAdded.length ? `+${c.diff.statesAdded.join(',')}` : '',
        c.diff.statesRemoved.length ? `-${c.diff.statesRemoved.join(',')}` : '',
        c.diff.statesChanged.length ? `~${c.diff.statesChanged.join(',')}` : '',
        ...c.diff.thresholdsChanged.map((t) => `${t.threshold} ${String(t.from)}->${String(t.to)}`),
      ]
        .filter(Boolean)
        .join(' ');
      return `  ${c.proposedAt}  ${c.kind.padEnd(9)} ${c.stage.padEnd(4)} ${short(c.fromVersion)} -> ${short(c.version)}  ${c.status.padEnd(8)} by ${c.author.username}${c.decision ? `, ${c.status === 'APPROVED' ? 'approved' : 'refused'} by ${c.decision.by.username}` : ''}${c.report ? `, ${c.report.kind} report` : ''}${diff ? `  [${diff}]` : ''}  (${c.changeId})`;
    }),
    '',
  ];
}
