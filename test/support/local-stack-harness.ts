import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueDevToken } from '../../local/dev-identity.ts';
import { type LocalPorts, type LocalStack, startLocalStack } from '../../local/local-stack.ts';

export interface Harness {
  readonly stack: LocalStack;
  readonly dataDir: string;
  /** Calls the local API as a demo user (or anonymously with user undefined). */
  api(
    method: string,
    path: string,
    options?: { user?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>;
  /** Polls GET /executions/{id} until the execution stops. */
  waitForExecution(executionId: string, user: string): Promise<any>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** Starts the real local stack (DynamoDB Local, s3rver, engine, API) on free ports in a fresh folder. */
export async function startHarness(
  options: { dataDir?: string; inMemory?: boolean; ports?: LocalPorts } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    inMemory: options.inMemory ?? true,
    ...(options.ports ? { ports: options.ports } : {}),
  });
  const api: Harness['api'] = async (method, path, { user, body, headers } = {}) => {
    const response = await fetch(`${stack.endpoints.api}${path}`, {
      method,
      headers: {
        ...(user ? { authorization: `Bearer ${issueDevToken(stack.signingKey, user)}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    stack,
    dataDir,
    api,
    async waitForExecution(executionId, user) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { status, body } = await api('GET', `/executions/${executionId}`, { user });
        if (status !== 200)
          throw new Error(`GET /executions/${executionId} answered ${status}: ${JSON.stringify(body)}`);
        if (body.status !== 'RUNNING' && body.status !== 'NOT_STARTED') return body;
        if (Date.now() > deadline)
          throw new Error(`Execution ${executionId} still ${body.status} after 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop({ keepData = false } = {}) {
      await stack.stop();
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
