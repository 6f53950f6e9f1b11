import { issueDevToken, loadOrCreateSigningKey } from '../../local/dev-identity.ts';
import { readRuntime } from '../../local/local-stack.ts';

/**
 * GET on the running local stack's API as a demo user (a dev token signed by the data folder's
 * key). No stack, or a stack that does not answer, is NOT_RUNNING; an error answer keeps its code.
 */
export async function getFromLocalApi<T>(dataDir: string, user: string, path: string): Promise<T> {
  const runtime = readRuntime(dataDir);
  if (!runtime) {
    throw Object.assign(new Error(`No local stack runs on ${dataDir}. Start it with \`npm run local\`.`), {
      code: 'NOT_RUNNING',
    });
  }
  const token = issueDevToken(loadOrCreateSigningKey(dataDir), user);
  let response: Response;
  try {
    response = await fetch(`${runtime.endpoints.api}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  } catch {
    throw Object.assign(
      new Error(
        `The local API at ${runtime.endpoints.api} does not answer. Is \`npm run local\` still running?`,
      ),
      { code: 'NOT_RUNNING' },
    );
  }
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok || body.error) {
    throw Object.assign(new Error(body.error?.message ?? `GET ${path} answered ${response.status}.`), {
      code: body.error?.code ?? 'INTERNAL',
    });
  }
  return body;
}

/** A JSON answer of the API: its fields, or its error. */
export interface LocalApiAnswer {
  readonly [field: string]: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Any call on the running local stack's API as a demo user, answering the status and the JSON
 * body whatever they are (a caller that reports refusals reads their codes). No stack is NOT_RUNNING.
 */
export async function sendToLocalApi(
  dataDir: string,
  user: string,
  request: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; body: LocalApiAnswer | null }> {
  const runtime = readRuntime(dataDir);
  if (!runtime) {
    throw Object.assign(new Error(`No local stack runs on ${dataDir}. Start it with \`npm run local\`.`), {
      code: 'NOT_RUNNING',
    });
  }
  const token = issueDevToken(loadOrCreateSigningKey(dataDir), user);
  const response = await fetch(`${runtime.endpoints.api}${request.path}`, {
    method: request.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...request.headers,
    },
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as LocalApiAnswer) : null };
}
