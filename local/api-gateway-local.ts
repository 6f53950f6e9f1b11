import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  bodyLimitFor,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '../lambdas/platform/documents/core/body-limits.ts';
import { ROUTES, type RouteDefinition } from '../lib/catalog.ts';
import { type SigningKey, verifyDevToken } from './dev-identity.ts';
import { type FunctionHost, LOCAL_ACCOUNT } from './function-host.ts';
import type { WorkRoomSite } from './work-room-site.ts';

interface MatchedRoute {
  readonly route: RouteDefinition;
  readonly pathParameters: Record<string, string>;
}

/**
 * The local API: turns HTTP requests into API Gateway REST proxy events for the handlers
 * behind each catalog route. It does what API Gateway does before a handler runs — match the
 * route, check the Cognito token (here a dev token), validate required headers and the JSON
 * body — and nothing more, so handlers behave as they do behind API Gateway.
 */
export class LocalApiGateway {
  private server: Server | undefined;
  private readonly host: FunctionHost;
  private readonly key: SigningKey;
  /** The work room's page and dev sign-in, served from the API's own origin. */
  private readonly site: WorkRoomSite | undefined;
  private port = 0;

  constructor(host: FunctionHost, key: SigningKey, site?: WorkRoomSite) {
    this.host = host;
    this.key = key;
    this.site = site;
  }

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', resolve);
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const send = (result: APIGatewayProxyResult) => {
      res.writeHead(result.statusCode, {
        ...(result.headers as Record<string, string>),
        'x-amzn-requestid': requestId,
      });
      res.end(result.body);
    };
    const refuse = (statusCode: number, code: string, message: string) =>
      send({
        statusCode,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code, message } }),
      });
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (this.site && (await this.site.serve(req, res, url, this.port))) return;
      const matched = matchRoute(req.method ?? 'GET', url.pathname);
      if (!matched) return refuse(404, 'NOT_FOUND', `No route ${req.method} ${url.pathname}.`);

      const claims = this.authorize(req.headers.authorization);
      if (!claims)
        return refuse(
          401,
          'UNAUTHENTICATED',
          'Send a valid token in the Authorization header (tollgate dev-token --user NAME).',
        );

      const chunks: Buffer[] = [];
      const limit = bodyLimitFor(url.pathname);
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        // The same limit per route as the WAF in front of API Gateway (lambdas/platform/documents/core/body-limits.ts).
        if (size > limit) return refuse(413, PAYLOAD_TOO_LARGE, payloadTooLargeMessage(limit));
        chunks.push(chunk as Buffer);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null;
      const invalid = validate(matched.route, req, body);
      if (invalid) return refuse(400, 'VALIDATION_FAILED', invalid);

      const event = proxyEvent(req, url, matched, claims, body, requestId);
      const result = (await this.host.invoke(matched.route.functionId, event)) as APIGatewayProxyResult;
      send(result);
    } catch (error) {
      refuse(502, 'INTERNAL', `The handler failed: ${(error as Error).message}`);
    }
  }

  private authorize(header: string | undefined): Record<string, string> | undefined {
    if (!header) return undefined;
    const token = header.replace(/^Bearer\s+/i, '').trim();
    return verifyDevToken(this.key, token);
  }
}

export function matchRoute(method: string, pathname: string): MatchedRoute | undefined {
  const segments = pathname.split('/').filter(Boolean);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const template = route.path.split('/').filter(Boolean);
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const ok = template.every((part, i) => {
      const actual = segments[i] as string;
      const param = /^\{(.+)\}$/.exec(part);
      if (param) {
        pathParameters[param[1] as string] = actual;
        return true;
      }
      return part === actual;
    });
    if (ok) return { route, pathParameters };
  }
  return undefined;
}

/** API Gateway's request validator: required headers present, and a JSON object body where one is expected. */
function validate(route: RouteDefinition, req: IncomingMessage, body: string | null): string | undefined {
  for (const header of route.requiredHeaders ?? []) {
    if (!req.headers[header.toLowerCase()]) return `Missing required request header: '${header}'.`;
  }
  if (route.jsonBody && body !== null && body.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return 'The request body must be a JSON object.';
    } catch {
      return 'The request body is not valid JSON.';
    }
  }
  return undefined;
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  matched: MatchedRoute,
  claims: Record<string, string>,
  body: string | null,
  requestId: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const now = new Date();
  return {
    resource: matched.route.path,
    path: url.pathname,
    httpMethod: matched.route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: url.searchParams.size > 0 ? query : null,
    multiValueQueryStringParameters: url.searchParams.size > 0 ? multiQuery : null,
    pathParameters: Object.keys(matched.pathParameters).length > 0 ? matched.pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      authorizer: { claims },
      httpMethod: matched.route.method,
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/local${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: matched.route.path,
      stage: 'local',
    },
  };
}
