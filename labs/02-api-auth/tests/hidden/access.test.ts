import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectEnvelopeOnRefusals, graded, http, startLab, type LabRun } from '#testkit';
import { basic, bearer, createOrder, expectStatus, mintToken, withLimit, type Reply } from '../oauth.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

const partner = (key: string) => ({ 'x-api-key': key });

graded('Every configured API key works, and keys that differ in one character or in length are refused with 401', {
  rule: 'api-key',
  points: 2,
  hint: 'Split PARTNER_API_KEYS on commas and accept any of them. timingSafeEqual throws when lengths differ: compare SHA-256 digests of both sides, so a short or long key is a clean 401, not a 500.',
}, async () => {
  const order = await createOrder(run);
  const url = `${run.url}/v1/partner/orders/${order.id}`;
  const keys = run.env.PARTNER_API_KEYS!.split(',');
  expect(keys.length).toBeGreaterThan(1);
  for (const [i, key] of keys.entries()) expectStatus(await http(url, { headers: partner(key) }), 200, `configured key ${i + 1} of ${keys.length}`);
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
});

graded('Partners see only the id and the status of an order, and 404 for an unknown one', {
  rule: 'partner-view',
  points: 1,
  hint: 'Least privilege: answer { id, status } and nothing else (no totals, no creator) on /v1/partner/orders/{id}; 404 when there is no such order.',
}, async () => {
  const order = await createOrder(run, { total_cents: 4200, currency: 'eur' });
  const key = run.env.PARTNER_API_KEYS!.split(',')[0]!;
  const open = await http(`${run.url}/v1/partner/orders/${order.id}`);
  expect(open.status, `the partner route is not open to anyone (which refusal is the api-key rule's business): ${open.said}`).not.toBe(200);
  const res = await http(`${run.url}/v1/partner/orders/${order.id}`, { headers: partner(key) });
  if (res.status >= 500) return; // a configured key crashes the key check: the api-key rule's business
  expect(res.json, `a partner sees { id, status } only: ${res.said}`).toEqual({ id: order.id, status: 'pending' });
  expectStatus(await http(`${run.url}/v1/partner/orders/ord_unknown`, { headers: partner(key) }), 404, 'an unknown order');
});

graded('Basic auth refuses a wrong password, a wrong user and malformed headers, always with the challenge', {
  rule: 'basic-auth',
  points: 2,
  hint: 'Check the user AND the password; a header that is not "Basic base64(user:password)" is a 401 with WWW-Authenticate: Basic realm="…", never a 500.',
}, async () => {
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
    expect(res.headers.get('www-authenticate') ?? '(none)', `${what}: WWW-Authenticate of ${res.said}`).toMatch(/^Basic realm="[^"]+"/i);
  }
  expectStatus(await http(url, { headers: basic(user, password) }), 200, 'the right credentials');
});

graded('The admin password may contain colons: the credentials are split at the first one', {
  rule: 'basic-auth',
  points: 1,
  hint: 'A user name cannot contain ":", a password can: split the decoded "user:password" at the FIRST colon only.',
}, async () => {
  const own = await startLab({ env: { ADMIN_PASSWORD: 'tea:time at 5:00' } });
  try {
    expectStatus(await http(`${own.url}/v1/admin/stats`, { headers: basic(own.env.ADMIN_USER!, 'tea:time at 5:00') }), 200, 'ADMIN_PASSWORD="tea:time at 5:00"');
    expectStatus(await http(`${own.url}/v1/admin/stats`, { headers: basic(own.env.ADMIN_USER!, 'tea') }), 401, 'the password cut at its first colon');
  } finally {
    await own.stop();
  }
});

graded('GET /v1/admin/stats counts the orders and sums their revenue', {
  rule: 'admin-stats',
  points: 1,
  hint: 'orders is how many orders exist, revenue_cents the sum of their total_cents.',
}, async () => {
  const url = `${run.url}/v1/admin/stats`;
  const open = await http(url);
  expect(open.status, `the stats are not open to anyone (which refusal is the basic-auth rule's business): ${open.said}`).not.toBe(200);
  const admin = basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!);
  const before = await http(url, { headers: admin });
  expectStatus(before, 200);
  expect(Number.isInteger(before.json?.orders) && Number.isInteger(before.json?.revenue_cents), `{ orders, revenue_cents } as integers: ${before.said}`).toBe(true);
  await createOrder(run, { total_cents: 1234, currency: 'eur' });
  await createOrder(run, { total_cents: 766, currency: 'eur' });
  const after = await http(url, { headers: admin });
  expect(after.json, `two more orders worth 2000 cents: ${before.said} → ${after.said}`).toEqual({ orders: before.json.orders + 2, revenue_cents: before.json.revenue_cents + 2000 });
});

graded('Each route checks its own scope: orders:write alone cannot read, and scope names are matched whole', {
  rule: 'scopes',
  points: 2,
  hint: 'GET /v1/orders AND GET /v1/orders/{id} need orders:read; POST needs orders:write. Split the scope claim on spaces and compare whole names: "orders:readonly" is not "orders:read".',
}, async () => {
  const order = await createOrder(run);
  const writeOnly = mintToken(run, { scope: ['orders:write'] });
  expectStatus(await http(`${run.url}/v1/orders`, { headers: bearer(writeOnly) }), 403, 'GET /v1/orders with orders:write only');
  expectStatus(await http(`${run.url}/v1/orders/${order.id}`, { headers: bearer(writeOnly) }), 403, 'GET /v1/orders/{id} with orders:write only');
  const lookalikes = mintToken(run, { scope: ['orders:readonly', 'orders:writer'] });
  expectStatus(await http(`${run.url}/v1/orders`, { headers: bearer(lookalikes) }), 403, 'GET with the scope "orders:readonly"');
  expectStatus(await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(lookalikes), json: { total_cents: 1, currency: 'eur' } }), 403, 'POST with the scope "orders:writer"');
  const both = mintToken(run, { scope: ['orders:read', 'orders:write'] });
  expectStatus(await http(`${run.url}/v1/orders`, { headers: bearer(both) }), 200, 'GET with orders:read among other scopes');
});

graded('GET /v1/orders/{id} answers 404 for an unknown order, and POST /v1/orders 400 naming each invalid field', {
  rule: 'orders-api',
  points: 1,
  hint: 'Keep lab 01\'s behaviour behind the authentication: 404 for an unknown id, 400 with one details entry per invalid field.',
}, async () => {
  const token = bearer(mintToken(run, { scope: ['orders:read', 'orders:write'] }));
  expectStatus(await http(`${run.url}/v1/orders/ord_unknown`, { headers: token }), 404, 'an unknown order');
  const invalid = await http(`${run.url}/v1/orders`, { method: 'POST', headers: token, json: { total_cents: -1, currency: 'EUR' } });
  expectStatus(invalid, 400, 'two invalid fields');
  const fields = (invalid.json?.error?.details ?? []).map((d: { field: string }) => d.field).sort();
  expect(fields, `details name both fields: ${invalid.said}`).toEqual(['currency', 'total_cents']);
});

graded('Every refusal uses the error envelope: 401, 403, 404, 400 and 429', {
  rule: 'error-envelope',
  points: 2,
  hint: 'Send every refusal through sendError(…), in the authentication middlewares and the rate limiter too: { error: { code, message, details, request_id, timestamp } }.',
}, async () => {
  const reader = bearer(mintToken(run, { scope: ['orders:read'] }));
  const probes: Reply[] = [
    await http(`${run.url}/v1/orders`),
    await http(`${run.url}/v1/orders`, { headers: bearer(mintToken(run, { variant: 'expired', scope: ['orders:read'] })) }),
    await http(`${run.url}/v1/orders`, { method: 'POST', headers: reader, json: { total_cents: 1, currency: 'eur' } }),
    await http(`${run.url}/v1/orders/ord_unknown`, { headers: reader }),
    await http(`${run.url}/v1/orders`, { method: 'POST', headers: bearer(mintToken(run, { scope: ['orders:write'] })), json: { total_cents: 0 } }),
    await http(`${run.url}/v1/partner/orders/ord_unknown`, { headers: partner('pk_wrong') }),
    await http(`${run.url}/v1/admin/stats`, { headers: basic('intruder', 'guess') }),
  ];
  await withLimit(1, 60_000, async (small) => {
    const token = bearer(mintToken(small, { scope: ['orders:read'] }));
    for (let i = 0; i < 3; i++) probes.push(await http(`${small.url}/v1/orders`, { headers: token }));
  });
  // Which requests are refused is each rule's business; every refusal that happens must use the envelope.
  expectEnvelopeOnRefusals(probes, 'a request without a token at least');
});

graded('Keys, admin credentials and the audience come from the environment, not from the code', {
  rule: 'config-from-env',
  points: 1,
  hint: 'Read PARTNER_API_KEYS, ADMIN_USER, ADMIN_PASSWORD and OAUTH_AUDIENCE from process.env (config.ts does): the graders start your app with values you have never seen.',
}, async () => {
  const fresh = (prefix: string) => `${prefix}${randomBytes(9).toString('base64url')}`;
  const env = { PARTNER_API_KEYS: `${fresh('pk_grader_')},${fresh('pk_grader_')}`, ADMIN_USER: fresh('owner-'), ADMIN_PASSWORD: fresh('pw '), OAUTH_AUDIENCE: fresh('api-') };
  const own = await startLab({ env });
  try {
    const order = await createOrder(own);
    const key = env.PARTNER_API_KEYS.split(',')[0]!;
    expectStatus(await http(`${own.url}/v1/partner/orders/${order.id}`, { headers: partner(key) }), 200, 'a key from PARTNER_API_KEYS');
    // Refused, whichever way (the status of a refusal is another rule's business).
    const devKey = await http(`${own.url}/v1/partner/orders/${order.id}`, { headers: partner(run.env.PARTNER_API_KEYS!.split(',')[0]!) });
    expect(devKey.status, `a key that is not in PARTNER_API_KEYS is refused: ${devKey.said}`).not.toBe(200);
    expectStatus(await http(`${own.url}/v1/admin/stats`, { headers: basic(env.ADMIN_USER, env.ADMIN_PASSWORD) }), 200, 'ADMIN_USER and ADMIN_PASSWORD from the environment');
    const devAdmin = await http(`${own.url}/v1/admin/stats`, { headers: basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!) });
    expect(devAdmin.status, `credentials that are not the configured ones are refused: ${devAdmin.said}`).not.toBe(200);
    const forThisApi = mintToken(own, { scope: ['orders:read'], audience: env.OAUTH_AUDIENCE });
    expectStatus(await http(`${own.url}/v1/orders`, { headers: bearer(forThisApi) }), 200, `a token for OAUTH_AUDIENCE=${env.OAUTH_AUDIENCE}`);
  } finally {
    await own.stop();
  }
});
