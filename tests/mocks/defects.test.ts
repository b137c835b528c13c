// Regression tests for three inputs that once broke a mock (issue #13), each black-box over HTTP on 127.0.0.1:
// a Stripe form field that reached Object.prototype, a 413 that left the connection open and then reset it, and an
// OAuth control request whose string `exp` made signing throw (500).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

const KEY = 'sk_test_defects_regression';
const FORM = { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' };

describe('Stripe: a parameter name cannot reach a prototype', () => {
  let stripe: StartedMock;
  beforeAll(async () => {
    stripe = await startMock('stripe', { timeScale: 0.0001 });
  });
  afterAll(() => stripe.close());

  const post = (path: string, body: string) => fetch(`${stripe.url}${path}`, { method: 'POST', headers: FORM, body });
  const listCount = async () => {
    const res = await fetch(`${stripe.url}/v1/customers?limit=100`, { headers: FORM });
    return ((await res.json()) as { data: unknown[] }).data.length;
  };

  it.each([
    ['__proto__[limit]=1', '__proto__[limit]'],
    ['constructor[prototype][limit]=1', 'constructor[prototype][limit]'],
    ['email=a@example.com&metadata[__proto__][x]=1', 'metadata[__proto__][x]'],
    ['prototype=1', 'prototype'],
  ])('POST %s is refused with 400 parameter_unknown, and nothing is polluted or created', async (body, param) => {
    await post('/v1/customers', 'email=first@example.com');
    await post('/v1/customers', 'email=second@example.com');
    const before = await listCount();
    const res = await post('/v1/customers', body);
    const text = await res.text();
    const said = `POST /v1/customers ${body} → ${res.status} ${text}`;
    expect(res.status, said).toBe(400);
    expect(JSON.parse(text), said).toMatchObject({
      error: { type: 'invalid_request_error', code: 'parameter_unknown', param },
    });
    expect(({} as Record<string, unknown>).limit, 'Object.prototype.limit').toBeUndefined();
    expect(({} as Record<string, unknown>).x, 'Object.prototype.x').toBeUndefined();
    // Lists still page by the default limit, writes and the control API still work.
    expect(await listCount()).toBe(before);
    expect((await post('/v1/customers', 'email=third@example.com')).status).toBe(200);
    expect((await controlFetch(stripe, '/_control/reset', { method: 'POST' })).status).toBe(200);
  });

  it('a query string with __proto__ is refused the same way', async () => {
    const res = await fetch(`${stripe.url}/v1/customers?__proto__[limit]=1`, { headers: FORM });
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'parameter_unknown', param: '__proto__[limit]' } });
    expect(({} as Record<string, unknown>).limit).toBeUndefined();
  });

  it('a metadata key named constructor is still refused, other nested keys still work', async () => {
    const ok = await post('/v1/customers', 'metadata[order]=7&metadata[note]=x');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { metadata: unknown }).metadata).toEqual({ order: '7', note: 'x' });
    expect((await post('/v1/customers', 'metadata[constructor]=1')).status).toBe(400);
  });
});

describe('Stripe: a rejected write changes nothing (found by the fuzzer)', () => {
  let stripe: StartedMock;
  beforeAll(async () => {
    stripe = await startMock('stripe', { timeScale: 0.0001 });
  });
  afterAll(() => stripe.close());
  const post = (path: string, body: string, key?: string) =>
    fetch(`${stripe.url}${path}`, {
      method: 'POST',
      headers: { ...FORM, ...(key ? { 'idempotency-key': key } : {}) },
      body,
    });
  const get = async (path: string) =>
    (await (await fetch(`${stripe.url}${path}`, { headers: FORM })).json()) as { data: Array<Record<string, unknown>> };

  it('a create naming a missing PaymentMethod creates no PaymentIntent, sends no event, and one key still creates one object', async () => {
    await controlFetch(stripe, '/_control/reset', { method: 'POST' });
    const bad = await post(
      '/v1/payment_intents',
      'amount=2000&currency=usd&confirm=true&payment_method=card_visa',
      'order-1',
    );
    const text = await bad.text();
    expect(bad.status, text).toBe(404);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'resource_missing', param: 'payment_method' } });
    expect((await get('/v1/payment_intents')).data, 'payment intents after the rejected create').toEqual([]);
    expect((await get('/v1/events')).data, 'events after the rejected create').toEqual([]);
    // The corrected retry with the same key creates exactly one PaymentIntent; a replay answers the same one.
    const good = await post(
      '/v1/payment_intents',
      'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa',
      'order-2',
    );
    const again = await post(
      '/v1/payment_intents',
      'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa',
      'order-2',
    );
    expect(good.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(((await good.json()) as { id: string }).id);
    expect((await get('/v1/payment_intents')).data).toHaveLength(1);
  });

  it('an update with one bad parameter leaves the PaymentIntent and the endpoint as they were', async () => {
    const created = (await (await post('/v1/payment_intents', 'amount=2000&currency=usd')).json()) as { id: string };
    const bad = await post(`/v1/payment_intents/${created.id}`, 'amount=5000&currency=dollars&payment_method=pm_nope');
    expect(bad.status, await bad.text()).toBe(400);
    expect(
      await (await fetch(`${stripe.url}/v1/payment_intents/${created.id}`, { headers: FORM })).json(),
    ).toMatchObject({ amount: 2000, currency: 'usd', payment_method: null });
    const endpoint = (await (
      await post('/v1/webhook_endpoints', 'url=http://127.0.0.1:9/hook&enabled_events[]=*')
    ).json()) as { id: string };
    const badEndpoint = await post(
      `/v1/webhook_endpoints/${endpoint.id}`,
      'url=http://127.0.0.1:9/other&enabled_events[]=Not%20an%20event',
    );
    expect(badEndpoint.status, await badEndpoint.text()).toBe(400);
    expect(
      await (await fetch(`${stripe.url}/v1/webhook_endpoints/${endpoint.id}`, { headers: FORM })).json(),
    ).toMatchObject({ url: 'http://127.0.0.1:9/hook' });
  });
});

/** One HTTP/1.1 exchange on a raw socket: what came back, whether the server closed, and any socket error. */
function rawExchange(
  port: number,
  request: string | Buffer,
  extra?: string,
): Promise<{ text: string; closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, ...(error ? { error } : {}) });
    }, 5000);
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('error', (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ...(error ? { error } : {}) });
    });
    socket.write(request, () => {
      if (extra !== undefined) setTimeout(() => socket.writable && socket.write(extra), 100);
    });
  });
}

describe('a 413 closes the connection cleanly (every mock)', () => {
  const mocks: Record<string, StartedMock> = {};
  beforeAll(async () => {
    mocks.stripe = await startMock('stripe', { maxBodyBytes: 1024 });
    mocks.github = await startMock('github', { maxRequestBytes: 1024 });
    mocks.oauth = await startMock('oauth');
    mocks.carriers = await startMock('carriers');
  });
  afterAll(() => Promise.all(Object.values(mocks).map((m) => m.close())));

  // Bodies over each route's limit: Stripe and GitHub 1 KiB here, OAuth's token endpoint 16 KiB, DHL 8 KiB,
  // Postal 64 KiB, every control API 1 MiB (the shared control API's limit).
  const cases: Array<[string, string, Record<string, string>, number]> = [
    ['stripe', '/v1/customers', FORM, 300_000],
    ['stripe', '/_control/events', { 'content-type': 'application/json' }, 1_200_000],
    [
      'github',
      '/repos/octocat/hello-world/hooks',
      { authorization: 'token ghp_x', 'content-type': 'application/json' },
      300_000,
    ],
    ['oauth', '/oauth/token', { 'content-type': 'application/x-www-form-urlencoded' }, 300_000],
    ['oauth', '/_control/tokens', { 'content-type': 'application/json' }, 1_200_000],
    ['carriers', '/track/shipments', { 'content-type': 'application/json' }, 300_000],
    ['carriers', '/postal/tracking', { 'content-type': 'application/soap+xml' }, 300_000],
    ['carriers', '/_control/faults', { 'content-type': 'application/json' }, 1_200_000],
  ];

  it.each(cases)(
    '%s POST %s with a too-large body: 413, Connection: close, no reset; the next request works',
    async (name, path, headers, size) => {
      const mock = mocks[name]!;
      const body = 'x'.repeat(size);
      const head = Object.entries({ ...headers, 'x-control-token': mock.controlToken })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      // Announced length; then a follow-up request on the same socket, which the server must not have promised to read.
      const sized = await rawExchange(
        mock.port,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}Content-Length: ${size}\r\n\r\n${body}`,
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      );
      const said = `${name} POST ${path} (${size} bytes) → ${sized.text.slice(0, 300)} [closed=${sized.closed} error=${sized.error}]`;
      expect(sized.text, said).toMatch(/^HTTP\/1\.1 413 /);
      expect(sized.text, said).toMatch(/\r\nconnection: close\r\n/i);
      expect(sized.text, said).not.toMatch(/keep-alive/i);
      expect(sized.closed, said).toBe(true);
      expect(sized.error, said).toBeUndefined();
      // Chunked, no length: the limit is found while reading.
      const chunk = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      const chunked = await rawExchange(
        mock.port,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}Transfer-Encoding: chunked\r\n\r\n${chunk}`,
      );
      const saidChunked = `${name} POST ${path} chunked → ${chunked.text.slice(0, 300)} [closed=${chunked.closed} error=${chunked.error}]`;
      expect(chunked.text, saidChunked).toMatch(/^HTTP\/1\.1 413 /);
      expect(chunked.text, saidChunked).toMatch(/\r\nconnection: close\r\n/i);
      expect(chunked.error, saidChunked).toBeUndefined();
      // The same through fetch (undici's keep-alive pool): the 413, then a request that must not meet a dead socket.
      const first = await fetch(`${mock.url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'x-control-token': mock.controlToken },
        body,
      });
      await first.text();
      expect(first.status).toBe(413);
      const next = await fetch(`${mock.url}/nowhere`);
      await next.text();
      expect(next.status).toBe(404);
    },
  );
});

describe('OAuth control API: a claim of the wrong type is a 400 naming it', () => {
  let oauth: StartedMock;
  beforeAll(async () => {
    oauth = await startMock('oauth');
  });
  afterAll(() => oauth.close());

  const mint = (body: unknown) =>
    controlFetch(oauth, '/_control/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it.each(['exp', 'iat', 'nbf'])('claims.%s as a string', async (field) => {
    const res = await mint({ claims: { [field]: 'tomorrow' } });
    const text = await res.text();
    const said = `POST /_control/tokens claims.${field}="tomorrow" → ${res.status} ${text}`;
    expect(res.status, said).toBe(400);
    const body = JSON.parse(text) as { error: { code: string; message: string; details: Array<{ field: string }> } };
    expect(body.error.code, said).toBe('invalid_claims');
    expect(body.error.message, said).toContain(`claims.${field}`);
    expect(
      body.error.details.map((d) => d.field),
      said,
    ).toEqual([`claims.${field}`]);
  });

  it('numbers still mint, and other claims of the wrong type are named too', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = await mint({ claims: { exp: now + 60, iat: now, nbf: now } });
    expect(ok.status, await ok.clone().text()).toBe(201);
    const [, payload] = ((await ok.json()) as { access_token: string }).access_token.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      exp: now + 60,
      iat: now,
      nbf: now,
    });
    const bad = await mint({ claims: { aud: 5, sub: {}, exp: null } });
    const text = await bad.text();
    expect(bad.status, text).toBe(400);
    expect(
      (JSON.parse(text) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field).sort(),
    ).toEqual(['claims.aud', 'claims.exp', 'claims.sub']);
  });

  // Found by the fuzzer (seed 7): jsonwebtoken looked `valueOf` up on a plain object and crashed (500).
  it.each(['valueOf', 'toString', 'hasOwnProperty'])('a claim named %s is a 400 naming it, not a 500', async (name) => {
    const res = await mint({ claims: { [name]: {} } });
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(
      (JSON.parse(text) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field),
    ).toEqual([`claims.${name}`]);
  });
});
