import { issueDevToken, loadOrCreateSigningKey } from '../../local/dev-identity.ts';
import { readRuntime } from '../../local/local-stack.ts';

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
  const runtime = readRuntime(options.dataDir);
  if (!runtime) {
    throw Object.assign(
      new Error(`No local stack runs on ${options.dataDir}. Start it with \`npm run local\`.`),
      { code: 'NOT_RUNNING' },
    );
  }
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
  const token = issueDevToken(loadOrCreateSigningKey(options.dataDir), options.user);
  const url = `${runtime.endpoints.api}/executions${query.size > 0 ? `?${query}` : ''}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw Object.assign(
      new Error(
        `The local API at ${runtime.endpoints.api} does not answer. Is \`npm run local\` still running?`,
      ),
      { code: 'NOT_RUNNING' },
    );
  }
  const body = (await response.json()) as {
    executions?: ListedRun[];
    nextToken?: string | null;
    error?: { code: string; message: string };
  };
  if (!response.ok || !body.executions) {
    throw Object.assign(new Error(body.error?.message ?? `GET /executions answered ${response.status}.`), {
      code: body.error?.code ?? 'INTERNAL',
    });
  }
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
