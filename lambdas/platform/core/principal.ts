import { TollgateError } from './errors.ts';
import { isRole, type Role } from './roles.ts';

/** The person (or service) behind a request, as the identity provider vouched for them. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly email?: string;
  readonly roles: readonly Role[];
}

/**
 * Reads the claims API Gateway's Cognito authorizer places on the request. REST APIs pass
 * `cognito:groups` as one string: comma-separated, or bracketed and space-separated.
 */
export function principalFromClaims(claims: Readonly<Record<string, unknown>> | undefined): Principal {
  const userId = typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!claims || !userId) {
    throw new TollgateError(
      'UNAUTHENTICATED',
      'Sign in and send the bearer token in the Authorization header.',
    );
  }
  const username = String(claims['cognito:username'] ?? claims.username ?? userId);
  const rawGroups = claims['cognito:groups'];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.map(String)
    : typeof rawGroups === 'string'
      ? rawGroups
          .replace(/^\[|\]$/g, '')
          .split(/[,\s]+/)
          .filter(Boolean)
      : [];
  const roles = [...new Set(groups.filter(isRole))];
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  return email === undefined ? { userId, username, roles } : { userId, username, email, roles };
}

export function requireAnyRole(principal: Principal, allowed: readonly Role[], action: string): void {
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new TollgateError(
      'FORBIDDEN',
      `Only ${allowed.join(', ')} may ${action}; you are signed in as ${principal.roles.join(', ') || 'no role'}.`,
    );
  }
}
