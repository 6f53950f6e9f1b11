import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '#platform/aws/logger.ts';
import { ROUTE_ROLES_ENV } from '#platform/aws/resource-env.ts';
import { type ErrorCode, TollgateError } from '#platform/core/errors.ts';
import { type Principal, principalFromClaims } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';

/** The one HTTP layer: every API handler is wrapped by `apiHandler`, so errors look the same on every route. */
const STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  OVER_APPROVAL_LIMIT: 403,
  APPROVAL_AMOUNT_MISSING: 409,
  CURRENCY_NOT_PAYABLE: 409,
  UNKNOWN_RUNBOOK: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INSUFFICIENT_FUNDS: 409,
  AGENT_LIMIT_EXCEEDED: 409,
  HOLD_NOT_OPEN: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  BANK_FILE_INVALID: 422,
  EINVOICE_INVALID: 400,
  EINVOICE_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  UNKNOWN_AGENT: 400,
  INTERNAL: 500,
};

export interface ApiRequest {
  readonly event: APIGatewayProxyEvent;
  readonly principal: Principal;
  header(name: string): string | undefined;
  pathParameter(name: string): string;
  /** The JSON body; an absent body is `{}`. */
  jsonBody(): unknown;
}

export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function json(statusCode: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return headers ? { statusCode, body, headers } : { statusCode, body };
}

let routeRoles: { raw: string; map: Readonly<Record<string, readonly string[]>> } | undefined;

/**
 * Refuses a caller whose roles the route does not admit (ROUTE_ROLES_ENV). A function told its
 * routes and called on one it was not told of refuses too: an unconfigured route is never open.
 */
function admitRole(routeKey: string, principal: Principal): void {
  const raw = process.env[ROUTE_ROLES_ENV];
  if (!raw) return;
  if (routeRoles?.raw !== raw) routeRoles = { raw, map: JSON.parse(raw) };
  const admitted = routeRoles.map[routeKey];
  if (!admitted?.some((role) => principal.roles.includes(role as Role)))
    throw new TollgateError(
      'FORBIDDEN',
      admitted
        ? `${routeKey} is for ${admitted.join(', ')}; you are signed in as ${principal.roles.join(', ') || 'no role'}.`
        : `${routeKey} is not a route this function serves.`,
    );
}

export function apiHandler(
  route: (request: ApiRequest) => Promise<ApiResponse>,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({
      requestId: event.requestContext?.requestId,
      route: `${event.httpMethod} ${event.resource}`,
    });
    try {
      const principal = principalFromClaims(
        event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined,
      );
      logger.appendKeys({ userId: principal.userId });
      admitRole(`${event.httpMethod} ${event.resource}`, principal);
      const response = await route(buildRequest(event, principal));
      logger.info('request completed', { statusCode: response.statusCode });
      return toResult(response);
    } catch (error) {
      if (error instanceof TollgateError) {
        const statusCode = STATUS[error.code];
        logger.info('request refused', { statusCode, code: error.code });
        return toResult(
          json(statusCode, { error: { code: error.code, message: error.message, ...error.details } }),
        );
      }
      logger.error('request failed', error as Error);
      return toResult(
        json(500, {
          error: {
            code: 'INTERNAL',
            message: `Something failed on our side; quote request id ${event.requestContext?.requestId ?? 'unknown'} to your platform team.`,
          },
        }),
      );
    } finally {
      logger.resetKeys();
    }
  };
}

function buildRequest(event: APIGatewayProxyEvent, principal: Principal): ApiRequest {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    event,
    principal,
    header: (name) => headers[name.toLowerCase()] ?? undefined,
    pathParameter: (name) => {
      const value = event.pathParameters?.[name];
      if (value === undefined) throw new TollgateError('VALIDATION_FAILED', `The path is missing {${name}}.`);
      try {
        return decodeURIComponent(value);
      } catch {
        throw new TollgateError(
          'VALIDATION_FAILED',
          `The path segment {${name}} is not valid percent-encoding.`,
        );
      }
    },
    jsonBody: () => {
      if (event.body === null || event.body === undefined || event.body.trim() === '') return {};
      const contentType = headers['content-type'];
      if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
        throw new TollgateError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the body as JSON with Content-Type: application/json.',
        );
      }
      const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new TollgateError(
          'MALFORMED_JSON',
          'The request body is not valid JSON; fix it and send it again.',
        );
      }
    },
  };
}

function toResult(response: ApiResponse): APIGatewayProxyResult {
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...response.headers },
    body: JSON.stringify(response.body),
  };
}
