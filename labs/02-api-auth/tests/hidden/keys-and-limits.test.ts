import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, waitFor, type LabRun } from '#testkit';
import { basic, bearer, expectEnvelope, mintToken } from '../oauth.ts';

let run: LabRun;
let orderId: string;
beforeAll(async () => {
  run = await startLab();
  const res = await http(`${run.url}/v1/orders`, {
    method: 'POST',
    headers: bearer(mintToken(run, { scope: ['orders:write'] })),
    json: { total_cents: 800, currency: 'eur' },
  });
  orderId = res.json?.id ?? 'ord_missing';
});
afterAll(async () => {
  await run?.stop();
});

graded('Every configured API key works, and keys that differ in one character or in length are refused with 401', {
  points: 2,
  hint: 'Split PARTNER_API_KEYS on commas and accept any of them. timingSafeEqual throws when lengths differ: compare SHA-256 digests of both sides, so a short or long key is a clean 401, not a 500.',
}, async () => {
  const url = `${run.url}/v1/partner/orders/${orderId}`;
  const keys = run.env.PARTNER_API_KEYS!.split(',');
  expect(keys.length).toBeGreaterThan(1);
  for (const key of keys) {
    const res = await http(url, { headers: { 'x-api-key': key } });
    expect(res.status, `key ${key.slice(0, 12)}… is accepted (body: ${res.text.slice(0, 200)})`).toBe(200);
  }
  const key = keys[0]!;
  const lastCharFlipped = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
  for (const wrong of [lastCharFlipped, key.slice(0, -1), `${key}x`, key.toUpperCase(), `${keys[0]},${keys[1]}`, 'x']) {
    expectEnvelope(await http(url, { headers: { 'x-api-key': wrong } }), 401);
  }
});

graded('Basic auth refuses a wrong password, a wrong user and malformed headers, always with the challenge', {
  points: 2,
  hint: 'Check the user AND the password; a header that is not "Basic base64(user:password)" is a 401 with WWW-Authenticate: Basic realm="…", never a 500.',
}, async () => {
  const url = `${run.url}/v1/admin/stats`;
  const user = run.env.ADMIN_USER!;
  const password = run.env.ADMIN_PASSWORD!;
  const attempts: [string, Record<string, string>][] = [
    ['wrong user', basic('intruder', password)],
    ['wrong password', basic(user, `${password}!`)],
    ['empty password', basic(user, '')],
    ['no colon', { authorization: `Basic ${Buffer.from(`${user}${password}`).toString('base64')}` }],
    ['not base64', { authorization: 'Basic %%%' }],
    ['bearer instead', { authorization: 'Bearer abc' }],
  ];
  for (const [what, headers] of attempts) {
    const res = await http(url, { headers });
    expect(res.status, what).toBe(401);
    expectEnvelope(res, 401);
    expect(res.headers.get('www-authenticate') ?? '', what).toMatch(/^Basic realm="[^"]+"/i);
  }
  const ok = await http(url, { headers: basic(user, password) });
  expect(ok.status).toBe(200);
});

graded('The rate limit counts per client: one client\'s 429 does not block another', {
  points: 2,
  hint: 'Key the counters by the authenticated client (the token\'s sub, the partner key, the admin user), not one counter for everyone.',
}, async () => {
  const small = await startLab({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' } });
  try {
    const a = mintToken(small, { subject: 'client-a', scope: ['orders:read'] });
    const b = mintToken(small, { subject: 'client-b', scope: ['orders:read'] });
    for (let i = 0; i < 2; i++) expect((await http(`${small.url}/v1/orders`, { headers: bearer(a) })).status).toBe(200);
    expectEnvelope(await http(`${small.url}/v1/orders`, { headers: bearer(a) }), 429);
    const other = await http(`${small.url}/v1/orders`, { headers: bearer(b) });
    expect(other.status, 'client-b has its own budget').toBe(200);
    const partner = await http(`${small.url}/v1/partner/orders/ord_x`, { headers: { 'x-api-key': small.env.PARTNER_API_KEYS!.split(',')[0]! } });
    expect(partner.status, 'a partner has its own budget (404: the order does not exist there)').toBe(404);
  } finally {
    await small.stop();
  }
});

graded('The rate limit window resets: after Retry-After the client is served again', {
  points: 2,
  hint: 'When the window is over, start counting again from zero (or refill the bucket); Retry-After says how many seconds that takes.',
}, async () => {
  const small = await startLab({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '1500' } });
  try {
    const token = mintToken(small, { subject: 'bursty-app', scope: ['orders:read'] });
    let limited: Awaited<ReturnType<typeof http>> | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await http(`${small.url}/v1/orders`, { headers: bearer(token) });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited, 'a burst of 10 requests hits a limit of 2 per 1.5 s').toBeDefined();
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter >= 1 && retryAfter <= 2, `Retry-After for a 1.5 s window is 1 or 2 (got ${retryAfter})`).toBe(true);
    await waitFor(async () => (await http(`${small.url}/v1/orders`, { headers: bearer(token) })).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 250,
      message: 'the client to be served again after the window',
    });
  } finally {
    await small.stop();
  }
});
