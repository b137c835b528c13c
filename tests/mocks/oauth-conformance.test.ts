// The OAuth mock's access tokens against RFC 9068 (JWT Profile for OAuth 2.0 Access Tokens): header `typ: at+jwt`,
// and the claims the profile requires (iss, exp, aud, sub, client_id, iat, jti), from the real token endpoint; and its
// discovery documents against RFC 8414 and OpenID Connect Discovery 1.0.
import jwt, { type JwtPayload } from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
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

// RFC 8414 §2 (authorization server metadata) and OpenID Connect Discovery 1.0 §3 (provider metadata): every field
// they require, with the right types, and telling the truth: the issuer is the tokens' `iss`, the endpoints answer,
// every advertised grant and client authentication method works, and the JWKS verifies an issued token.
describe('OAuth discovery documents follow RFC 8414 and OIDC Discovery', () => {
  let oauth: StartedMock;
  beforeAll(async () => {
    oauth = await startMock('oauth');
  });
  afterAll(() => oauth.close());

  const REQUIRED_ARRAYS = [
    'response_types_supported', // RFC 8414 and OIDC
    'subject_types_supported', // OIDC
    'id_token_signing_alg_values_supported', // OIDC
    'grant_types_supported', // RFC 8414 default would be ["authorization_code", "implicit"]: must be said
    'token_endpoint_auth_methods_supported', // RFC 8414 default would be client_secret_basic only
  ];

  it.each(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])(
    '%s has every required field and tells the truth',
    async (path) => {
      const res = await fetch(`${oauth.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as Record<string, unknown>;
      // issuer: https or http (a local mock) URL with no query or fragment, identical to the tokens' `iss`.
      expect(doc.issuer).toBe(oauth.url);
      const issuer = new URL(String(doc.issuer));
      expect(issuer.search + issuer.hash).toBe('');
      for (const field of ['token_endpoint', 'jwks_uri']) {
        expect(typeof doc[field], field).toBe('string');
        expect(new URL(String(doc[field])).origin, field).toBe(issuer.origin);
      }
      for (const field of REQUIRED_ARRAYS) {
        expect(Array.isArray(doc[field]), field).toBe(true);
        expect(
          (doc[field] as unknown[]).every((v) => typeof v === 'string'),
          field,
        ).toBe(true);
      }
      // Only the client-credentials grant: no grant uses the authorization endpoint, so it is rightly absent.
      expect(doc.grant_types_supported).toEqual(['client_credentials']);
      expect(doc.authorization_endpoint).toBeUndefined();
      expect(doc.response_types_supported).toEqual([]);
      expect(doc.subject_types_supported).toEqual(['public']);
      // OIDC: RS256 MUST be included.
      expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
      expect(doc.scopes_supported).toEqual(expect.arrayContaining(['shipments:read', 'tracking:read']));

      // Every advertised client authentication method gets a token, which the JWKS verifies with the issuer.
      const jwks = jwksRsa({ jwksUri: String(doc.jwks_uri) });
      for (const method of doc.token_endpoint_auth_methods_supported as string[]) {
        const basic = method === 'client_secret_basic';
        const form = new URLSearchParams({ grant_type: 'client_credentials' });
        if (!basic) form.set('client_id', 'lab-client');
        if (!basic) form.set('client_secret', 'lab-client-secret');
        const token = await fetch(String(doc.token_endpoint), {
          method: 'POST',
          headers: basic
            ? { authorization: `Basic ${Buffer.from('lab-client:lab-client-secret').toString('base64')}` }
            : {},
          body: form,
        });
        expect(token.status, method).toBe(200);
        const { access_token } = (await token.json()) as { access_token: string };
        const header = JSON.parse(Buffer.from(access_token.split('.')[0]!, 'base64url').toString()) as {
          kid: string;
          typ: string;
        };
        expect(header.typ, method).toBe('at+jwt');
        const key = (await jwks.getSigningKey(header.kid)).getPublicKey();
        const verified = jwt.verify(access_token, key, {
          issuer: String(doc.issuer),
          algorithms: doc.id_token_signing_alg_values_supported as jwt.Algorithm[],
        }) as JwtPayload;
        expect(verified.client_id, method).toBe('lab-client');
      }
    },
  );
});
