import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, type LabRun } from '#testkit';
import type { MintTokenRequest, TestTokenVariant } from '../../../../mock-servers/oauth/index.ts';
import {
  basic,
  bearer,
  createOrder,
  expectStatus,
  mintToken,
  oauthControl,
  startApps,
  stopApps,
  use,
} from '../oauth.ts';

const fresh = (prefix: string) => `${prefix}${randomBytes(9).toString('base64url')}`;
/** The graders' own configuration: values the app has never seen. */
const graderEnv = {
  PARTNER_API_KEYS: `${fresh('pk_grader_')},${fresh('pk_grader_')}`,
  ADMIN_USER: fresh('owner-'),
  ADMIN_PASSWORD: fresh('pw '),
  OAUTH_AUDIENCE: fresh('api-'),
};

const COLON_PASSWORD = 'tea:time at 5:00';

let run: LabRun;
let apps: Record<'main' | 'graders' | 'reconfigured', LabRun | Error>;
beforeAll(async () => {
  // Apps for the tests that change an app's setup: the graders' values; and, on one app, a password with colons
  // (admin requests only) and a rotated key (token requests only), which touch nothing of each other.
  apps = await startApps({
    main: {},
    graders: { env: graderEnv },
    reconfigured: { env: { ADMIN_PASSWORD: COLON_PASSWORD } },
  });
  run = use(apps.main);
});
afterAll(async () => {
  await stopApps(apps ?? {});
});

const partner = (key: string) => ({ 'x-api-key': key });

graded(
  'Every configured API key works, and keys that differ in one character or in length are refused with 401',
  {
    rule: 'api-key',
    points: 2,
    hint: 'Split PARTNER_API_KEYS on commas and accept any of them. timingSafeEqual throws when lengths differ: compare SHA-256 digests of both sides, so a short or long key is a clean 401, not a 500.',
  },
  async () => {
    const order = await createOrder(run);
    const url = `${run.url}/v1/partner/orders/${order.id}`;
    const keys = run.env.PARTNER_API_KEYS!.split(',');
    expect(keys.length).toBeGreaterThan(1);
    for (const [i, key] of keys.entries())
      expectStatus(await http(url, { headers: partner(key) }), 200, `configured key ${i + 1} of ${keys.length}`);
    const key = keys[0]!;
    const wrong: [string, string][] = [
      ['the last character changed', key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a')],
      ['one character short', key.slice(0, -1)],
      ['one character more', `${key}x`],
      ['in upper case', key.toUpperCase()],
      ['two keys at once', `${keys[0]},${keys[1]}`],
      ['one character', 'x'],
    ];
    for (const [what, value] of wrong) expectStatus(await http(url, { headers: partner(value) }), 401, `a key ${what}`);
  },
);

graded(
  'Partners see only the id and the status of an order, and 404 for an unknown one',
  {
    rule: 'partner-view',
    points: 1,
    hint: 'Least privilege: answer { id, status } and nothing else (no totals, no creator) on /v1/partner/orders/{id}; 404 when there is no such order.',
  },
  async () => {
    const order = await createOrder(run, { total_cents: 4200, currency: 'eur' });
    const key = run.env.PARTNER_API_KEYS!.split(',')[0]!;
    const open = await http(`${run.url}/v1/partner/orders/${order.id}`);
    expect(
      open.status,
      `the partner route is not open to anyone (which refusal is the api-key rule's business): ${open.said}`,
    ).not.toBe(200);
    const res = await http(`${run.url}/v1/partner/orders/${order.id}`, { headers: partner(key) });
    if (res.status >= 500) return; // a configured key crashes the key check: the api-key rule's business
    expect(res.json, `a partner sees { id, status } only: ${res.said}`).toEqual({ id: order.id, status: 'pending' });
    expectStatus(
      await http(`${run.url}/v1/partner/orders/ord_unknown`, { headers: partner(key) }),
      404,
      'an unknown order',
    );
  },
);

graded(
  'Basic auth refuses a wrong password, a wrong user and malformed headers, always with the challenge',
  {
    rule: 'basic-auth',
    points: 2,
    hint: 'Check the user AND the password; a header that is not "Basic base64(user:password)" is a 401 with WWW-Authenticate: Basic realm="…", never a 500.',
  },
  async () => {
    const url = `${run.url}/v1/admin/stats`;
    const user = run.env.ADMIN_USER!;
    const password = run.env.ADMIN_PASSWORD!;
    const attempts: [string, Record<string, string>][] = [
      ['a wrong user', basic('intruder', password)],
      ['a wrong password', basic(user, `${password}!`)],
      ['an empty password', basic(user, '')],
      ['no colon', { authorization: `Basic ${Buffer.from(`${user}${password}`).toString('base64')}` }],
      ['not base64', { authorization: 'Basic %%%' }],
      ['Bearer instead of Basic', { authorization: 'Bearer abc' }],
    ];
    for (const [what, headers] of attempts) {
      const res = await http(url, { headers });
      expectStatus(res, 401, what);
      expect(res.headers.get('www-authenticate') ?? '(none)', `${what}: WWW-Authenticate of ${res.said}`).toMatch(
        /^Basic realm="[^"]+"/i,
      );
    }
    expectStatus(await http(url, { headers: basic(user, password) }), 200, 'the right credentials');
  },
);

graded(
  'The admin password may contain colons: the credentials are split at the first one',
  {
    rule: 'basic-auth',
    points: 1,
    hint: 'A user name cannot contain ":", a password can: split the decoded "user:password" at the FIRST colon only.',
  },
  async () => {
    const own = use(apps.reconfigured);
    const user = own.env.ADMIN_USER!;
    // An app that takes the usual password here ignores ADMIN_PASSWORD: the config-from-env rule's business.
    if ((await http(`${own.url}/v1/admin/stats`, { headers: basic(user, run.env.ADMIN_PASSWORD!) })).status === 200)
      return;
    expectStatus(
      await http(`${own.url}/v1/admin/stats`, { headers: basic(user, COLON_PASSWORD) }),
      200,
      `ADMIN_PASSWORD="${COLON_PASSWORD}"`,
    );
    expectStatus(
      await http(`${own.url}/v1/admin/stats`, { headers: basic(user, 'tea') }),
      401,
      'the password cut at its first colon ("tea")',
    );
  },
);

graded(
  'GET /v1/admin/stats counts the orders and sums their revenue',
  {
    rule: 'admin-stats',
    points: 1,
    hint: 'orders is how many orders exist, revenue_cents the sum of their total_cents.',
  },
  async () => {
    const url = `${run.url}/v1/admin/stats`;
    const open = await http(url);
    expect(
      open.status,
      `the stats are not open to anyone (which refusal is the basic-auth rule's business): ${open.said}`,
    ).not.toBe(200);
    const admin = basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!);
    const before = await http(url, { headers: admin });
    expectStatus(before, 200);
    expect(
      Number.isInteger(before.json?.orders) && Number.isInteger(before.json?.revenue_cents),
      `{ orders, revenue_cents } as integers: ${before.said}`,
    ).toBe(true);
    await createOrder(run, { total_cents: 1234, currency: 'eur' });
    await createOrder(run, { total_cents: 766, currency: 'eur' });
    const after = await http(url, { headers: admin });
    expect(after.json, `two more orders worth 2000 cents: ${before.said} → ${after.said}`).toEqual({
      orders: before.json.orders + 2,
      revenue_cents: before.json.revenue_cents + 2000,
    });
  },
);

graded(
  'Each route checks its own scope: orders:write alone cannot read, and scope names are matched whole',
  {
    rule: 'scopes',
    points: 2,
    hint: 'GET /v1/orders AND GET /v1/orders/{id} need orders:read; POST needs orders:write. Split the scope claim on spaces and compare whole names: "orders:readonly" is not "orders:read".',
  },
  async () => {
    const order = await createOrder(run);
    const writeOnly = mintToken(run, { scope: ['orders:write'] });
    expectStatus(
      await http(`${run.url}/v1/orders`, { headers: bearer(writeOnly) }),
      403,
      'GET /v1/orders with orders:write only',
    );
    expectStatus(
      await http(`${run.url}/v1/orders/${order.id}`, { headers: bearer(writeOnly) }),
      403,
      'GET /v1/orders/{id} with orders:write only',
    );
    const lookalikes = mintToken(run, { scope: ['orders:readonly', 'orders:writer'] });
    expectStatus(
      await http(`${run.url}/v1/orders`, { headers: bearer(lookalikes) }),
      403,
      'GET with the scope "orders:readonly"',
    );
    expectStatus(
      await http(`${run.url}/v1/orders`, {
        method: 'POST',
        headers: bearer(lookalikes),
        json: { total_cents: 1, currency: 'eur' },
      }),
      403,
      'POST with the scope "orders:writer"',
    );
    const both = mintToken(run, { scope: ['orders:read', 'orders:write'] });
    expectStatus(
      await http(`${run.url}/v1/orders`, { headers: bearer(both) }),
      200,
      'GET with orders:read among other scopes',
    );
  },
);

graded(
  'GET /v1/orders/{id} answers 404 for an unknown order, and POST /v1/orders 400 naming each invalid field',
  {
    rule: 'orders-api',
    points: 1,
    hint: "Keep lab 01's behaviour behind the authentication: 404 for an unknown id, 400 with one details entry per invalid field.",
  },
  async () => {
    const token = bearer(mintToken(run, { scope: ['orders:read', 'orders:write'] }));
    expectStatus(await http(`${run.url}/v1/orders/ord_unknown`, { headers: token }), 404, 'an unknown order');
    const invalid = await http(`${run.url}/v1/orders`, {
      method: 'POST',
      headers: token,
      json: { total_cents: -1, currency: 'EUR' },
    });
    expectStatus(invalid, 400, 'two invalid fields');
    const fields = (invalid.json?.error?.details ?? []).map((d: { field: string }) => d.field).sort();
    expect(fields, `details name both fields: ${invalid.said}`).toEqual(['currency', 'total_cents']);
  },
);

graded(
  'Keys, admin credentials and the audience come from the environment, not from the code',
  {
    rule: 'config-from-env',
    points: 1,
    hint: 'Read PARTNER_API_KEYS, ADMIN_USER, ADMIN_PASSWORD and OAUTH_AUDIENCE from process.env (config.ts does): the graders start your app with values you have never seen.',
  },
  async () => {
    const own = use(apps.graders);
    const order = await createOrder(own);
    const key = graderEnv.PARTNER_API_KEYS.split(',')[0]!;
    expectStatus(
      await http(`${own.url}/v1/partner/orders/${order.id}`, { headers: partner(key) }),
      200,
      'a key from PARTNER_API_KEYS',
    );
    // Refused, whichever way (the status of a refusal is another rule's business).
    const devKey = await http(`${own.url}/v1/partner/orders/${order.id}`, {
      headers: partner(run.env.PARTNER_API_KEYS!.split(',')[0]!),
    });
    expect(devKey.status, `a key that is not in PARTNER_API_KEYS is refused: ${devKey.said}`).not.toBe(200);
    expectStatus(
      await http(`${own.url}/v1/admin/stats`, { headers: basic(graderEnv.ADMIN_USER, graderEnv.ADMIN_PASSWORD) }),
      200,
      'ADMIN_USER and ADMIN_PASSWORD from the environment',
    );
    const devAdmin = await http(`${own.url}/v1/admin/stats`, {
      headers: basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!),
    });
    expect(devAdmin.status, `credentials that are not the configured ones are refused: ${devAdmin.said}`).not.toBe(200);
    const forThisApi = mintToken(own, { scope: ['orders:read'], audience: graderEnv.OAUTH_AUDIENCE });
    expectStatus(
      await http(`${own.url}/v1/orders`, { headers: bearer(forThisApi) }),
      200,
      `a token for OAUTH_AUDIENCE=${graderEnv.OAUTH_AUDIENCE}`,
    );
  },
);

/** A forged or broken token must get 401; a valid token with the same scope must get 200 (so "refuse all" fails). */
async function expectRefused(
  tokens: [string, Partial<MintTokenRequest> & { variant?: TestTokenVariant }][],
): Promise<void> {
  const good = mintToken(run, { scope: ['orders:read'] });
  const ok = await http(`${run.url}/v1/orders`, { headers: bearer(good) });
  expect(ok.status, `a valid token is accepted: ${ok.said}`).toBe(200);
  for (const [what, request] of tokens) {
    const res = await http(`${run.url}/v1/orders`, {
      headers: bearer(mintToken(run, { scope: ['orders:read'], ...request })),
    });
    expectStatus(res, 401, what);
  }
}

const now = () => Math.floor(Date.now() / 1000);

graded(
  'An unsigned token (alg: none) answers 401',
  {
    rule: 'token-signature',
    points: 2,
    hint: "Never use jwt.decode to authenticate, and pin algorithms: ['RS256'] in jwt.verify: the token's header must not choose how it is checked.",
  },
  async () => {
    await expectRefused([['a token with alg "none" and no signature', { variant: 'alg-none' }]]);
  },
);

graded(
  "An HS256 token signed with the issuer's public key answers 401 (algorithm confusion)",
  {
    rule: 'token-signature',
    points: 2,
    hint: 'Allow RS256 only. If HS256 were allowed, the public key (which anyone can download from the JWKS) would work as an HMAC secret.',
  },
  async () => {
    await expectRefused([['an HS256 token keyed with the public key', { variant: 'hs256-public-key' }]]);
  },
);

graded(
  'A token signed by an unknown key, or with edited claims, answers 401',
  {
    rule: 'token-signature',
    points: 2,
    hint: "Check the signature with the issuer's key for the token's kid (jwks-rsa getSigningKey); an unknown kid or a signature that does not match the payload is 401, not a token to trust anyway.",
  },
  async () => {
    await expectRefused([
      ['a token signed by a key the JWKS does not have', { variant: 'unknown-key' }],
      ['a token whose claims were edited after signing', { variant: 'tampered' }],
    ]);
  },
);

graded(
  'A token for another audience answers 401',
  {
    rule: 'token-issuer-audience',
    points: 2,
    hint: 'Pass audience: OAUTH_AUDIENCE to jwt.verify: a token the issuer minted for some other API must not open yours.',
  },
  async () => {
    await expectRefused([['a token for https://some-other-api.example', { variant: 'wrong-audience' }]]);
  },
);

graded(
  'A token from another issuer answers 401',
  {
    rule: 'token-issuer-audience',
    points: 2,
    hint: 'Pass issuer: OAUTH_ISSUER to jwt.verify, so only tokens from your authorisation server count.',
  },
  async () => {
    await expectRefused([['a token whose iss is https://evil-issuer.example', { variant: 'wrong-issuer' }]]);
  },
);

graded(
  'An expired token answers 401',
  {
    rule: 'token-lifetime',
    points: 2,
    hint: 'jwt.verify checks exp for you: do not pass ignoreExpiration, and turn TokenExpiredError into 401 invalid_token.',
  },
  async () => {
    await expectRefused([['a token that expired an hour ago', { variant: 'expired' }]]);
  },
);

graded(
  'A token that is not valid yet (nbf in the future) answers 401',
  {
    rule: 'token-lifetime',
    points: 1,
    hint: 'jwt.verify also checks nbf (NotBeforeError); a small clockTolerance is fine, an hour is not.',
  },
  async () => {
    await expectRefused([['a token valid from an hour from now', { variant: 'not-yet-valid' }]]);
  },
);

graded(
  'A token that expired a minute ago, or is valid only in a minute, answers 401: a few seconds of tolerance at most',
  {
    rule: 'token-lifetime',
    points: 1,
    hint: 'clockTolerance is for clocks a few seconds apart; minutes of tolerance let stolen tokens live on. Keep it at a few seconds.',
  },
  async () => {
    await expectRefused([
      ['a token that expired 60 s ago', { claims: { iat: now() - 600, exp: now() - 60 } }],
      ['a token valid from 60 s from now', { claims: { nbf: now() + 60, exp: now() + 3600 } }],
    ]);
  },
);

graded(
  'Tokens signed after a key rotation are accepted (the JWKS is fetched again for a new kid)',
  {
    rule: 'key-rotation',
    points: 1,
    hint: 'Use jwks-rsa with caching: it refetches the JWKS when a token names a kid it has not seen. Do not load the keys once at start-up.',
  },
  async () => {
    const own = use(apps.reconfigured);
    // Tokens are verified at all: one that fails every check (edited after signing, wrong issuer, expired) is refused.
    const forged = mintToken(own, {
      variant: 'tampered',
      scope: ['orders:read'],
      claims: { iss: 'https://evil-issuer.example', iat: now() - 7200, exp: now() - 3600 },
    });
    const refused = await http(`${own.url}/v1/orders`, { headers: bearer(forged) });
    expect(refused.status, `tokens are verified at all: ${refused.said}`).not.toBe(200);
    const before = await http(`${own.url}/v1/orders`, { headers: bearer(mintToken(own, { scope: ['orders:read'] })) });
    expectStatus(before, 200, 'a token signed before the rotation');
    oauthControl(own).rotateKey(true);
    const after = await http(`${own.url}/v1/orders`, { headers: bearer(mintToken(own, { scope: ['orders:read'] })) });
    expectStatus(after, 200, 'a token signed with the new key (a kid the app has not seen)');
  },
);

graded(
  '401 and 403 carry the RFC 6750 challenge: error="invalid_token" and error="insufficient_scope"',
  {
    rule: 'bearer-challenge',
    points: 1,
    hint: 'A bad token: WWW-Authenticate: Bearer realm="…", error="invalid_token". A good token without the scope: 403 with Bearer error="insufficient_scope", scope="orders:write".',
  },
  async () => {
    const bad = await http(`${run.url}/v1/orders`, {
      headers: bearer(mintToken(run, { variant: 'tampered', scope: ['orders:read'] })),
    });
    expect(
      bad.headers.get('www-authenticate') ?? '(none)',
      `WWW-Authenticate for an invalid token: ${bad.said}`,
    ).toMatch(/^Bearer\b.*error="invalid_token"/i);
    // A token with no scope at all: refused on POST whichever scope the app asks for there (that is the scopes rule).
    const noScope = mintToken(run, { scope: [] });
    const denied = await http(`${run.url}/v1/orders`, {
      method: 'POST',
      headers: bearer(noScope),
      json: { total_cents: 1, currency: 'eur' },
    });
    const challenge = denied.headers.get('www-authenticate') ?? '(none)';
    expect(challenge, `WWW-Authenticate for a token without the scope: ${denied.said}`).toMatch(
      /^Bearer\b.*error="insufficient_scope"/i,
    );
    expect(challenge, 'the challenge names the scope that is missing').toMatch(/scope="orders:(read|write)"/);
  },
);
