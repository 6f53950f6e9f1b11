/**
 * Each Lambda function's bundle, built as the stack builds it (esbuild, ESM, minified, node24),
 * measured for size and for module init: the time a fresh Node process takes to import it.
 * Prints per function and the totals; run with `npm run bench:bundles`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { catalogFunctions } from '../lib/catalog.ts';
import { PROJECT_ROOT } from '../lib/project-root.ts';

const SHIM = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
const out = mkdtempSync(join(tmpdir(), 'tollgate-bundles-'));

/** Milliseconds a fresh process spends importing the bundle (median of three), without source maps. */
function initMs(file: string): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const printed = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); console.log(performance.now() - t);`,
      ],
      { env: { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' }, encoding: 'utf8' },
    );
    times.push(Number(printed.trim().split('\n').at(-1)));
  }
  return times.sort((a, b) => a - b)[1] as number;
}

const rows: { id: string; kb: number; mapKb: number; ms: number }[] = [];
try {
  for (const fn of catalogFunctions()) {
    const file = join(out, `${fn.id}.mjs`);
    await build({
      entryPoints: [join(PROJECT_ROOT, fn.entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      sourcemap: true,
      mainFields: ['module', 'main'],
      banner: { js: SHIM },
      outfile: file,
      logLevel: 'error',
    });
    rows.push({
      id: fn.id,
      kb: statSync(file).size / 1024,
      mapKb: statSync(`${file}.map`).size / 1024,
      ms: initMs(file),
    });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

rows.sort((a, b) => b.kb - a.kb);
for (const r of rows)
  console.log(
    `${r.id.padEnd(34)} ${r.kb.toFixed(0).padStart(6)} KB  map ${r.mapKb.toFixed(0).padStart(6)} KB  init ${r.ms.toFixed(0).padStart(4)} ms`,
  );
const largest = rows[0];
const slowest = [...rows].sort((a, b) => b.ms - a.ms)[0];
const total = rows.reduce((sum, r) => sum + r.kb, 0);
console.log(
  `\n${rows.length} functions: ${total.toFixed(0)} KB in all, largest ${largest?.id} ${largest?.kb.toFixed(0)} KB, slowest init ${slowest?.id} ${slowest?.ms.toFixed(0)} ms; ${rows.filter((r) => r.kb <= 300).length} of ${rows.length} within 300 KB.`,
);
