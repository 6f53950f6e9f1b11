import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { apiHandler, json } from '#platform/api/http.ts';
import { ROUTE_ROLES_ENV } from '#platform/aws/resource-env.ts';

// The Cognito authorizer proves who the caller is; the route's roles are enforced by the
// handler wrapper, so a role a route does not admit never reaches the route's code.
const reached: string[] = [];
const handler = apiHandler(async (request) => {
  reached.push(request.principal.username);
  return json(200, { ok: true });
});

function call(method: string, resource: string, groups: string) {
  const event = {
    httpMethod: method,
    resource,
    headers: {},
    queryStringParameters: null,
    pathParameters: null,
    body: null,
    requestContext: {
      requestId: 'req-1',
      authorizer: {
        claims: { sub: `sub-${groups}`, 'cognito:username': `user-${groups}`, 'cognito:groups': groups },
      },
    },
  } as unknown as APIGatewayProxyEvent;
  return handler(event, { functionName: 'test' } as Context);
}

afterEach(() => {
  delete process.env[ROUTE_ROLES_ENV];
  reached.length = 0;
});

describe('route roles', () => {
  it('admits a role the route names and refuses any other before the route runs', async () => {
    process.env[ROUTE_ROLES_ENV] = JSON.stringify({ 'GET /approvals': ['ap_clerk', 'controller'] });

    const clerk = await call('GET', '/approvals', 'ap_clerk');
    const fpa = await call('GET', '/approvals', 'fpa');
    const auditor = await call('GET', '/approvals', 'auditor');

    expect(clerk.statusCode).toBe(200);
    expect(fpa.statusCode).toBe(403);
    expect(JSON.parse(auditor.body).error).toMatchObject({ code: 'FORBIDDEN' });
    expect(reached).toEqual(['user-ap_clerk']);
  });

  it('refuses a route the function was not told of: an unconfigured route is never open', async () => {
    process.env[ROUTE_ROLES_ENV] = JSON.stringify({ 'GET /approvals': ['controller'] });

    const other = await call('POST', '/approvals/{approvalId}/decision', 'controller');

    expect(other.statusCode).toBe(403);
    expect(JSON.parse(other.body).error.message).toMatch(/not a route this function serves/);
    expect(reached).toEqual([]);
  });

  it('still asks for a signed-in caller first', async () => {
    process.env[ROUTE_ROLES_ENV] = JSON.stringify({ 'GET /approvals': ['controller'] });
    const event = {
      httpMethod: 'GET',
      resource: '/approvals',
      requestContext: {},
    } as unknown as APIGatewayProxyEvent;

    const anonymous = await handler(event, { functionName: 'test' } as Context);

    expect(anonymous.statusCode).toBe(401);
  });
});
