import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRole, ROLES, type Role } from '#platform/core/roles.ts';

/**
 * Local sign-in. Dev tokens are ES256 JWTs signed by a key kept in the data folder, carrying
 * the claims a Cognito ID token carries; the local API verifies them where API Gateway's
 * Cognito authorizer sits and hands the handlers the same claims.
 */
export interface DemoUser {
  readonly username: string;
  readonly role: Role;
  readonly displayName: string;
}

/** Two of each approving role, so "the requester never approves" can be exercised locally. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'avery.clerk', role: 'ap_clerk', displayName: 'Avery (AP clerk)' },
  { username: 'blake.clerk', role: 'ap_clerk', displayName: 'Blake (AP clerk)' },
  { username: 'casey.controller', role: 'controller', displayName: 'Casey (controller)' },
  { username: 'dana.controller', role: 'controller', displayName: 'Dana (controller)' },
  { username: 'emery.fpa', role: 'fpa', displayName: 'Emery (FP&A)' },
  { username: 'finley.auditor', role: 'auditor', displayName: 'Finley (auditor)' },
  { username: 'gray.admin', role: 'platform_admin', displayName: 'Gray (platform admin)' },
];

export const LOCAL_ISSUER = 'tollgate-local-user-pool';
export const LOCAL_AUDIENCE = 'tollgate-local-client';
const TOKEN_LIFETIME_SECONDS = 8 * 3600;

export class DevTokenError extends Error {
  readonly code: 'UNKNOWN_USER' | 'ROLE_NOT_HELD' | 'UNKNOWN_ROLE';
  constructor(code: DevTokenError['code'], message: string) {
    super(message);
    this.name = 'DevTokenError';
    this.code = code;
  }
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Loads the local signing key from the data folder, creating it on first use. */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'dev-token-signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 16);
  return { kid, privateKey, publicKey };
}

/** A stable subject per demo user, shaped like a Cognito `sub`. */
export function demoSubject(username: string): string {
  const h = createHash('sha256').update(`tollgate-demo:${username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function issueDevToken(key: SigningKey, username: string, role?: string, now = new Date()): string {
  const user = DEMO_USERS.find((u) => u.username === username);
  if (!user) {
    throw new DevTokenError(
      'UNKNOWN_USER',
      `There is no demo user "${username}". Pick one of: ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}.`,
    );
  }
  if (role !== undefined && !isRole(role)) {
    throw new DevTokenError('UNKNOWN_ROLE', `"${role}" is not a role. Roles: ${ROLES.join(', ')}.`);
  }
  if (role !== undefined && role !== user.role) {
    throw new DevTokenError(
      'ROLE_NOT_HELD',
      `${username} holds the role ${user.role}, not ${role}. Users with ${role}: ${DEMO_USERS.filter(
        (u) => u.role === role,
      )
        .map((u) => u.username)
        .join(', ')}.`,
    );
  }
  const iat = Math.floor(now.getTime() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: key.kid };
  const claims = {
    sub: demoSubject(user.username),
    'cognito:username': user.username,
    'cognito:groups': [user.role],
    email: `${user.username}@example.com`,
    email_verified: true,
    name: user.displayName,
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    token_use: 'id',
    auth_time: iat,
    iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
  };
  const signingInput = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Verifies a token and returns the claims as API Gateway's Cognito authorizer passes them to
 * a REST API handler: every value a string, groups joined by commas. Undefined when invalid.
 */
export function verifyDevToken(
  key: SigningKey,
  token: string,
  now = new Date(),
): Record<string, string> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (header.alg !== 'ES256' || header.kid !== key.kid) return undefined;
  const valid = verify(
    'sha256',
    Buffer.from(`${headerPart}.${claimsPart}`),
    { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) return undefined;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return undefined;
  if (claims.iss !== LOCAL_ISSUER || claims.aud !== LOCAL_AUDIENCE || claims.token_use !== 'id')
    return undefined;
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
  );
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
