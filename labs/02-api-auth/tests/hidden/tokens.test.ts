import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import type { MintTokenRequest, TestTokenVariant } from '../../../../mock-servers/oauth/index.ts';
import { bearer, expectStatus, mintToken, oauthControl } from '../oauth.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

/** A forged or broken token must get 401; a valid token with the same scope must get 200 (so "refuse all" fails). */
async function expectRefused(tokens: [string, Partial<MintTokenRequest> & { variant?: TestTokenVariant }][]): Promise<void> {
  const good = mintToken(run, { scope: ['orders:read'] });
  const ok = await http(`${run.url}/v1/orders`, { headers: bearer(good) });
  expect(ok.status, `a valid token is accepted: ${ok.said}`).toBe(200);
  for (const [what, request] of tokens) {
    const res = await http(`${run.url}/v1/orders`, { headers: bearer(mintToken(run, { scope: ['orders:read'], ...request })) });
    expectStatus(res, 401, what);
  }
}

const now = () => Math.floor(Date.now() / 1000);

graded('An unsigned token (alg: none) answers 401', {
  rule: 'token-signature',
  points: 2,
  hint: 'Never use jwt.decode to authenticate, and pin algorithms: [\'RS256\'] in jwt.verify: the token\'s header must not choose how it is checked.',
}, async () => {
  await expectRefused([['a token with alg "none" and no signature', { variant: 'alg-none' }]]);
});

graded('An HS256 token signed with the issuer\'s public key answers 401 (algorithm confusion)', {
  rule: 'token-signature',
  points: 2,
  hint: 'Allow RS256 only. If HS256 were allowed, the public key (which anyone can download from the JWKS) would work as an HMAC secret.',
}, async () => {
  await expectRefused([['an HS256 token keyed with the public key', { variant: 'hs256-public-key' }]]);
});

graded('A token signed by an unknown key, or with edited claims, answers 401', {
  rule: 'token-signature',
  points: 2,
  hint: 'Check the signature with the issuer\'s key for the token\'s kid (jwks-rsa getSigningKey); an unknown kid or a signature that does not match the payload is 401, not a token to trust anyway.',
}, async () => {
  await expectRefused([['a token signed by a key the JWKS does not have', { variant: 'unknown-key' }], ['a token whose claims were edited after signing', { variant: 'tampered' }]]);
});

graded('A token for another audience answers 401', {
  rule: 'token-issuer-audience',
  points: 2,
  hint: 'Pass audience: OAUTH_AUDIENCE to jwt.verify: a token the issuer minted for some other API must not open yours.',
}, async () => {
  await expectRefused([['a token for https://some-other-api.example', { variant: 'wrong-audience' }]]);
});

graded('A token from another issuer answers 401', {
  rule: 'token-issuer-audience',
  points: 2,
  hint: 'Pass issuer: OAUTH_ISSUER to jwt.verify, so only tokens from your authorisation server count.',
}, async () => {
  await expectRefused([['a token whose iss is https://evil-issuer.example', { variant: 'wrong-issuer' }]]);
});

graded('An expired token answers 401', {
  rule: 'token-lifetime',
  points: 2,
  hint: 'jwt.verify checks exp for you: do not pass ignoreExpiration, and turn TokenExpiredError into 401 invalid_token.',
}, async () => {
  await expectRefused([['a token that expired an hour ago', { variant: 'expired' }]]);
});

graded('A token that is not valid yet (nbf in the future) answers 401', {
  rule: 'token-lifetime',
  points: 1,
  hint: 'jwt.verify also checks nbf (NotBeforeError); a small clockTolerance is fine, an hour is not.',
}, async () => {
  await expectRefused([['a token valid from an hour from now', { variant: 'not-yet-valid' }]]);
});

graded('A token that expired a minute ago, or is valid only in a minute, answers 401: a few seconds of tolerance at most', {
  rule: 'token-lifetime',
  points: 1,
  hint: 'clockTolerance is for clocks a few seconds apart; minutes of tolerance let stolen tokens live on. Keep it at a few seconds.',
}, async () => {
  await expectRefused([
    ['a token that expired 60 s ago', { claims: { iat: now() - 600, exp: now() - 60 } }],
    ['a token valid from 60 s from now', { claims: { nbf: now() + 60, exp: now() + 3600 } }],
  ]);
});

graded('Tokens signed after a key rotation are accepted (the JWKS is fetched again for a new kid)', {
  rule: 'key-rotation',
  points: 1,
  hint: 'Use jwks-rsa with caching: it refetches the JWKS when a token names a kid it has not seen. Do not load the keys once at start-up.',
}, async () => {
  // An app of its own: rotating the mock's key must not change what the other tests see.
  const own = await startLab();
  try {
    const tampered = await http(`${own.url}/v1/orders`, { headers: bearer(mintToken(own, { variant: 'tampered', scope: ['orders:read'] })) });
    expect(tampered.status, `tokens are verified at all (an edited one is refused): ${tampered.said}`).toBe(401);
    const before = await http(`${own.url}/v1/orders`, { headers: bearer(mintToken(own, { scope: ['orders:read'] })) });
    expectStatus(before, 200, 'a token signed before the rotation');
    oauthControl(own).rotateKey(true);
    const after = await http(`${own.url}/v1/orders`, { headers: bearer(mintToken(own, { scope: ['orders:read'] })) });
    expectStatus(after, 200, 'a token signed with the new key (a kid the app has not seen)');
  } finally {
    await own.stop();
  }
});

graded('401 and 403 carry the RFC 6750 challenge: error="invalid_token" and error="insufficient_scope"', {
  rule: 'bearer-challenge',
  points: 1,
  hint: 'A bad token: WWW-Authenticate: Bearer realm="…", error="invalid_token". A good token without the scope: 403 with Bearer error="insufficient_scope", scope="orders:write".',
}, async () => {
  const bad = await http(`${run.url}/v1/orders`, { headers: bearer(mintToken(run, { variant: 'tampered', scope: ['orders:read'] })) });
  expect(bad.headers.get('www-authenticate') ?? '(none)', `WWW-Authenticate for an invalid token: ${bad.said}`).toMatch(/^Bearer\b.*error="invalid_token"/i);
  // A token with no scope at all: refused on POST whichever scope the app asks for there (that is the scopes rule).
  const noScope = mintToken(run, { scope: [] });
  const denied = await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(noScope), json: { total_cents: 1, currency: 'eur' } });
  const challenge = denied.headers.get('www-authenticate') ?? '(none)';
  expect(challenge, `WWW-Authenticate for a token without the scope: ${denied.said}`).toMatch(/^Bearer\b.*error="insufficient_scope"/i);
  expect(challenge, 'the challenge names the scope that is missing').toMatch(/scope="orders:(read|write)"/);
});
