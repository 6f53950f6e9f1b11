/** The API from the page: the same routes the CLI and curl use, with the signed-in person's bearer token. */

import { authorizeUrl, exchangeCode, type HostedSignIn, randomToken } from './pkce.ts';

const TOKEN_KEY = 'tollgate.token';

/** An API answer: read field by field and shown as text, so it stays loosely typed. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
export type Json = any;

export interface Session {
  readonly token: string;
  readonly username: string;
  readonly name: string;
  readonly roles: readonly string[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function claimsOf(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The session kept for this tab; gone when it expires (the API checks the token, this only reads it). */
export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const claims = token ? claimsOf(token) : undefined;
  if (!token || !claims || typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now())
    return undefined;
  const groups = claims['cognito:groups'];
  return {
    token,
    username: String(claims['cognito:username'] ?? claims.sub),
    name: String(claims.name ?? claims['cognito:username'] ?? ''),
    roles: Array.isArray(groups)
      ? groups.map(String)
      : String(groups ?? '')
          .split(',')
          .filter(Boolean),
  };
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

const PKCE_KEY = 'tollgate.pkce';

/**
 * How this page signs people in: in AWS, /config.json (uploaded beside the page) names the
 * stack's hosted UI; on the local stack there is none and the dev sign-in is used.
 */
export async function hostedSignIn(): Promise<HostedSignIn | undefined> {
  const response = await fetch('/config.json').catch(() => undefined);
  if (!response?.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { signIn?: HostedSignIn } | undefined;
  return body?.signIn;
}

/** Sends the browser to the hosted UI, keeping the verifier and state for the way back. */
export async function startHostedSignIn(config: HostedSignIn): Promise<void> {
  const verifier = randomToken();
  const state = randomToken();
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  location.assign(await authorizeUrl(config, verifier, state));
}

/** On the way back from the hosted UI: checks the state, trades the code, keeps the ID token. */
export async function finishHostedSignIn(config: HostedSignIn): Promise<Session | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  if (!code) return undefined;
  const kept = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', `${location.pathname}#/inbox`);
  if (!kept || query.get('state') !== kept.state)
    throw new ApiError(
      400,
      'VALIDATION_FAILED',
      'The sign-in answer does not belong to this page; sign in again.',
    );
  sessionStorage.setItem(TOKEN_KEY, await exchangeCode(config, code, kept.verifier));
  return currentSession();
}

async function parse(response: Response): Promise<Json> {
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok)
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'ERROR',
      body?.error?.message ?? `The server answered ${response.status}.`,
    );
  return body;
}

export interface DemoUser {
  readonly username: string;
  readonly role: string;
  readonly displayName: string;
}

/** The local stack's demo directory (the dev sign-in; in AWS the hosted UI signs people in). */
export async function demoUsers(): Promise<DemoUser[]> {
  return (await parse(await fetch('/dev/users'))).users as DemoUser[];
}

export async function signInAs(username: string): Promise<Session> {
  const body = await parse(
    await fetch('/dev/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username }),
    }),
  );
  sessionStorage.setItem(TOKEN_KEY, body.token as string);
  const session = currentSession();
  if (!session) throw new ApiError(500, 'INTERNAL', 'The sign-in returned a token this page cannot read.');
  return session;
}

export async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
  const session = currentSession();
  if (!session) throw new ApiError(401, 'UNAUTHENTICATED', 'Your session ended: sign in again.');
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return parse(response);
}
