// The OAuth mock's access tokens against RFC 9068 (JWT Profile for OAuth 2.0 Access Tokens): header `typ: at+jwt`,
// and the claims the profile requires (iss, exp, aud, sub, client_id, iat, jti), from the real token endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

const part = (token: string, i: number) =>
  JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString()) as Record<string, unknown>;

describe('OAuth access tokens follow RFC 9068', () => {
  let oauth: StartedMock;
  beforeAll(async () => {
    oauth = await startMock('oauth');
  });
  afterAll(() => oauth.close());

  it('typ at+jwt and every required claim, with the right types', async () => {
    const res = await fetch(`${oauth.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('lab-client:lab-client-secret').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const token = (JSON.parse(text) as { access_token: string }).access_token;
    expect(part(token, 0)).toMatchObject({ typ: 'at+jwt', alg: 'RS256', kid: expect.any(String) });
    const claims = part(token, 1);
    for (const name of ['iss', 'sub', 'client_id', 'jti']) expect(typeof claims[name], name).toBe('string');
    for (const name of ['exp', 'iat']) expect(Number.isInteger(claims[name]), name).toBe(true);
    expect(typeof claims.aud === 'string' || Array.isArray(claims.aud), 'aud').toBe(true);
    expect(claims.iss).toBe(oauth.url);
  });
});
