import type * as z from 'zod';
import { TollgateError } from '#platform/core/errors.ts';
import type { Principal } from '#platform/core/principal.ts';
import { SIGN_OFF_ROLES } from '#platform/trust/core/score.ts';

/** Parses a body with its schema; the first problem becomes a 400 that says what to send. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, shape: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new TollgateError(
    'VALIDATION_FAILED',
    `${issue?.path.join('.') || 'body'}: ${issue?.message}. Send ${shape}.`,
  );
}

/** The role under which the caller changes an agent's authority: controller first, then platform admin. */
export function signOffRole(principal: Principal): string {
  const role = SIGN_OFF_ROLES.find((r) => principal.roles.includes(r));
  if (!role)
    throw new TollgateError(
      'FORBIDDEN',
      `Only ${SIGN_OFF_ROLES.join(' or ')} may change an agent's authority; you are signed in as ${principal.roles.join(', ') || 'no role'}.`,
    );
  return role;
}
