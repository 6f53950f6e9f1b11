import { describe, expect, it } from 'vitest';
import { catalogFunctions, ROUTES } from '../../../lib/catalog.ts';
import { matchRoute } from '../../../local/api-gateway-local.ts';

describe('local route matching', () => {
  it('finds the catalog route and its path parameters', () => {
    const matched = matchRoute('POST', '/runbooks/deployment-check/executions');
    expect(matched?.route.functionId).toBe('StartExecution');
    expect(matched?.pathParameters).toEqual({ runbook: 'deployment-check' });
  });

  it('does not match another method or a longer path', () => {
    expect(matchRoute('GET', '/runbooks/deployment-check/executions')).toBeUndefined();
    expect(matchRoute('GET', '/executions/abc/extra')).toBeUndefined();
  });

  it('every route is served by a catalog function', () => {
    for (const route of ROUTES) expect(catalogFunctions().map((f) => f.id)).toContain(route.functionId);
  });
});
