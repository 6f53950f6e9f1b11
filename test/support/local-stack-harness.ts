import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { issueDevToken, loadOrCreateSigningKey } from '../../local/dev-identity.ts';
import {
  type LocalPorts,
  type LocalStack,
  type RuntimeInfo,
  readRuntime,
  startLocalStack,
} from '../../local/local-stack.ts';

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
  /** Polls GET /executions/{id} (as the auditor) until the run ends or its approval waits for a person. */
  waitForDecision(executionId: string): Promise<any>;
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
    async waitForDecision(executionId) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { body } = await api('GET', `/executions/${executionId}`, { user: 'finley.auditor' });
        if (body.status !== 'RUNNING' || body.approval?.status === 'PENDING') return body;
        if (Date.now() > deadline) throw new Error(`Still running: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop({ keepData = false } = {}) {
      await stack.stop();
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface StackProcess {
  readonly runtime: RuntimeInfo;
  /** Calls the local API as a demo user, with a dev token signed by the data folder's key. */
  api(
    method: string,
    path: string,
    options?: { user?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>;
  /** SIGKILL to the whole stack (Node and DynamoDB Local's JVM), as a crash would; resolves once its ports are free. */
  kill(): Promise<void>;
  /** Ctrl-C: the stack stops cleanly; resolves once its ports are free. */
  stop(): Promise<void>;
}

/**
 * Starts `tollgate local --port PORT --data-dir DIR` as a child process in its own process group,
 * so a test can kill the whole stack the way a crash does and start it again on the same folder.
 */
export async function spawnLocalStack(options: { port: number; dataDir: string }): Promise<StackProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'tollgate.ts'),
      'local',
      '--port',
      String(options.port),
      '--data-dir',
      options.dataDir,
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Press Ctrl-C')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
      throw new Error(`tollgate local did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const runtime = readRuntime(options.dataDir);
  if (!runtime) throw new Error(`tollgate local is up but wrote no runtime.json:\n${out}`);
  const signingKey = loadOrCreateSigningKey(options.dataDir);
  return {
    runtime,
    async api(method, path, { user, body, headers } = {}) {
      const response = await fetch(`${runtime.endpoints.api}${path}`, {
        method,
        headers: {
          ...(user ? { authorization: `Bearer ${issueDevToken(signingKey, user)}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      for (let port = options.port; port < options.port + 4; port++) await untilClosed(port);
    },
    async kill() {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      await exited;
      for (let port = options.port; port < options.port + 4; port++) await untilClosed(port);
    },
  };
}

/** Resolves once nothing accepts connections on the port (a killed JVM lets go a moment after Node). */
async function untilClosed(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!open) return;
    if (Date.now() > deadline) throw new Error(`Port ${port} still in use 10 s after the kill.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
