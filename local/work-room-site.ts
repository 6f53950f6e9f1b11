import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../lib/project-root.ts';
import { DEMO_USERS, DevTokenError, issueDevToken, type SigningKey } from './dev-identity.ts';

/**
 * The work room's web page on the local stack: the built single-page app from the same origin
 * as the API (so no CORS), and the dev sign-in that stands in for Cognito's hosted UI. The
 * sign-in answers only a page on this stack's own loopback address.
 */
export const WEB_SOURCE_DIR = join(PROJECT_ROOT, 'web', 'src');
export const WEB_DIST_DIR = join(PROJECT_ROOT, 'web', 'dist');

/** The files the page is made of: paths the site serves, and nothing else. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** The same headers CloudFront's response-headers policy adds in AWS. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const SIGN_IN_PATH = '/dev/sign-in';
const USERS_PATH = '/dev/users';

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the page into `outDir` (esbuild, minified, one script and one stylesheet); returns their
 * sizes. Each file is written beside its place and renamed into it, so a stack serving the page
 * while another process builds it never reads half a file.
 */
export async function buildWorkRoom(outDir = WEB_DIST_DIR): Promise<Record<string, number>> {
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, '.build-'));
  try {
    await build({
      entryPoints: { app: join(WEB_SOURCE_DIR, 'main.tsx') },
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      outdir: staging,
      entryNames: '[name]',
      legalComments: 'none',
      logLevel: 'silent',
      write: true,
    });
    copyFileSync(join(WEB_SOURCE_DIR, 'index.html'), join(staging, 'index.html'));
    // index.html last: its time says the build is complete.
    for (const file of ['app.js', 'app.css', 'index.html'])
      renameSync(join(staging, file), join(outDir, file));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return Object.fromEntries(
    Object.values(ASSETS).map(({ file }) => [file, statSync(join(outDir, file)).size] as const),
  );
}

/** Builds the page when it is missing or older than its sources. */
export async function ensureWorkRoomBuilt(outDir = WEB_DIST_DIR): Promise<void> {
  const index = join(outDir, 'index.html');
  const missing = Object.values(ASSETS).some(({ file }) => !existsSync(join(outDir, file)));
  if (missing || statSync(index).mtimeMs < newestSourceTime(WEB_SOURCE_DIR)) await buildWorkRoom(outDir);
}

/**
 * Whether a request comes from a page on this stack: its Host is this loopback address and any
 * Origin is exactly this origin. A page elsewhere (another site, a DNS-rebound name) is refused.
 */
export function isSameLoopbackOrigin(req: IncomingMessage, port: number): boolean {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host ?? '';
  if (!allowedHosts.includes(host)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

export class WorkRoomSite {
  private readonly key: SigningKey;
  private readonly distDir: string;

  constructor(key: SigningKey, distDir = WEB_DIST_DIR) {
    this.key = key;
    this.distDir = distDir;
  }

  /** Answers the request if it is for the page or the dev sign-in; false when it is an API call. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL, port: number): Promise<boolean> {
    const asset = req.method === 'GET' || req.method === 'HEAD' ? ASSETS[url.pathname] : undefined;
    if (asset) {
      const body = readFileSync(join(this.distDir, asset.file));
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': asset.type,
        'cache-control': 'no-cache',
        'content-length': String(body.length),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    if (url.pathname !== SIGN_IN_PATH && url.pathname !== USERS_PATH) return false;
    const [status, body] = await this.signIn(req, url, port);
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(JSON.stringify(body));
    return true;
  }

  private async signIn(req: IncomingMessage, url: URL, port: number): Promise<[number, unknown]> {
    const refuse = (status: number, code: string, message: string): [number, unknown] => [
      status,
      { error: { code, message } },
    ];
    if (!isSameLoopbackOrigin(req, port))
      return refuse(
        403,
        'FORBIDDEN',
        'The local sign-in answers only a page served by this stack on its own loopback address.',
      );
    if (url.pathname === USERS_PATH && req.method === 'GET')
      return [
        200,
        { users: DEMO_USERS.map(({ username, role, displayName }) => ({ username, role, displayName })) },
      ];
    if (url.pathname !== SIGN_IN_PATH || req.method !== 'POST')
      return refuse(405, 'VALIDATION_FAILED', `Use GET ${USERS_PATH} or POST ${SIGN_IN_PATH}.`);
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send {"username": "…"} as application/json.');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4096) return refuse(413, 'VALIDATION_FAILED', 'The sign-in body is over 4 KB.');
      chunks.push(chunk as Buffer);
    }
    let username: unknown;
    try {
      username = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username?: unknown }).username;
    } catch {
      username = undefined;
    }
    if (typeof username !== 'string') return refuse(400, 'VALIDATION_FAILED', 'Send {"username": "…"}.');
    try {
      return [200, { token: issueDevToken(this.key, username) }];
    } catch (error) {
      if (error instanceof DevTokenError) return refuse(400, 'VALIDATION_FAILED', error.message);
      throw error;
    }
  }
}

if (import.meta.main) {
  const sizes = await buildWorkRoom();
  for (const [file, size] of Object.entries(sizes)) process.stdout.write(`web/dist/${file}  ${size} bytes\n`);
}
