import { describe, expect, it } from 'vitest';
import { ROUTE_ROLES_ENV } from '#platform/aws/resource-env.ts';
import { ROUTES } from '../../lib/catalog.ts';
import { synthesizeShippedStages } from './synthesize.ts';

const { dev } = synthesizeShippedStages();
type Resources = Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;

/** Function id → the route roles its environment carries. */
function routeRolesByFunction(): Map<string, Record<string, string[]>> {
  const functions = dev.template.findResources('AWS::Lambda::Function') as Resources;
  const told = new Map<string, Record<string, string[]>>();
  for (const [logicalId, { Properties }] of Object.entries(functions)) {
    const raw = Properties.Environment?.Variables?.[ROUTE_ROLES_ENV];
    if (typeof raw === 'string') told.set(logicalId.replace(/Handler[0-9A-F]{8}$/, ''), JSON.parse(raw));
  }
  return told;
}

describe('route roles in the template', () => {
  it('tells each API function exactly the roles of the routes it serves, and no other function any', () => {
    const told = routeRolesByFunction();
    const expected = new Map<string, Record<string, string[]>>();
    for (const route of ROUTES) {
      const served = expected.get(route.functionId) ?? {};
      served[`${route.method} ${route.path}`] = [...route.roles];
      expected.set(route.functionId, served);
    }
    expect(Object.fromEntries(told)).toEqual(Object.fromEntries(expected));
  });
});
