import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { freePort } from '../../local/ports.ts';
import { type StackProcess, spawnLocalStack } from '../support/local-stack-harness.ts';

// The README's five-minute walk, run as written against a fresh local stack, so the README cannot
// drift from the code. Only the stack's port and data folder (and the export folder) are
// substituted, since a test must not use a developer's running stack on 3000 and .tollgate/.
const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const walk = readme.slice(
  readme.indexOf('## A five-minute walk'),
  readme.indexOf('## The `tollgate` command'),
);
const blocks = [...walk.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);

const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-readme-'));
const exportsDir = join(dataDir, 'exports');
let stack: StackProcess | undefined;
const steps: string[] = [];

function asRunHere(block: string, api: string): string {
  return block
    .replaceAll('http://127.0.0.1:3000', api)
    .replace(
      /npx tollgate (seed|dev-token|runs|evidence verify|evidence export)\b/g,
      'npx tollgate $1 --data-dir "$WALK_DATA_DIR"',
    );
}

beforeAll(async () => {
  // Prepare: a fresh stack as `npm run local` starts it, digesting evidence every second
  process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS = '1';
  stack = await spawnLocalStack({ port: await freePort(), dataDir });
  delete process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS;

  // Act: every block after the one that starts the stack, in one shell, in order
  const script = [
    'set -euo pipefail',
    ...blocks
      .slice(1)
      .flatMap((block, i) => [
        `printf "\\n::step ${i + 1}::\\n"`,
        asRunHere(block, stack!.runtime.endpoints.api),
      ]),
  ].join('\n');
  const { stdout } = await promisify(execFile)('bash', ['-c', script], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PATH: `${join(PROJECT_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      WALK_DATA_DIR: dataDir,
      TOLLGATE_EXPORTS_DIR: exportsDir,
    },
    timeout: 180_000,
  });
  steps.push(...stdout.split(/^::step \d+::\n/m).slice(1));
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The JSON line a step printed with `node -p`. */
const printed = (step: string | undefined) =>
  JSON.parse((step ?? '').split('\n').find((line) => line.startsWith('{"status"')) ?? 'null');

describe('the README five-minute walk', () => {
  it('starts the stack with the command it names first', () => {
    expect(blocks[0]).toContain('npm run local');
    expect(blocks).toHaveLength(7);
  });

  it('seeds the sample system of record', () => {
    expect(steps[0]).toMatch(/agents\s+1 created/);
  });

  it('submits the invoice and keeps its execution id', () => {
    expect(steps[1]?.trim()).toMatch(/^[a-f0-9]{40}$/);
  });

  it("lists the run and shows the agent's proposal with a sentence per reason", () => {
    const id = steps[1]?.trim() as string;
    expect(steps[2]).toContain(id);
    expect(printed(steps[2])).toMatchObject({
      status: 'RUNNING',
      proposedDecision: 'PENDING_APPROVAL',
      decision: 'PENDING_APPROVAL',
      reasons: [{ code: 'OVER_AUTHORITY', text: expect.any(String) }],
    });
  });

  it('lets another clerk approve it', () => {
    expect(steps[3]).not.toContain('"error"');
  });

  it('ends with the outcome in decision and the payment held', () => {
    expect(printed(steps[4])).toEqual({
      status: 'SUCCEEDED',
      proposedDecision: 'PENDING_APPROVAL',
      decision: 'APPROVED',
      hold: 'HELD',
    });
    expect(steps[4]).toContain(steps[1]?.trim() as string);
  });

  it('verifies the evidence and exports the decision by invoice date', () => {
    expect(steps[5]).toContain('Result: all valid.');
    const exported = JSON.parse((steps[5] ?? '').slice((steps[5] ?? '').indexOf('{')));
    expect(exported.rowCount).toBe(1);
    expect(exported.output.startsWith(exportsDir)).toBe(true);
  });
});
