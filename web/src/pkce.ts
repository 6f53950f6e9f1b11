/**
 * Sign-in at the stack's Cognito hosted UI with the authorization-code flow and PKCE (RFC 7636):
 * the page is a public client, so a one-time verifier, not a secret, proves the code is its own.
 * Pure functions over fetch and Web Crypto, so they run the same in the page and in a unit test.
 */

export interface HostedSignIn {
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  readonly domain: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh random string of 43 URL-safe characters (32 random bytes). */
export function randomToken(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** S256: BASE64URL(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

export async function authorizeUrl(config: HostedSignIn, verifier: string, state: string): Promise<string> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: await codeChallenge(verifier),
  });
  return `${config.domain}/oauth2/authorize?${query}`;
}

/** Trades the code for tokens at the token endpoint; returns the ID token the API's authorizer takes. */
export async function exchangeCode(
  config: HostedSignIn,
  code: string,
  verifier: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const response = await fetchImpl(`${config.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string };
  if (!response.ok || typeof body.id_token !== 'string')
    throw new Error(`The sign-in could not be completed (${body.error ?? response.status}); sign in again.`);
  return body.id_token;
}
