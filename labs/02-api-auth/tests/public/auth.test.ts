import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, type LabRun } from '#testkit';
import {
  basic,
  bearer,
  clientCredentialsToken,
  createOrder,
  expectStatus,
  limitEnv,
  mintToken,
  startApps,
  stopApps,
  use,
} from '../oauth.ts';

let run: LabRun;
let apps: Record<'main' | 'limitOfThree', LabRun | Error>;
beforeAll(async () => {
  apps = await startApps({ main: {}, limitOfThree: limitEnv(3, 60_000) });
  run = use(apps.main);
});
afterAll(async () => {
  await stopApps(apps ?? {});
});

graded(
  'GET /health needs no credentials',
  {
    rule: 'health-open',
    points: 1,
    hint: 'Keep /health outside the protected paths: the harness and load balancers call it without credentials.',
  },
  async () => {
    const res = await http(`${run.url}/health`);
    expectStatus(res, 200);
    expect(res.json, res.said).toEqual({ status: 'ok' });
  },
);

graded(
  '/v1/orders routes without a valid bearer token answer 401 with WWW-Authenticate: Bearer realm="orders"',
  {
    rule: 'bearer-required',
    points: 3,
    hint: 'Protect /v1/orders AND /v1/orders/* with a middleware that reads "Authorization: Bearer <token>"; when it is missing or not a JWT, answer 401 and set WWW-Authenticate: Bearer realm="orders".',
  },
  async () => {
    const routes: [string, string][] = [
      ['GET', '/v1/orders'],
      ['GET', '/v1/orders/ord_any'],
      ['POST', '/v1/orders'],
    ];
    const credentials: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['a token that is not a JWT', bearer('not-a-jwt')],
      ['Basic instead of Bearer', basic('a', 'b')],
    ];
    for (const [method, path] of routes) {
      for (const [what, headers] of credentials) {
        const res = await http(`${run.url}${path}`, {
          method,
          headers,
          json: method === 'POST' ? { total_cents: 100, currency: 'eur' } : undefined,
        });
        expectStatus(res, 401, what);
        expect(res.headers.get('www-authenticate') ?? '(none)', `${what}: WWW-Authenticate of ${res.said}`).toMatch(
          /^Bearer realm="orders"/i,
        );
      }
    }
  },
);

graded(
  'A token from the OAuth server (client credentials) with orders:read lists orders',
  {
    rule: 'orders-api',
    points: 3,
    hint: "Verify the token with jsonwebtoken against the key jwks-rsa fetches from OAUTH_JWKS_URI (pick it by the token's kid), with issuer OAUTH_ISSUER and audience OAUTH_AUDIENCE; then answer { data: [...] }.",
  },
  async () => {
    const order = await createOrder(run);
    const token = await clientCredentialsToken(run, 'reporting-app', ['orders:read']);
    const res = await http(`${run.url}/v1/orders`, { headers: bearer(token) });
    expectStatus(res, 200);
    expect(Array.isArray(res.json?.data), `the body is { "data": [...] }: ${res.said}`).toBe(true);
    expect(
      res.json.data.map((o: { id: string }) => o.id),
      `the list holds the orders: ${res.said}`,
    ).toContain(order.id);
  },
);

graded(
  'A token without orders:write gets 403 on POST /v1/orders',
  {
    rule: 'scopes',
    points: 3,
    hint: "After authentication, check the token's scope claim (space-separated) per route: POST needs orders:write. A valid token without it is 403 (not 401): we know who you are, and no.",
  },
  async () => {
    const token = await clientCredentialsToken(run, 'read-only-app', ['orders:read']);
    const res = await http(`${run.url}/v1/orders`, {
      method: 'POST',
      headers: bearer(token),
      json: { total_cents: 1200, currency: 'eur' },
    });
    expectStatus(res, 403, 'a token with orders:read only');
    const list = await http(`${run.url}/v1/orders`, { headers: bearer(token) });
    expect(list.status, `the same token still reads: ${list.said}`).toBe(200);
  },
);

graded(
  'A token with orders:write creates an order',
  {
    rule: 'orders-api',
    points: 2,
    hint: 'POST /v1/orders with orders:write answers 201 with the order; keep the validation (400 with details) from lab 01.',
  },
  async () => {
    const token = await clientCredentialsToken(run, 'shop-frontend', ['orders:read', 'orders:write']);
    const res = await http(`${run.url}/v1/orders`, {
      method: 'POST',
      headers: bearer(token),
      json: { total_cents: 4999, currency: 'eur' },
    });
    expectStatus(res, 201);
    expect(res.json, res.said).toMatchObject({ total_cents: 4999, currency: 'eur', status: 'pending' });
    const read = await http(`${run.url}/v1/orders/${res.json.id}`, { headers: bearer(token) });
    expectStatus(read, 200, 'GET /v1/orders/{id} of the new order');
    expect(read.json, read.said).toMatchObject({ id: res.json.id, total_cents: 4999 });
  },
);

graded(
  'The partner endpoint wants a configured X-API-Key: 401 without one or with a wrong one, 200 with a right one',
  {
    rule: 'api-key',
    points: 3,
    hint: 'Read X-API-Key and compare it with each key from PARTNER_API_KEYS (comma-separated) using crypto.timingSafeEqual on equal-length buffers (hash both sides first).',
  },
  async () => {
    const order = await createOrder(run, { total_cents: 300, currency: 'eur' });
    const url = `${run.url}/v1/partner/orders/${order.id}`;
    const [firstKey] = run.env.PARTNER_API_KEYS!.split(',');
    expectStatus(await http(url), 401, 'no X-API-Key');
    expectStatus(
      await http(url, { headers: { 'x-api-key': 'pk_test_guessing' } }),
      401,
      'a key that is not configured',
    );
    expectStatus(await http(url, { headers: { 'x-api-key': firstKey! } }), 200, 'a configured key');
  },
);

graded(
  'The admin endpoint uses HTTP Basic: 401 with WWW-Authenticate: Basic realm=…, 200 with the right credentials',
  {
    rule: 'basic-auth',
    points: 3,
    hint: 'Decode "Authorization: Basic base64(user:password)", compare both parts with ADMIN_USER and ADMIN_PASSWORD timing-safely; on failure answer 401 with WWW-Authenticate: Basic realm="…".',
  },
  async () => {
    const url = `${run.url}/v1/admin/stats`;
    for (const [what, headers] of [
      ['no credentials', {}],
      ['a wrong password', basic(run.env.ADMIN_USER!, 'wrong password')],
    ] as const) {
      const res = await http(url, { headers });
      expectStatus(res, 401, what);
      expect(res.headers.get('www-authenticate') ?? '(none)', `${what}: WWW-Authenticate of ${res.said}`).toMatch(
        /^Basic realm="[^"]+"/i,
      );
    }
    expectStatus(
      await http(url, { headers: basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!) }),
      200,
      'the right credentials',
    );
  },
);

graded(
  'Too many requests from one client answer 429 with Retry-After',
  {
    rule: 'rate-limit',
    points: 3,
    hint: "Count requests per client (the token's sub) in a window of RATE_LIMIT_WINDOW_MS; past RATE_LIMIT_MAX answer 429 with Retry-After: <seconds until the window resets>.",
  },
  async () => {
    const small = use(apps.limitOfThree);
    const token = mintToken(small, { subject: 'busy-app', scope: ['orders:read'] });
    for (let i = 1; i <= 3; i++)
      expectStatus(
        await http(`${small.url}/v1/orders`, { headers: bearer(token) }),
        200,
        `request ${i} of RATE_LIMIT_MAX=3`,
      );
    const limited = await http(`${small.url}/v1/orders`, { headers: bearer(token) });
    expectStatus(limited, 429, 'request 4 of RATE_LIMIT_MAX=3');
    const retryAfter = limited.headers.get('retry-after');
    expect(
      /^\d+$/.test(retryAfter ?? '') && Number(retryAfter) >= 1 && Number(retryAfter) <= 60,
      `Retry-After is whole seconds, 1 to 60 for a 60 s window (got ${retryAfter})`,
    ).toBe(true);
  },
);
