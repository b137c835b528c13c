import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { basic, bearer, clientCredentialsToken, expectBearer401, expectEnvelope, mintToken } from '../oauth.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

graded('GET /health needs no credentials', {
  points: 1,
  hint: 'Keep /health outside the protected paths: the harness and load balancers call it without credentials.',
}, async () => {
  const res = await http(`${run.url}/health`);
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ status: 'ok' });
});

graded('GET /v1/orders without a valid bearer token answers 401 with WWW-Authenticate: Bearer and the error envelope', {
  points: 3,
  hint: 'Protect /v1/orders with a middleware that reads "Authorization: Bearer <token>"; when it is missing or not a valid JWT, answer 401, set WWW-Authenticate: Bearer realm="orders", and use the error envelope.',
}, async () => {
  expectBearer401(await http(`${run.url}/v1/orders`), 'no Authorization header');
  expectBearer401(await http(`${run.url}/v1/orders`, { headers: bearer('not-a-jwt') }), 'a token that is not a JWT');
  expectBearer401(await http(`${run.url}/v1/orders`, { headers: basic('a', 'b') }), 'Basic instead of Bearer');
});

graded('A token from the OAuth server (client credentials) with orders:read lists orders', {
  points: 3,
  hint: 'Verify the token with jsonwebtoken against the key jwks-rsa fetches from OAUTH_JWKS_URI (pick it by the token\'s kid), with issuer OAUTH_ISSUER and audience OAUTH_AUDIENCE.',
}, async () => {
  const token = await clientCredentialsToken(run, 'reporting-app', ['orders:read']);
  const res = await http(`${run.url}/v1/orders`, { headers: bearer(token) });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(Array.isArray(res.json?.data), 'body is { data: [...] }').toBe(true);
});

graded('A token without orders:write gets 403 with the error envelope on POST /v1/orders', {
  points: 3,
  hint: 'After authentication, check the token\'s scope claim (space-separated) per route: POST needs orders:write. A valid token without it is 403 (not 401): we know who you are, and no.',
}, async () => {
  const token = await clientCredentialsToken(run, 'read-only-app', ['orders:read']);
  const res = await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(token), json: { total_cents: 1200, currency: 'eur' } });
  expectEnvelope(res, 403);
  const list = await http(`${run.url}/v1/orders`, { headers: bearer(token) });
  expect(list.status, 'the same token still reads').toBe(200);
});

graded('A token with orders:write creates an order', {
  points: 2,
  hint: 'POST /v1/orders with orders:write answers 201 with the order; keep the validation (400 with details) from lab 01.',
}, async () => {
  const token = await clientCredentialsToken(run, 'shop-frontend', ['orders:read', 'orders:write']);
  const res = await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(token), json: { total_cents: 4999, currency: 'eur' } });
  expect(res.status, res.text.slice(0, 300)).toBe(201);
  expect(res.json).toMatchObject({ total_cents: 4999, currency: 'eur', status: 'pending' });
  const read = await http(`${run.url}/v1/orders/${res.json.id}`, { headers: bearer(token) });
  expect(read.status).toBe(200);
  const writeOnly = mintToken(run, { scope: ['orders:write'] });
  expectEnvelope(await http(`${run.url}/v1/orders`, { headers: bearer(writeOnly) }), 403);
});

graded('The partner endpoint wants a configured X-API-Key: 401 without one or with a wrong one, 200 with a right one', {
  points: 3,
  hint: 'Read X-API-Key and compare it with each key from PARTNER_API_KEYS (comma-separated) using crypto.timingSafeEqual on equal-length buffers (hash both sides first).',
}, async () => {
  const writer = mintToken(run, { scope: ['orders:write'] });
  const created = await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(writer), json: { total_cents: 300, currency: 'eur' } });
  expect(created.status).toBe(201);
  const url = `${run.url}/v1/partner/orders/${created.json.id}`;
  const [firstKey] = run.env.PARTNER_API_KEYS!.split(',');
  expectEnvelope(await http(url), 401);
  expectEnvelope(await http(url, { headers: { 'x-api-key': 'pk_test_guessing' } }), 401);
  const ok = await http(url, { headers: { 'x-api-key': firstKey! } });
  expect(ok.status, ok.text.slice(0, 300)).toBe(200);
  expect(ok.json).toEqual({ id: created.json.id, status: 'pending' });
});

graded('The admin endpoint uses HTTP Basic: 401 with WWW-Authenticate: Basic realm=…, 200 with the right credentials', {
  points: 3,
  hint: 'Decode "Authorization: Basic base64(user:password)", compare both parts with ADMIN_USER and ADMIN_PASSWORD timing-safely; on failure answer 401 with WWW-Authenticate: Basic realm="…".',
}, async () => {
  const url = `${run.url}/v1/admin/stats`;
  const none = await http(url);
  expectEnvelope(none, 401);
  expect(none.headers.get('www-authenticate') ?? '').toMatch(/^Basic realm="[^"]+"/i);
  const wrong = await http(url, { headers: basic(run.env.ADMIN_USER!, 'wrong password') });
  expectEnvelope(wrong, 401);
  expect(wrong.headers.get('www-authenticate') ?? '').toMatch(/^Basic realm="[^"]+"/i);
  const ok = await http(url, { headers: basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!) });
  expect(ok.status, ok.text.slice(0, 300)).toBe(200);
  expect(ok.json?.orders).toBeTypeOf('number');
});

graded('Too many requests from one client answer 429 with Retry-After and the error envelope', {
  points: 3,
  hint: 'Count requests per client (the token\'s sub) in a window of RATE_LIMIT_WINDOW_MS; past RATE_LIMIT_MAX answer 429 with Retry-After: <seconds until the window resets>.',
}, async () => {
  const small = await startLab({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } });
  try {
    const token = mintToken(small, { subject: 'busy-app', scope: ['orders:read'] });
    for (let i = 1; i <= 3; i++) {
      const res = await http(`${small.url}/v1/orders`, { headers: bearer(token) });
      expect(res.status, `request ${i} of 3 is within the limit`).toBe(200);
    }
    const limited = await http(`${small.url}/v1/orders`, { headers: bearer(token) });
    expectEnvelope(limited, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After in seconds, 1..60 (got ${limited.headers.get('retry-after')})`).toBe(true);
  } finally {
    await small.stop();
  }
});
