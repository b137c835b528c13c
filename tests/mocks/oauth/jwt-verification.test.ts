import { createHmac, createPublicKey } from 'node:crypto';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthMock, TEST_TOKEN_VARIANTS, type TestTokenVariant } from '../../../mock-servers/oauth/index.ts';
import { controlFetch, listenMock } from '../../../mock-servers/shared/index.ts';

const AUDIENCE = 'integration-lab-api';

/** What a careful resource server does: key by kid from the JWKS, RS256 only, issuer and audience pinned. */
function verifyLikeAResourceServer(token: string, issuer: string): Promise<JwtPayload> {
  const jwks = jwksRsa({ jwksUri: `${issuer}/.well-known/jwks.json`, cache: false });
  return new Promise((resolve, reject) => {
    jwt.verify(
      token,
      (header, callback) => {
        jwks.getSigningKey(header.kid).then((key) => callback(null, key.getPublicKey()), callback);
      },
      { algorithms: ['RS256'], issuer, audience: AUDIENCE },
      (err, payload) => (err ? reject(err) : resolve(payload as JwtPayload)),
    );
  });
}

async function clientCredentials(url: string, id: string, secret: string, scope?: string) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body, // fetch sets application/x-www-form-urlencoded for URLSearchParams
  });
  return { res, json: (await res.json()) as Record<string, unknown> };
}

async function mint(server: { url: string; controlToken: string }, request: Record<string, unknown>): Promise<string> {
  const res = await controlFetch(server, '/_control/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('RS256 issuer verified through its JWKS', () => {
  const oauth = createOAuthMock({ tokenTtlSeconds: 600 });
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(oauth);
  });
  afterAll(() => server.close());

  it('issues a Bearer JWT whose claims describe the client', async () => {
    const { res, json } = await clientCredentials(
      server.url,
      'lab-client',
      'lab-client-secret',
      'tracking:read shipments:read',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'tracking:read shipments:read' });
    const claims = await verifyLikeAResourceServer(json.access_token as string, server.url);
    expect(claims).toMatchObject({ iss: server.url, sub: 'lab-client', aud: AUDIENCE, roles: ['dispatcher'] });
    expect(claims.scope).toBe('tracking:read shipments:read');
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(jwt.decode(json.access_token as string, { complete: true })?.header.kid).toBe(
      oauth.control.keys().currentKid,
    );
  });

  it('publishes the key as a JWK with kid, alg and use', async () => {
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: oauth.control.keys().currentKid });
    expect(jwks.keys[0]).not.toHaveProperty('d'); // never the private part
    const meta = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(meta).toMatchObject({
      issuer: server.url,
      token_endpoint: `${server.url}/oauth/token`,
      jwks_uri: `${server.url}/.well-known/jwks.json`,
    });
  });

  it('falls back to the default scopes when none are requested', async () => {
    const { json } = await clientCredentials(server.url, 'lab-client', 'lab-client-secret');
    expect(json.scope).toBe('shipments:read');
  });

  it('a minted "valid" test token verifies like an issued one', async () => {
    const token = await mint(server, { clientId: 'lab-admin' });
    await expect(verifyLikeAResourceServer(token, server.url)).resolves.toMatchObject({
      sub: 'lab-admin',
      roles: ['admin'],
    });
  });

  const rejections: Record<Exclude<TestTokenVariant, 'valid'>, RegExp> = {
    expired: /jwt expired/,
    'not-yet-valid': /jwt not active/,
    'wrong-audience': /jwt audience invalid/,
    'wrong-issuer': /jwt issuer invalid/,
    'alg-none': /jwt signature is required|invalid algorithm/,
    'hs256-public-key': /invalid algorithm/,
    'unknown-key': /Unable to find a signing key/,
    tampered: /invalid signature/,
  };
  it('names a rejection for every forged variant', () => {
    expect(Object.keys(rejections).sort()).toEqual(TEST_TOKEN_VARIANTS.filter((v) => v !== 'valid').sort());
  });
  for (const [variant, reason] of Object.entries(rejections)) {
    it(`a careful verifier rejects the "${variant}" token`, async () => {
      const token = await mint(server, { variant, clientId: 'lab-client' });
      await expect(verifyLikeAResourceServer(token, server.url)).rejects.toThrow(reason);
    });
  }

  it('the algorithm-confusion forgery is a real HMAC keyed with the published public key', async () => {
    // This is what makes the attack work against a verifier that trusts the header's alg: the "secret" is public.
    const token = await mint(server, { variant: 'hs256-public-key', clientId: 'lab-client' });
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: object[] };
    const pem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    expect(createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
    // and jsonwebtoken, handed the PEM as an HMAC secret by a naive verifier, refuses it (v9 guards against this)
    expect(() => jwt.verify(token, pem.toString(), { algorithms: ['HS256'] })).toThrow();
  });

  it('the tampered token carries an admin role its signature does not cover', async () => {
    const token = await mint(server, { variant: 'tampered', clientId: 'lab-client' });
    expect((jwt.decode(token) as JwtPayload).roles).toEqual(['dispatcher', 'admin']);
  });

  it('after a rotation old tokens still verify and new ones carry the new kid', async () => {
    const before = await clientCredentials(server.url, 'lab-client', 'lab-client-secret');
    const oldKid = oauth.control.keys().currentKid;
    const rotated = await controlFetch(server, '/_control/keys/rotate', { method: 'POST' });
    expect(rotated.status).toBe(200);
    const keys = (await rotated.json()) as { currentKid: string; retiredKids: { kid: string }[] };
    expect(keys.currentKid).not.toBe(oldKid);
    expect(keys.retiredKids.map((k) => k.kid)).toEqual([oldKid]);
    const after = await clientCredentials(server.url, 'lab-client', 'lab-client-secret');
    expect(jwt.decode(after.json.access_token as string, { complete: true })?.header.kid).toBe(keys.currentKid);
    await expect(verifyLikeAResourceServer(before.json.access_token as string, server.url)).resolves.toBeTruthy();
    await expect(verifyLikeAResourceServer(after.json.access_token as string, server.url)).resolves.toBeTruthy();

    // A rotation without keeping the previous key strands the tokens it signed.
    await controlFetch(server, '/_control/keys/rotate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"keepPrevious":false}',
    });
    await expect(verifyLikeAResourceServer(after.json.access_token as string, server.url)).rejects.toThrow(
      /Unable to find a signing key/,
    );
  });
});

describe('retired keys leave the JWKS after the retention time', () => {
  it('drops the old key once keyRetentionSeconds have passed', async () => {
    const oauth = createOAuthMock({ keyRetentionSeconds: 1 });
    oauth.control.rotateKey();
    expect(oauth.control.jwks().keys).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1200));
    expect(oauth.control.jwks().keys).toHaveLength(1);
  });
});

describe('HS256 mode', () => {
  const oauth = createOAuthMock({
    mode: 'HS256',
    seed: 'hs-test',
    issuer: 'https://issuer.lab.example',
    audience: 'orders',
  });
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(oauth);
  });
  afterAll(() => server.close());

  it('signs with the shared secret from the control API and publishes no keys', async () => {
    const { secret } = (await (await controlFetch(server, '/_control/keys')).json()) as { secret: string };
    expect(secret).toBe(createOAuthMock({ mode: 'HS256', seed: 'hs-test' }).control.sharedSecret()); // seeded
    const { json } = await clientCredentials(server.url, 'lab-admin', 'lab-admin-secret', 'admin');
    const claims = jwt.verify(json.access_token as string, secret, {
      algorithms: ['HS256'],
      issuer: 'https://issuer.lab.example',
      audience: 'orders',
    }) as JwtPayload;
    expect(claims).toMatchObject({ sub: 'lab-admin', scope: 'admin', roles: ['admin'] });
    expect(((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys).toEqual(
      [],
    );
  });

  it('refuses the RS256-only forgery with a 409 in our envelope', async () => {
    const res = await controlFetch(server, '/_control/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"variant":"hs256-public-key"}',
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('wrong_mode');
  });

  it('rotation replaces the secret, so old tokens stop verifying', async () => {
    const old = oauth.control.sharedSecret();
    const token = oauth.control.mintToken().access_token;
    oauth.control.rotateKey();
    expect(oauth.control.sharedSecret()).not.toBe(old);
    expect(() => jwt.verify(token, oauth.control.sharedSecret(), { algorithms: ['HS256'] })).toThrow(
      /invalid signature/,
    );
  });
});
