import { describe, expect, it } from 'vitest';
import { authorizeUrl, codeChallenge, exchangeCode, randomToken } from '../../../web/src/pkce.ts';

const config = {
  domain: 'https://tollgate-dev.auth.eu-west-1.amazoncognito.com',
  clientId: 'client-123',
  redirectUri: 'https://work-room.example.com/',
};

describe('the work room sign-in with PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    // Act
    const challenge = await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');

    // Assess
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('sends the hosted UI a code request with the challenge, never the verifier', async () => {
    // Prepare
    const verifier = randomToken();

    // Act
    const url = new URL(await authorizeUrl(config, verifier, 'state-1'));

    // Assess
    expect(verifier).toMatch(/^[\w-]{43}$/);
    expect(`${url.origin}${url.pathname}`).toBe(`${config.domain}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-123',
      redirect_uri: 'https://work-room.example.com/',
      scope: 'openid email profile',
      state: 'state-1',
      code_challenge_method: 'S256',
      code_challenge: await codeChallenge(verifier),
    });
    expect(url.toString()).not.toContain(verifier);
  });

  it('trades the code with its verifier at the token endpoint and keeps only the ID token', async () => {
    // Prepare: Cognito cannot run here; the boundary is the token endpoint's request and answer
    const sent: { url: string; init: RequestInit }[] = [];
    const cognito = (async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return new Response(JSON.stringify({ id_token: 'id.jwt.sig', access_token: 'a', refresh_token: 'r' }), {
        status: 200,
      });
    }) as unknown as typeof fetch;

    // Act
    const token = await exchangeCode(config, 'code-9', 'verifier-9', cognito);

    // Assess
    expect(token).toBe('id.jwt.sig');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(`${config.domain}/oauth2/token`);
    expect(sent[0]?.init.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(sent[0]?.init.body as string))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client-123',
      code: 'code-9',
      redirect_uri: 'https://work-room.example.com/',
      code_verifier: 'verifier-9',
    });
  });

  it('refuses an answer without an ID token', async () => {
    // Prepare
    const refusing = (async () =>
      new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 })) as unknown as typeof fetch;

    // Act
    const outcome = exchangeCode(config, 'code-9', 'wrong', refusing);

    // Assess
    await expect(outcome).rejects.toThrow('invalid_grant');
  });
});
