import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  demoSubject,
  issueDevToken,
  loadOrCreateSigningKey,
  verifyDevToken,
} from '../../../local/dev-identity.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-identity-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const key = loadOrCreateSigningKey(dataDir);

describe('dev tokens', () => {
  it('carry the claims a Cognito ID token carries, as API Gateway passes them to handlers', () => {
    const claims = verifyDevToken(key, issueDevToken(key, 'casey.controller'));
    expect(claims).toMatchObject({
      sub: demoSubject('casey.controller'),
      'cognito:username': 'casey.controller',
      'cognito:groups': 'controller',
      token_use: 'id',
    });
  });

  it('are verified by the same key after it is reloaded from the data folder', () => {
    const token = issueDevToken(key, 'avery.clerk');
    expect(verifyDevToken(loadOrCreateSigningKey(dataDir), token)).toBeDefined();
  });

  it('are refused when the claims are altered, the signature is from another key, or they expired', () => {
    const token = issueDevToken(key, 'avery.clerk');
    const [header, , signature] = token.split('.');
    const forgedClaims = Buffer.from(JSON.stringify({ sub: 'x', 'cognito:groups': ['controller'] })).toString(
      'base64url',
    );
    const otherKey = loadOrCreateSigningKey(mkdtempSync(join(tmpdir(), 'tollgate-identity-other-')));
    expect(verifyDevToken(key, `${header}.${forgedClaims}.${signature}`)).toBeUndefined();
    expect(verifyDevToken(key, issueDevToken(otherKey, 'avery.clerk'))).toBeUndefined();
    expect(verifyDevToken(key, token, new Date(Date.now() + 9 * 3600 * 1000))).toBeUndefined();
    expect(verifyDevToken(key, 'not-a-token')).toBeUndefined();
  });
});
