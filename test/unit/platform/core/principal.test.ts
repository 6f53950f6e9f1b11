import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '#platform/core/principal.ts';

describe('principalFromClaims', () => {
  it.each([
    ['comma-separated', 'ap_clerk,controller'],
    ['bracketed', '[ap_clerk controller]'],
    ['an array', ['ap_clerk', 'controller']],
  ])('reads cognito:groups given as %s', (_form, groups) => {
    const principal = principalFromClaims({
      sub: 'u-1',
      'cognito:username': 'avery',
      'cognito:groups': groups,
    });
    expect(principal).toEqual({ userId: 'u-1', username: 'avery', roles: ['ap_clerk', 'controller'] });
  });

  it('keeps only known roles', () => {
    const principal = principalFromClaims({ sub: 'u-1', 'cognito:groups': 'admins,auditor,cfo' });
    expect(principal.roles).toEqual(['auditor']);
  });

  it('refuses a request without a subject', () => {
    expect(() => principalFromClaims({ 'cognito:groups': 'auditor' })).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
    expect(() => principalFromClaims(undefined)).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
  });
});
