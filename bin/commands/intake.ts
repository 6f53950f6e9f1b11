import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sendToLocalApi } from './local-api.ts';

/**
 * `tollgate intake <file|dir>`: invoice files into the invoice runbook on the running local stack.
 * Each file is submitted as what it is — a PDF (Factur-X included), EN 16931 XML, a structured
 * invoice as JSON, or text — under an Idempotency-Key made of its SHA-256, so the same file
 * twice, under any name, is one run.
 */
export type IntakeOutcome = 'STARTED' | 'DUPLICATE' | 'REFUSED';

export interface IntakeResult {
  readonly file: string;
  readonly sha256: string;
  readonly outcome: IntakeOutcome;
  readonly executionId?: string;
  readonly code?: string;
  readonly message?: string;
}

export interface IntakeOptions {
  readonly dataDir: string;
  readonly user: string;
  readonly paths: readonly string[];
  /** Files submitted at once. @default 4 */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Every regular file under the paths, in name order; hidden files are left out. */
export function filesUnder(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!name.startsWith('.')) visit(join(path, name));
    } else if (stat.isFile()) {
      files.push(path);
    }
  };
  for (const path of paths) visit(path);
  return files;
}

/** The invoice as the API takes it, by what the bytes are (not by the file's name). */
export function invoiceOf(bytes: Buffer): Record<string, unknown> {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return { pdfBase64: bytes.toString('base64') };
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('<')) return { xml: text };
  if (start.startsWith('{')) {
    try {
      return { structured: JSON.parse(text) };
    } catch {
      // Not JSON after all: read as text.
    }
  }
  return { text };
}

async function submit(options: IntakeOptions, file: string): Promise<IntakeResult> {
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const name = relative(process.cwd(), file) || file;
  const { status, body } = await sendToLocalApi(options.dataDir, options.user, {
    method: 'POST',
    path: '/runbooks/invoice-reconciliation/executions',
    body: { invoice: invoiceOf(bytes) },
    headers: { 'Idempotency-Key': `intake:${sha256}` },
  });
  if (status === 202 && typeof body?.executionId === 'string') {
    return {
      file: name,
      sha256,
      outcome: body.replayed === true ? 'DUPLICATE' : 'STARTED',
      executionId: body.executionId,
    };
  }
  return {
    file: name,
    sha256,
    outcome: 'REFUSED',
    code: body?.error?.code ?? `HTTP_${status}`,
    message: body?.error?.message ?? `answered ${status}`,
  };
}

/**
 * Submits every file, a few at a time. Files with the same content are submitted one after the
 * other, so the second is answered as the first's run (DUPLICATE), never raced against it.
 */
export async function intakeFiles(options: IntakeOptions): Promise<IntakeResult[]> {
  const files = filesUnder(options.paths);
  const groups = new Map<string, number[]>();
  files.forEach((file, index) => {
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    groups.set(sha, [...(groups.get(sha) ?? []), index]);
  });
  const queue = [...groups.values()];
  const results: IntakeResult[] = new Array(files.length);
  let done = 0;
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const index of group) {
        results[index] = await submit(options, files[index] as string);
        done++;
        options.onProgress?.(done, files.length);
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, queue.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** A one-line progress bar, e.g. `[##########----------] 50/100`. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

export function formatIntake(results: readonly IntakeResult[]): string[] {
  const count = (outcome: IntakeOutcome) => results.filter((r) => r.outcome === outcome).length;
  return [
    ...results.map((r) =>
      r.outcome === 'REFUSED'
        ? `REFUSED    ${r.file}  ${r.code}: ${r.message}`
        : `${r.outcome.padEnd(10)} ${r.file}  ${r.executionId}`,
    ),
    `${results.length} files: ${count('STARTED')} started, ${count('DUPLICATE')} duplicates of a run already started, ${count('REFUSED')} refused.`,
  ];
}
