import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { requireEnv, runbookVersionEnv } from '#platform/aws/resource-env.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import { getException, resolveException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { resolvingRole } from '#platform/exceptions/core/exception-access.ts';

const body = z.strictObject({
  resolution: z.string().trim().min(3, 'say what was done').max(1000),
});

/**
 * POST /exceptions/{exceptionId}/resolution — a person with the exception's role (a controller
 * for an AP clerk's) says what was done about it. Resolved once; the resolution is evidence
 * under the run that found the problem.
 */
export const handler = apiHandler(async (request) => {
  const exceptionId = request.pathParameter('exceptionId');
  const parsed = body.safeParse(request.jsonBody());
  if (!parsed.success)
    throw new TollgateError(
      'VALIDATION_FAILED',
      `${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message}. Send {"resolution": "what was done"}.`,
    );
  const exception = await getException(exceptionId);
  if (!exception) throw new TollgateError('NOT_FOUND', `There is no exception ${exceptionId}.`);
  const role = resolvingRole(request.principal, exception);
  if (!role)
    throw new TollgateError(
      'FORBIDDEN',
      `Exception ${exceptionId} needs ${exception.requiredRole}; you are signed in as ${request.principal.roles.join(', ') || 'no role'}.`,
    );
  if (exception.status !== 'OPEN')
    throw new TollgateError(
      'CONFLICT',
      `Exception ${exceptionId} was already resolved by ${exception.resolvedBy}.`,
    );
  const at = new Date().toISOString();
  const receipt = await evidenceWriter().append({
    recordType: 'action',
    runbook: exception.runbook,
    runbookVersion: requireEnv(runbookVersionEnv(exception.runbook)),
    executionId: exception.executionId,
    eventKey: `Exception/${exceptionId}/resolved`,
    actor: { kind: 'person', id: request.principal.username, role },
    details: {
      action: 'exception_resolved',
      exceptionId,
      kind: exception.kind,
      resolution: parsed.data.resolution,
    },
    ...(exception.amount && exception.currency
      ? { business: { amount: exception.amount, currency: exception.currency } }
      : {}),
  });
  // Evidence first: a resolution that could not be recorded is not made.
  const resolved = await resolveException(exceptionId, {
    by: request.principal.username,
    role,
    text: parsed.data.resolution,
    at,
  });
  if (!resolved) throw new TollgateError('CONFLICT', `Exception ${exceptionId} was resolved meanwhile.`);
  return json(200, {
    exceptionId,
    status: 'RESOLVED',
    resolvedBy: request.principal.username,
    resolvedAt: at,
    evidence: receipt.key,
  });
});
