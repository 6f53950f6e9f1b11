import { getFromLocalApi } from './local-api.ts';

export interface RunsOptions {
  readonly dataDir: string;
  readonly user: string;
  readonly runbook?: string;
  readonly status?: string;
  readonly requestedBy?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: string;
  readonly nextToken?: string;
}

export interface ListedRun {
  readonly executionId: string;
  readonly runbook: string;
  readonly status: string;
  readonly requestedBy: { readonly username: string };
  readonly createdAt: string;
}

/** `tollgate runs`: GET /executions on the running local stack, as a demo user with a dev token. */
export async function listRuns(
  options: RunsOptions,
): Promise<{ readonly executions: readonly ListedRun[]; readonly nextToken: string | null }> {
  const query = new URLSearchParams();
  for (const [name, value] of [
    ['runbook', options.runbook],
    ['status', options.status],
    ['requestedBy', options.requestedBy],
    ['from', options.from],
    ['to', options.to],
    ['limit', options.limit],
    ['nextToken', options.nextToken],
  ] as const) {
    if (value !== undefined) query.set(name, value);
  }
  const body = await getFromLocalApi<{ executions?: ListedRun[]; nextToken?: string | null }>(
    options.dataDir,
    options.user,
    `/executions${query.size > 0 ? `?${query}` : ''}`,
  );
  if (!body.executions)
    throw Object.assign(new Error('GET /executions answered no executions.'), { code: 'INTERNAL' });
  return { executions: body.executions, nextToken: body.nextToken ?? null };
}

/** One line per run, newest first, and how to get the next page. */
export function formatRuns(result: Awaited<ReturnType<typeof listRuns>>): string[] {
  if (result.executions.length === 0) return ['No runs match.'];
  const lines = [
    ['EXECUTION ID', 'RUNBOOK', 'STATUS', 'REQUESTED BY', 'CREATED AT'],
    ...result.executions.map((e) => [
      e.executionId,
      e.runbook,
      e.status,
      e.requestedBy.username,
      e.createdAt,
    ]),
  ];
  const widths = [40, 22, 15, 18, 24];
  const out = lines.map((cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  if (result.nextToken) out.push(`More: add --next-token ${result.nextToken}`);
  return out;
}
