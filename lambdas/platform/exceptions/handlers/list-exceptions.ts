import { apiHandler, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import type { Role } from '#platform/core/roles.ts';
import { openExceptions } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { mayReadException, resolvingRole } from '#platform/exceptions/core/exception-access.ts';

const READERS: readonly Role[] = ['ap_clerk', 'controller', 'auditor', 'platform_admin'];
/** Open exceptions read at most per request (oldest first). */
const MAX_LISTED = 500;

/**
 * GET /exceptions?kind= — open exceptions the caller may resolve (auditors and administrators
 * see all), oldest first, with counts per kind.
 */
export const handler = apiHandler(async (request) => {
  if (!request.principal.roles.some((role) => READERS.includes(role)))
    throw new TollgateError('FORBIDDEN', `Exceptions are for ${READERS.join(', ')}.`);
  const kind = request.event.queryStringParameters?.kind;
  if (kind !== undefined && !/^[A-Z][A-Z0-9_]{1,63}$/.test(kind))
    throw new TollgateError('VALIDATION_FAILED', 'kind must be an exception code such as PAYMENT_REJECTED.');
  const visible = (await openExceptions(MAX_LISTED)).filter(
    (exception) =>
      mayReadException(request.principal, exception) && (kind === undefined || exception.kind === kind),
  );
  const byKind: Record<string, number> = {};
  for (const exception of visible) byKind[exception.kind] = (byKind[exception.kind] ?? 0) + 1;
  return json(200, {
    exceptions: visible.map((exception) => ({
      ...exception,
      mayResolve: resolvingRole(request.principal, exception) !== undefined,
    })),
    byKind,
  });
});
