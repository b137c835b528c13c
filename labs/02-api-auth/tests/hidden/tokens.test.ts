import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import type { TestTokenVariant } from '../../../../mock-servers/oauth/index.ts';
import { bearer, expectBearer401, expectEnvelope, mintToken, oauthControl } from '../oauth.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

/** A forged or broken token must get 401; the same claims in a valid token must get 200 (so "refuse all" fails). */
async function expectRefused(variants: TestTokenVariant[]): Promise<void> {
  const good = mintToken(run, { scope: ['orders:read'] });
  const ok = await http(`${run.url}/v1/orders`, { headers: bearer(good) });
  expect(ok.status, `a valid token is accepted (body: ${ok.text.slice(0, 200)})`).toBe(200);
  for (const variant of variants) {
    const token = mintToken(run, { variant, scope: ['orders:read'] });
    expectBearer401(await http(`${run.url}/v1/orders`, { headers: bearer(token) }), `a token of kind "${variant}"`);
  }
}

graded('An expired token answers 401', {
  points: 2,
  hint: 'jwt.verify checks exp for you: do not pass ignoreExpiration, and turn TokenExpiredError into 401 invalid_token.',
}, async () => {
  await expectRefused(['expired']);
});

graded('A token that is not valid yet (nbf in the future) answers 401', {
  points: 1,
  hint: 'jwt.verify also checks nbf (NotBeforeError); a small clockTolerance is fine, an hour is not.',
}, async () => {
  await expectRefused(['not-yet-valid']);
});

graded('A token for another audience answers 401', {
  points: 2,
  hint: 'Pass audience: OAUTH_AUDIENCE to jwt.verify: a token the issuer minted for some other API must not open yours.',
}, async () => {
  await expectRefused(['wrong-audience']);
});

graded('A token from another issuer answers 401', {
  points: 2,
  hint: 'Pass issuer: OAUTH_ISSUER to jwt.verify, so only tokens from your authorisation server count.',
}, async () => {
  await expectRefused(['wrong-issuer']);
});

graded('An unsigned token (alg: none) answers 401', {
  points: 2,
  hint: 'Never use jwt.decode to authenticate, and pin algorithms: [\'RS256\'] in jwt.verify: the token\'s header must not choose how it is checked.',
}, async () => {
  await expectRefused(['alg-none']);
});

graded('An HS256 token signed with the issuer\'s public key answers 401 (algorithm confusion)', {
  points: 2,
  hint: 'Allow RS256 only. If HS256 were allowed, the public key (which anyone can download from the JWKS) would work as an HMAC secret.',
}, async () => {
  await expectRefused(['hs256-public-key']);
});

graded('A token signed by an unknown key, or with edited claims, answers 401', {
  points: 2,
  hint: 'Check the signature with the issuer\'s key for the token\'s kid (jwks-rsa getSigningKey); an unknown kid or a signature that does not match the payload is 401.',
}, async () => {
  await expectRefused(['unknown-key', 'tampered']);
});

graded('Tokens signed after a key rotation are accepted (the JWKS is fetched again for a new kid)', {
  points: 1,
  hint: 'Use jwks-rsa with caching: it refetches the JWKS when a token names a kid it has not seen. Do not load the keys once at start-up.',
}, async () => {
  const before = mintToken(run, { scope: ['orders:read'] });
  expect((await http(`${run.url}/v1/orders`, { headers: bearer(before) })).status).toBe(200);
  oauthControl(run).rotateKey(true);
  const after = mintToken(run, { scope: ['orders:read'] });
  const res = await http(`${run.url}/v1/orders`, { headers: bearer(after) });
  expect(res.status, `a token with the new kid (body: ${res.text.slice(0, 200)})`).toBe(200);
});

graded('401 and 403 carry the RFC 6750 challenge: error="invalid_token" and error="insufficient_scope"', {
  points: 1,
  hint: 'A bad token: WWW-Authenticate: Bearer realm="…", error="invalid_token". A good token without the scope: 403 with Bearer error="insufficient_scope", scope="orders:write".',
}, async () => {
  const expired = mintToken(run, { variant: 'expired', scope: ['orders:read'] });
  const bad = await http(`${run.url}/v1/orders`, { headers: bearer(expired) });
  expectBearer401(bad, 'expired token');
  expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  const reader = mintToken(run, { scope: ['orders:read'] });
  const denied = await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(reader), json: { total_cents: 1, currency: 'eur' } });
  expectEnvelope(denied, 403);
  expect(denied.headers.get('www-authenticate') ?? '').toMatch(/error="insufficient_scope"/);
});
