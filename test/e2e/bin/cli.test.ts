import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/project-root.ts';
import { freePort } from '../../../local/ports.ts';

const run = promisify(execFile);
const cli = join(PROJECT_ROOT, 'bin', 'tollgate.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function tollgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tollgate CLI', () => {
  it.each([[[]], [['local']], [['dev-token']]])('prints help for %j', async (args) => {
    const result = await tollgate(...args, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: tollgate/);
  });

  it('prints a dev token for a demo user in their role', async () => {
    const result = await tollgate(
      'dev-token',
      '--user',
      'casey.controller',
      '--role',
      'controller',
      '--data-dir',
      dataDir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('.')).toHaveLength(3);
  });

  it.each([
    [['--user', 'mallory'], 'UNKNOWN_USER', /avery\.clerk/],
    [['--user', 'avery.clerk', '--role', 'controller'], 'ROLE_NOT_HELD', /casey\.controller/],
    [['--user', 'avery.clerk', '--role', 'cfo'], 'UNKNOWN_ROLE', /ap_clerk/],
  ])('refuses %j with a code and what to do', async (args, code, hint) => {
    const result = await tollgate('dev-token', ...args, '--data-dir', dataDir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`[${code}]`);
    expect(result.stderr).toMatch(hint);
  });

  it('refuses a bad port with guidance', async () => {
    const result = await tollgate('local', '--port', 'eighty');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/port number/);
  });

  it('`tollgate local` comes up on loopback, answers on its API port, and stops cleanly on Ctrl-C', async () => {
    // Prepare
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      [cli, 'local', '--port', String(port), '--data-dir', dataDir],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 90_000;
    while (!out.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toContain(`API             http://127.0.0.1:${port}`);

    // Act
    const anonymous = await fetch(`http://127.0.0.1:${port}/executions/${'a'.repeat(40)}`);
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    expect(anonymous.status).toBe(401);
    expect(code).toBe(0);
    expect(out).toContain('Stopped.');
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);
  });
});
