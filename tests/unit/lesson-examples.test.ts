// The lessons show code from lessons/examples/** (VitePress includes). `npx tsc --noEmit` typechecks those files;
// this test imports each one and runs a little of what the lesson says it does, in-process, without brokers or ports.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import { OpenApiContract, openApiProblems, type SeenReply } from '../../cli/harness/testkit/openapi.ts';
import { createLibraryApp } from '../../lessons/examples/02-rest-apis/library.ts';
import { libraryOpenApi } from '../../lessons/examples/02-rest-apis/library-openapi.ts';
import {
  createTrackingApp,
  jwksVerifier,
  parseBasic,
  slidingWindow,
} from '../../lessons/examples/03-securing-apis/tracking.ts';
import {
  buyLabel,
  createShopApp,
  openInbox,
  verifyStandardWebhook,
} from '../../lessons/examples/04-webhooks/carrier-webhooks.ts';
import {
  backoffMs,
  createSender,
  newSubscription,
  retryAfterMs,
  type Subscription,
} from '../../lessons/examples/04-webhooks/sender.ts';
import { createStoreReceiver, recentIds } from '../../lessons/examples/04-webhooks/store-webhooks.ts';
import {
  allowSources,
  githubHookRanges,
  inRanges,
  shapeProblems,
  storeDeadline,
} from '../../lessons/examples/04-webhooks/defences.ts';
import { Hono } from 'hono';
import {
  createScanApp,
  declareParcelTopology,
  parcelNames,
} from '../../lessons/examples/07-rabbitmq/parcel-routing.ts';
import { resizeHandler, resizeNames } from '../../lessons/examples/07-rabbitmq/resize-worker.ts';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { createLocations, parseScan, scanHandler } from '../../lessons/examples/08-kafka/parcel-scans.ts';
import { afterEach, vi } from 'vitest';
import {
  Bulkhead,
  CircuitBreaker,
  CircuitOpenError,
  HttpError,
  getStock,
  inventoryClient,
  retryAfterMs as parseRetryAfter06,
  withRetry,
} from '../../lessons/examples/06-microservices/resilience.ts';
import { DatabaseSync } from 'node:sqlite';
import {
  Refused,
  bookTrip,
  createTripLog,
  runSaga,
  type TripStep,
} from '../../lessons/examples/06-microservices/saga.ts';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('lesson 02: the library API', () => {
  test('creates, reads with ETag/304, updates with If-Match/412, deletes idempotently', async () => {
    const app = createLibraryApp();
    const created = await app.request(
      '/v1/books',
      json({ isbn: '9780262033848', title: 'Algorithms', author: 'Cormen' }),
    );
    expect(created.status).toBe(201);
    const book = (await created.json()) as { id: string; shelf: null };
    expect(book.shelf).toBeNull();
    expect(created.headers.get('Location')).toBe(`/v1/books/${book.id}`);
    const etag = created.headers.get('ETag')!;
    expect((await app.request(`/v1/books/${book.id}`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const patched = await app.request(`/v1/books/${book.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'If-Match': etag },
      body: '{"shelf":"B12"}',
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('ETag')).not.toBe(etag);
    const stale = await app.request(`/v1/books/${book.id}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'If-Match': etag },
      body: '{}',
    });
    expect(stale.status).toBe(412);
    expect((await app.request(`/v1/books/${book.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/v1/books/${book.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  test('errors: 415, 400 with every field, 409, 405 with Allow, bad query values', async () => {
    const app = createLibraryApp();
    expect(
      (await app.request('/v1/books', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }))
        .status,
    ).toBe(415);
    expect(
      (await app.request('/v1/books', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' }))
        .status,
    ).toBe(400);
    const invalid = await app.request('/v1/books', json({ isbn: '12', title: '' }));
    const body = (await invalid.json()) as { error: { details: { field: string }[]; request_id: string } };
    expect(invalid.status).toBe(400);
    expect(body.error.details.map((d) => d.field)).toEqual(['isbn', 'title', 'author']);
    expect(invalid.headers.get('X-Request-Id')).toBe(body.error.request_id);
    await app.request('/v1/books', json({ isbn: '9780262033848', title: 'A', author: 'B' }));
    expect((await app.request('/v1/books', json({ isbn: '9780262033848', title: 'C', author: 'D' }))).status).toBe(409);
    const notAllowed = await app.request('/v1/books', { method: 'DELETE' });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers.get('Allow')).toBe('GET, HEAD, POST');
    const badQuery = await app.request('/v1/books?page=0&sort=year');
    expect(((await badQuery.json()) as typeof body).error.details.map((d) => d.field)).toEqual(['page', 'sort']);
  });

  test('lists page by page, sorted by title then id', async () => {
    const app = createLibraryApp();
    for (const [i, title] of ['C', 'A', 'B'].entries())
      await app.request('/v1/books', json({ isbn: `978000000000${i}`, title, author: 'X' }));
    const res = await app.request('/v1/books?per_page=2&page=2&sort=-title');
    expect(await res.json()).toMatchObject({
      data: [{ title: 'A' }],
      pagination: { page: 2, per_page: 2, total: 3, total_pages: 2 },
    });
  });

  test('a loan retried with its Idempotency-Key is replayed; the key with another body is 422', async () => {
    const app = createLibraryApp();
    const book = (await (
      await app.request('/v1/books', json({ isbn: '9780262033848', title: 'A', author: 'B' }))
    ).json()) as { id: string };
    const send = (body: unknown) =>
      app.request(`/v1/books/${book.id}/loans`, json(body, { 'Idempotency-Key': 'loan-key-0001' }));
    const first = await send({ member_id: 'mem_1', days: 14 });
    const again = await app.request(`/v1/books/${book.id}/loans`, {
      ...json(null, { 'Idempotency-Key': 'loan-key-0001' }),
      body: '{ "member_id": "mem_1",\n  "days": 14 }',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect((await send({ member_id: 'mem_1', days: 7 })).status).toBe(422);
  });

  test('serves a valid OpenAPI document that describes every route, and every answer matches it', async () => {
    const app = createLibraryApp();
    const served = await app.request('/openapi.json');
    expect(served.headers.get('Content-Type')).toMatch(/^application\/json/);
    const document: unknown = await served.json();
    expect(document).toEqual(libraryOpenApi);
    expect(await openApiProblems(document)).toEqual([]);
    const contract = OpenApiContract.from(document);
    const seen = async (res: Response): Promise<SeenReply> => ({
      status: res.status,
      headers: res.headers,
      text: await res.text(),
    });
    const calls: [string, string, number, SeenReply][] = [];
    const call = async (method: string, template: string, path: string, init: RequestInit = {}) => {
      const reply = await seen(await app.request(path, { ...init, method }));
      calls.push([method, template, reply.status, reply]);
      return reply;
    };
    const created = await call(
      'POST',
      '/v1/books',
      '/v1/books',
      json({ isbn: '9780262033848', title: 'A', author: 'B' }),
    );
    const id = (JSON.parse(created.text) as { id: string }).id;
    const etag = created.headers.get('ETag')!;
    await call('POST', '/v1/books', '/v1/books', json({ isbn: '9780262033848', title: 'Twin', author: 'B' }));
    await call('POST', '/v1/books', '/v1/books', json({ isbn: '123', title: '' }));
    await call('POST', '/v1/books', '/v1/books', { body: 'isbn=1', headers: { 'Content-Type': 'text/plain' } });
    await call('GET', '/v1/books', '/v1/books?per_page=5');
    await call('GET', '/v1/books/{id}', `/v1/books/${id}`);
    await call('GET', '/v1/books/{id}', `/v1/books/${id}`, { headers: { 'If-None-Match': etag } });
    await call('PATCH', '/v1/books/{id}', `/v1/books/${id}`, { ...json({ shelf: 'B12' }), method: 'PATCH' });
    await call('PUT', '/v1/books/{id}', `/v1/books/${id}`, {
      ...json({ isbn: '9780262033848', title: 'A', author: 'B' }, { 'If-Match': etag }),
    });
    await call(
      'POST',
      '/v1/books/{id}/loans',
      `/v1/books/${id}/loans`,
      json({ member_id: 'mem_7', days: 14 }, { 'Idempotency-Key': 'loan-key-0002' }),
    );
    await call(
      'POST',
      '/v1/books/{id}/loans',
      `/v1/books/${id}/loans`,
      json({ member_id: 'mem_7', days: 3 }, { 'Idempotency-Key': 'loan-key-0002' }),
    );
    await call('DELETE', '/v1/books/{id}', `/v1/books/${id}`);
    await call('GET', '/v1/books/{id}', `/v1/books/${id}`);
    expect(calls.map(([method, , status]) => `${method} ${status}`)).toEqual([
      'POST 201',
      'POST 409',
      'POST 400',
      'POST 415',
      'GET 200',
      'GET 200',
      'GET 304',
      'PATCH 200',
      'PUT 412',
      'POST 201',
      'POST 422',
      'DELETE 204',
      'GET 404',
    ]);
    for (const [method, template, , reply] of calls) expect(contract.check(method, template, reply)).toEqual([]);
    // The check is not blind: a document that calls the shelf a number is caught on the first answer.
    const wrong = structuredClone(libraryOpenApi);
    wrong.components.schemas.Book.properties.shelf = { type: 'number' } as never;
    expect(OpenApiContract.from(wrong).check('GET', '/v1/books/{id}', calls[5]![3])).toEqual([
      expect.stringContaining('shelf must be number'),
    ]);
  });
});

describe('lesson 03: the parcel-tracking API', () => {
  const issuer = 'http://issuer.test';
  const audience = 'tracking-api';
  const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const first = keyPair();
  const jwk = (k: ReturnType<typeof keyPair>, kid: string) => ({
    ...k.publicKey.export({ format: 'jwk' }),
    kid,
    alg: 'RS256',
    use: 'sig',
  });

  function setup() {
    let published = [jwk(first, 'k1')];
    let fetches = 0;
    const verify = jwksVerifier({
      issuer,
      audience,
      refetchAfterMs: 0,
      fetchJwks: async () => {
        fetches++;
        return { keys: published };
      },
    });
    const app = createTrackingApp({
      courierKeys: { dhl: 'key-dhl-123', ups: 'key-ups-456' },
      ops: { user: 'ops', password: 'a:b:c' },
      verify,
      rateLimit: { max: 3, windowMs: 60_000 },
    });
    return { app, publish: (keys: ReturnType<typeof jwk>[]) => (published = keys), fetches: () => fetches };
  }
  const token = (k: ReturnType<typeof keyPair>, kid: string, aud = audience) =>
    jwt.sign({ sub: 'shop', scope: 'parcels:read' }, k.privateKey, {
      algorithm: 'RS256',
      keyid: kid,
      issuer,
      audience: aud,
      expiresIn: 60,
    });
  const get = (app: ReturnType<typeof setup>['app'], auth?: string) =>
    app.request('/v1/parcels/p1', { headers: auth ? { Authorization: auth } : {} });

  test('couriers post with their key; ops log in with Basic (password with colons)', async () => {
    const { app } = setup();
    expect((await app.request('/v1/scans', json({ parcel: 'p1', status: 'picked_up' }))).status).toBe(401);
    expect(
      (await app.request('/v1/scans', json({ parcel: 'p1', status: 'x' }, { 'X-Courier-Key': 'key-dhl-124' }))).status,
    ).toBe(401);
    const ok = await app.request(
      '/v1/scans',
      json({ parcel: 'p1', status: 'picked_up' }, { 'X-Courier-Key': 'key-ups-456' }),
    );
    expect(await ok.json()).toEqual({ recorded: true, by: 'courier:ups' });
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(parseBasic(basic('ops:a:b:c'))).toEqual({ user: 'ops', password: 'a:b:c' });
    const refused = await app.request('/v1/ops/summary', { headers: { Authorization: basic('ops:a:b') } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('WWW-Authenticate')).toMatch(/^Basic realm="tracking ops"/);
    expect((await app.request('/v1/ops/summary', { headers: { Authorization: basic('ops:a:b:c') } })).status).toBe(200);
  });

  test('bearer tokens: 401 with the challenge, 403 for a missing scope, forgeries refused, a rotated key picked up', async () => {
    const { app, publish } = setup();
    const none = await get(app);
    expect(none.status).toBe(401);
    expect(none.headers.get('WWW-Authenticate')).toBe('Bearer realm="tracking"');
    expect((await get(app, `Bearer ${token(first, 'k1')}`)).status).toBe(404); // authenticated; no such parcel yet
    const noScope = await app.request('/v1/parcels/p1', {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token(first, 'k1')}` },
    });
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('WWW-Authenticate')).toContain('scope="parcels:admin"');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: issuer, aud: audience, scope: 'parcels:read' })).toString('base64url')}.`;
    const forged = await get(app, `Bearer ${unsigned}`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
    const pem = first.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = jwt.sign({ sub: 'x', scope: 'parcels:read' }, pem, {
      algorithm: 'HS256',
      keyid: 'k1',
      issuer,
      audience,
    });
    expect((await get(app, `Bearer ${confused}`)).status).toBe(401);
    expect((await get(app, `Bearer ${token(first, 'k1', 'other')}`)).status).toBe(401);
    const second = keyPair();
    publish([jwk(first, 'k1'), jwk(second, 'k2')]);
    expect((await get(app, `Bearer ${token(second, 'k2')}`)).status).toBe(404);
  });

  test('the issuer unreachable is 503, not 401', async () => {
    const verify = jwksVerifier({ issuer, audience, fetchJwks: async () => Promise.reject(new Error('ECONNREFUSED')) });
    const app = createTrackingApp({
      courierKeys: {},
      ops: { user: 'u', password: 'p' },
      verify,
      rateLimit: { max: 1, windowMs: 1000 },
    });
    expect((await get(app, `Bearer ${token(first, 'k1')}`)).status).toBe(503);
  });

  test('the sliding window limits per client and says when to come back', async () => {
    const take = slidingWindow({ max: 2, windowMs: 10_000 });
    expect(take('a', 0).allowed).toBe(true);
    expect(take('a', 4_000).allowed).toBe(true);
    expect(take('b', 4_000).allowed).toBe(true);
    expect(take('a', 5_000)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 5 });
    expect(take('a', 10_001).allowed).toBe(true); // the request at 0 has slid out
    const { app } = setup();
    const post = () => app.request('/v1/scans', json({ parcel: 'p', status: 's' }, { 'X-Courier-Key': 'key-dhl-123' }));
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(201);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThanOrEqual(59);
  });
});

describe('lesson 04: webhooks', () => {
  const secret = `whsec_${Buffer.from('a shared secret of 32 bytes!!!!!').toString('base64')}`;
  const signed = (id: string, body: string, at = new Date()) => ({
    method: 'POST',
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  });

  test('the carrier receiver verifies, applies once, moves forward only, and remembers across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson04-'));
    try {
      const file = join(dir, 'inbox.jsonl');
      const notified: string[] = [];
      const start = () =>
        createShopApp({ inbox: openInbox(file), secret, notifyCustomer: async (s) => void notified.push(s.id) });
      openInbox(file).save({ id: 'shp_1', state: 'pending', label_id: 'lbl_1', events: [] });
      let app = start();
      const event = (state: string) =>
        JSON.stringify({ type: 'parcel.updated', data: { shipment_id: 'shp_1', state } });
      expect(
        (await app.request('/webhooks/carrier', { ...signed('msg_1', event('delivered')), body: event('in_transit') }))
          .status,
      ).toBe(400);
      expect(
        (await app.request('/webhooks/carrier', signed('msg_old', event('in_transit'), new Date(Date.now() - 600_000))))
          .status,
      ).toBe(400);
      expect((await app.request('/webhooks/carrier', signed('msg_1', event('delivered')))).status).toBe(200);
      expect((await app.request('/webhooks/carrier', signed('msg_2', event('in_transit')))).status).toBe(200);
      writeFileSync(file, readFileSync(file, 'utf8') + '{"eventId":"msg_torn","shipm'); // a crash mid-append
      app = start(); // a restart
      const again = await app.request('/webhooks/carrier', signed('msg_1', event('delivered')));
      expect(await again.json()).toEqual({ received: true, duplicate: true });
      expect(openInbox(file).get('shp_1')).toMatchObject({ state: 'delivered', events: ['msg_1', 'msg_2'] });
      await new Promise((r) => setImmediate(r));
      expect(notified).toEqual(['shp_1']);
      expect(verifyStandardWebhook(secret, 'x', new Headers(signed('m', 'x').headers))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('buying a label saves the shipment first and retries with one Idempotency-Key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson04-'));
    try {
      const inbox = openInbox(join(dir, 'inbox.jsonl'));
      const keys: (string | null)[] = [];
      let calls = 0;
      const carrier = async (req: Request) => {
        keys.push(req.headers.get('Idempotency-Key'));
        expect(inbox.get('shp_9')?.state).toBe('pending'); // saved before the call
        return ++calls === 1 ? new Response('busy', { status: 503 }) : Response.json({ id: 'lbl_9' });
      };
      expect(await buyLabel(inbox, 'shp_9', carrier)).toMatchObject({ status: 201, body: { label_id: 'lbl_9' } });
      expect(keys).toEqual(['label-shp_9', 'label-shp_9']);
      expect((await buyLabel(inbox, 'shp_10', async () => new Response(null, { status: 422 }))).status).toBe(502);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the store receiver checks the body HMAC, dedupes deliveries and answers per topic', async () => {
    const restocked: number[][] = [];
    const app = createStoreReceiver({ secret: 's3cret', restock: async (ids) => void restocked.push(ids) });
    const body = '{"id": 7, "line_items": [{"product_id": 42}]}';
    const hmac = createHmac('sha256', 's3cret').update(body).digest('base64');
    const send = (headers: Record<string, string>) => app.request('/webhooks/store', { method: 'POST', headers, body });
    expect((await send({ 'X-Shopify-Hmac-Sha256': 'sha256=abc', 'X-Shopify-Webhook-Id': 'd1' })).status).toBe(401);
    expect(
      (
        await send({
          'X-Shopify-Hmac-Sha256': hmac,
          'X-Shopify-Webhook-Id': 'd1',
          'X-Shopify-Topic': 'orders/cancelled',
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await send({
          'X-Shopify-Hmac-Sha256': hmac,
          'X-Shopify-Webhook-Id': 'd1',
          'X-Shopify-Topic': 'orders/cancelled',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send({
          'X-Shopify-Hmac-Sha256': hmac,
          'X-Shopify-Webhook-Id': 'd2',
          'X-Shopify-Topic': 'products/update',
        })
      ).status,
    ).toBe(204);
    await new Promise((r) => setImmediate(r));
    expect(restocked).toEqual([[42]]);
    const firstTime = recentIds(1000);
    expect([firstTime('a', 0), firstTime('a', 500), firstTime('a', 1500)]).toEqual([true, false, true]);
  });

  test('the sender signs every attempt afresh, backs off, dead-letters, replays and stops at 410', async () => {
    expect(backoffMs(0, 1, () => 0)).toBe(5_000);
    expect(backoffMs(0, 1, () => 1)).toBe(10_000);
    expect(backoffMs(4)).toBeUndefined();
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(55_000);
    expect(newSubscription('ftp://x')).toEqual({ field: 'url', message: 'must be http or https' });

    const answers: number[] = [];
    const seen: { id: string | null; verified: unknown }[] = [];
    const waits: number[] = [];
    let sub: Subscription;
    const sender = createSender({
      sleep: async (ms) => void waits.push(ms),
      fetchImpl: (async (_url: string, init: RequestInit) => {
        const headers = init.headers as Record<string, string>;
        seen.push({
          id: headers['webhook-id']!,
          verified: new Webhook(sub.secret).verify(init.body as string, headers),
        });
        const status = answers.shift() ?? 200;
        return new Response(null, { status, headers: status === 429 ? { 'Retry-After': '120' } : {} });
      }) as typeof fetch,
    });
    sub = newSubscription('http://127.0.0.1:9/hook') as Subscription;
    sender.subscriptions.set(sub.id, sub);

    answers.push(500, 429);
    const { message, deliveries } = sender.publish('parcel.updated', { state: 'delivered' });
    await Promise.all(deliveries);
    expect(seen.map((s) => s.id)).toEqual([message.id, message.id, message.id]);
    expect(seen[2]!.verified).toMatchObject({ type: 'parcel.updated', data: { state: 'delivered' } });
    expect(waits[1]).toBe(120_000); // Retry-After is later than the jittered 30-60 s

    answers.push(500, 500, 500, 500, 500);
    await Promise.all(sender.publish('parcel.updated', {}).deliveries);
    const [letter] = [...sender.deadLetters.values()];
    expect(letter).toMatchObject({ attempts: 5, last_status: 500 });
    const replay = sender.replay(letter!.id);
    expect(replay.status).toBe(202);
    if (replay.status === 202) await replay.delivery;
    expect(sender.deadLetters.size).toBe(0);
    expect(seen.at(-1)!.id).toBe(letter!.message.id);

    answers.push(410);
    await Promise.all(sender.publish('parcel.updated', {}).deliveries);
    expect(sub.status).toBe('disabled');
    expect(sender.publish('parcel.updated', {}).deliveries).toHaveLength(0);
  });
});

describe('lesson 04: receiver defences', () => {
  test('ranges: IPv4, IPv6 and IPv4 seen through an IPv6 socket; nonsense is outside', () => {
    const inside = inRanges(['192.30.252.0/22', '2a0a:a440::/29', '203.0.113.7']);
    expect(
      ['192.30.252.1', '192.30.255.254', '::ffff:192.30.253.9', '2a0a:a440::1', '203.0.113.7'].map(inside),
    ).toEqual([true, true, true, true, true]);
    expect(
      ['192.30.251.255', '192.30.0.1', '::ffff:10.0.0.1', '2a0a:a450::1', '203.0.113.8', 'not-an-ip', ''].map(inside),
    ).toEqual([false, false, false, false, false, false, false]);
  });

  test("GitHub's hooks ranges are read from /meta; a /meta without them is an error", async () => {
    const asked: string[] = [];
    const ranges = await githubHookRanges(async (url) => {
      asked.push(url);
      return { hooks: ['192.30.252.0/22'], web: ['1.2.3.0/24'] };
    });
    expect(ranges).toEqual(['192.30.252.0/22']);
    expect(asked).toEqual(['https://api.github.com/meta']);
    await expect(githubHookRanges(async () => ({ web: [] }))).rejects.toThrow(/hooks/);
  });

  test('allowSources: 403 outside the ranges, 503 before any list is loaded, the last good list kept when a reload fails', async () => {
    let loads = 0;
    let fail = true;
    const app = new Hono();
    app.post(
      '/hook',
      allowSources(
        async () => {
          loads++;
          if (fail) throw new Error('meta is down');
          return ['192.30.252.0/22'];
        },
        (c) => c.req.header('x-test-peer'),
        0,
      ),
      (c) => c.json({ ok: true }),
    );
    const from = (ip: string) => app.request('/hook', { method: 'POST', headers: { 'x-test-peer': ip } });
    expect((await from('192.30.252.10')).status).toBe(503);
    fail = false;
    expect((await from('192.30.252.10')).status).toBe(200);
    expect((await from('8.8.8.8')).status).toBe(403);
    fail = true;
    expect((await from('192.30.252.10')).status).toBe(200); // the reload failed; the old list still answers
    expect(loads).toBe(4);
  });

  test('shapeProblems names each field the receiver cannot rely on', () => {
    const good = {
      id: 'evt_1',
      type: 'parcel.delivered',
      data: { tracking_number: 'JD014600006281', delivered_at: '2026-03-14T09:30:00Z' },
    };
    expect(shapeProblems(good)).toEqual([]);
    expect(
      shapeProblems({ id: 'x', type: 'parcel.lost', data: { tracking_number: 'a b', delivered_at: 'soon' } }).map(
        (p) => p.split(':')[0],
      ),
    ).toEqual(['id', 'type', 'data.tracking_number', 'data.delivered_at']);
    expect(shapeProblems(null)).toHaveLength(4);
  });

  test('storeDeadline answers 503 when storing is slow, and lets a fast store through', async () => {
    const app = new Hono();
    app.post('/hook', storeDeadline(50), async (c) => {
      await new Promise((r) => setTimeout(r, c.req.header('x-slow') ? 500 : 0));
      return c.json({ received: true });
    });
    expect((await app.request('/hook', { method: 'POST' })).status).toBe(200);
    expect((await app.request('/hook', { method: 'POST', headers: { 'x-slow': '1' } })).status).toBe(503);
  });
});

describe('lesson 07: RabbitMQ examples (a recording stand-in for the channel; the files also run against the broker)', () => {
  test('the parcel topology binds each queue as the lesson says, and the route builds two-word keys', async () => {
    const calls: string[] = [];
    const channel = new Proxy(
      {},
      {
        get:
          (_t, name) =>
          async (...args: unknown[]) =>
            void calls.push(`${String(name)} ${args.filter((a) => typeof a === 'string').join(' ')}`),
      },
    );
    const names = parcelNames('t');
    await declareParcelTopology(channel as ConfirmChannel, names);
    expect(calls).toContain('assertExchange t.scans topic');
    expect(calls).toContain('bindQueue t.scans.delivered t.scans *.delivered');
    expect(calls).toContain('bindQueue t.prices.app t.prices ');
    expect(calls.filter((c) => c.startsWith('assertQueue'))).toHaveLength(7);
    const published: string[] = [];
    const app = createScanApp(async (exchange, key) => void published.push(`${exchange} ${key}`), names);
    const post = (body: unknown) =>
      app.request('/scans', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await (await post({ carrier: 'dhl', event: 'delivered', parcel: 'p1' })).json()).toEqual({
      routingKey: 'dhl.delivered',
    });
    const bad = await post({ carrier: 'dhl.express', event: 'lost' });
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field),
    ).toEqual(['carrier', 'event', 'parcel']);
    expect(published).toEqual(['t.scans dhl.delivered']);
  });

  test('the resize worker acks after the work, skips duplicates, retries through the delay queue, dead-letters poison', async () => {
    const acts: string[] = [];
    const worker = {
      ack: (m: ConsumeMessage) => acts.push(`ack ${m.content}`),
      nack: (m: ConsumeMessage, _all: boolean, requeue: boolean) => acts.push(`nack ${m.content} requeue=${requeue}`),
    };
    const copies: { queue: string; headers: unknown }[] = [];
    const publisher = {
      sendToQueue: (queue: string, _b: Buffer, opts: { headers: unknown }, cb: (err: unknown) => void) => {
        copies.push({ queue, headers: opts.headers });
        cb(null);
      },
    };
    let failures = 1;
    const resized: string[] = [];
    const handle = resizeHandler({
      worker: worker as unknown as Channel,
      publisher: publisher as unknown as ConfirmChannel,
      names: resizeNames('t'),
      done: new Set(),
      resize: async (job) => {
        if (failures-- > 0) throw new Error('disk full');
        resized.push(job.id);
      },
    });
    const msg = (content: string, headers: Record<string, unknown> = {}) =>
      ({ content: Buffer.from(content), properties: { headers }, fields: {} }) as unknown as ConsumeMessage;
    const job = JSON.stringify({ id: 'j1', image: 'a.png', width: 100 });
    await handle(msg(job));
    expect(copies).toEqual([{ queue: 't.resize.retry', headers: { 'x-retries': 1, 'x-error': 'Error: disk full' } }]);
    await handle(msg(job, { 'x-retries': 1 }));
    await handle(msg(job, { 'x-retries': 1 })); // a duplicate: acked, not resized again
    await handle(msg('not json'));
    expect(resized).toEqual(['j1']);
    expect(acts).toEqual([`ack ${job}`, `ack ${job}`, `ack ${job}`, 'nack not json requeue=false']);
    failures = 10;
    await handle(msg(JSON.stringify({ id: 'j2', image: 'b.png', width: 1 }), { 'x-retries': 3 }));
    expect(acts.at(-1)).toMatch(/^nack .* requeue=false$/);
  });
});

describe('lesson 08: the Kafka scan handler (the demo in the file runs against the broker)', () => {
  test('applies each scan once, sets poison aside, and commits the next offset on every path', async () => {
    const locations = createLocations();
    const dead: { value: string; headers: Record<string, string> }[] = [];
    const commits: string[] = [];
    const handle = scanHandler({
      locations,
      deadLetter: async (m) => void dead.push({ value: String(m.value), headers: m.headers }),
      commit: async ([o]) => void commits.push(`${o!.partition}@${o!.offset}`),
    });
    const scan = (scanId: string, depot: string) =>
      Buffer.from(JSON.stringify({ scanId, parcelId: 'p1', type: 'in-transit', depot, at: '2026-01-01T00:00:00Z' }));
    const message = (offset: string, value: Buffer | null) => ({
      topic: 't',
      partition: 2,
      message: { offset, value, key: Buffer.from('p1'), headers: {}, timestamp: '0', attributes: 0 },
    });
    await handle(message('41', scan('s1', 'north')));
    await handle(message('42', scan('s1', 'south'))); // the same scan again: not applied twice
    await handle(message('43', Buffer.from('{"scanId":"s2"}')));
    await handle(message('44', null));
    expect(locations.get('p1')?.depot).toBe('north');
    expect(dead.map((d) => d.headers)).toEqual([
      { 'x-error': 'scanId or parcelId missing', 'x-source': 't/2/43' },
      { 'x-error': 'empty value', 'x-source': 't/2/44' },
    ]);
    expect(commits).toEqual(['2@42', '2@43', '2@44', '2@45']);
    expect(parseScan(Buffer.from('{"scanId":"a","parcelId":"b","type":"lost"}'))).toBe('unknown type "lost"');
  });
});

describe('lesson 06: timeout, retries, circuit breaker and bulkhead around a stock lookup (fetch stubbed, no ports)', () => {
  /** A stand-in inventory: each call takes the next scripted answer ('hang' never answers until the signal aborts). */
  function stubInventory(script: (number | 'hang')[]) {
    const calls: string[] = [];
    const fetchStub = async (url: string | URL | Request, init?: RequestInit) => {
      calls.push(String(url));
      const next = script.shift() ?? 200;
      if (next === 'hang') {
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
        );
      }
      const body = next === 200 ? { sku: 'tea-1', available: 7 } : { error: 'no' };
      return new Response(JSON.stringify(body), { status: next, headers: next === 429 ? { 'Retry-After': '0' } : {} });
    };
    vi.stubGlobal('fetch', fetchStub);
    return calls;
  }
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  const retry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

  test('a hung call ends with a TimeoutError; retries cover 503, 429 and timeouts but never a 404', async () => {
    stubInventory(['hang']);
    await expect(getStock('http://inventory', 'tea-1', 20)).rejects.toMatchObject({ name: 'TimeoutError' });
    let calls = stubInventory([503, 429, 200]);
    await expect(withRetry(() => getStock('http://inventory', 'tea-1'), retry)).resolves.toEqual({
      sku: 'tea-1',
      available: 7,
    });
    expect(calls).toHaveLength(3);
    calls = stubInventory(['hang', 200]);
    await expect(withRetry(() => getStock('http://inventory', 'tea-1', 20), retry)).resolves.toMatchObject({
      available: 7,
    });
    calls = stubInventory([404, 200]);
    await expect(withRetry(() => getStock('http://inventory', 'tea-1'), retry)).rejects.toBeInstanceOf(HttpError);
    expect(calls).toHaveLength(1);
    expect(parseRetryAfter06('2')).toBe(2000);
  });

  test('the breaker opens after its threshold, fails fast, probes after the reset time and closes on success', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, resetAfterMs: 30 });
    const fail = () => Promise.reject(new Error('down'));
    await expect(breaker.call(fail)).rejects.toThrow('down');
    await expect(breaker.call(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    let called = false;
    await expect(breaker.call(async () => (called = true))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await expect(breaker.call(async () => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  test('the bulkhead refuses a call beyond its limit and frees its place even when a call fails', async () => {
    const bulkhead = new Bulkhead(1);
    let release!: () => void;
    const slow = bulkhead.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(bulkhead.run(async () => 'second')).rejects.toThrow('bulkhead full');
    release();
    await slow;
    await expect(bulkhead.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(bulkhead.run(async () => 'free again')).resolves.toBe('free again');
  });

  test('the stack: one client per dependency survives a brief outage and then stops calling a dead one', async () => {
    let calls = stubInventory([503, 200]);
    const client = inventoryClient('http://inventory', {
      concurrency: 2,
      retry,
      breaker: { failureThreshold: 1, resetAfterMs: 60_000 },
    });
    await expect(client.stock('tea-1')).resolves.toMatchObject({ available: 7 });
    expect(calls).toHaveLength(2);
    calls = stubInventory([500, 500, 500, 200]);
    await expect(client.stock('tea-1')).rejects.toBeInstanceOf(HttpError);
    expect(client.breaker.state).toBe('open');
    await expect(client.stock('tea-1')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveLength(3);
  });
});

describe('lesson 06: sagas, in memory and with a log in SQLite (vendors faked in-process)', () => {
  test('runSaga undoes the steps done, newest first, when a later one fails', async () => {
    const seen: string[] = [];
    const step = (name: string, fails = false) => ({
      name,
      run: async () => {
        seen.push(`run ${name}`);
        if (fails) throw new Error('no courier');
      },
      compensate: async () => {
        seen.push(`undo ${name}`);
      },
    });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runSaga([step('order'), step('pay'), step('ship', true)], {})).toBe('compensated');
    expect(seen).toEqual(['run order', 'run pay', 'run ship', 'undo pay', 'undo order']);
    expect(await runSaga([step('order'), step('pay')], {})).toBe('completed');
  });

  /** A vendor that honours idempotency keys as Stripe does, and counts what it really did. */
  function vendor(name: string, options: { refuse?: boolean; crashAfterBooking?: boolean } = {}) {
    const byKey = new Map<string, string>();
    const state = { booked: 0, cancelled: 0, crash: options.crashAfterBooking ?? false };
    const step: TripStep = {
      name,
      async book(key) {
        if (options.refuse) throw new Refused(`${name}: fully booked`);
        if (!byKey.has(key)) {
          byKey.set(key, `${name}-${byKey.size + 1}`);
          state.booked++;
        }
        if (state.crash) {
          state.crash = false;
          throw new Error('the process died before the answer was written down');
        }
        return byKey.get(key)!;
      },
      async cancel(_reference, key) {
        if (!byKey.has(key)) {
          byKey.set(key, 'cancelled');
          state.cancelled++;
        }
      },
    };
    return { step, state };
  }

  test('bookTrip picks up after a crash: the step found started is asked again with its key, and booked once', async () => {
    const log = createTripLog(new DatabaseSync(':memory:'));
    const flight = vendor('flight');
    const hotel = vendor('hotel', { crashAfterBooking: true });
    const car = vendor('car');
    const steps = [flight.step, hotel.step, car.step];
    await expect(bookTrip(log, 'trip-17', steps)).rejects.toThrow('the process died');
    expect(log.get('trip-17', 'hotel')?.state).toBe('started');
    expect(await bookTrip(log, 'trip-17', steps)).toBe('booked');
    expect([flight.state.booked, hotel.state.booked, car.state.booked]).toEqual([1, 1, 1]);
    expect(log.get('trip-17', 'hotel')).toEqual({ state: 'booked', reference: 'hotel-1' });
    expect(await bookTrip(log, 'trip-17', steps)).toBe('booked');
    expect(flight.state.booked).toBe(1);
  });

  test('bookTrip cancels what was booked, newest first, once, when a vendor says no', async () => {
    const log = createTripLog(new DatabaseSync(':memory:'));
    const order: string[] = [];
    const flight = vendor('flight');
    const hotel = vendor('hotel');
    const car = vendor('car', { refuse: true });
    for (const v of [flight, hotel]) {
      const cancel = v.step.cancel;
      v.step.cancel = async (reference, key) => {
        order.push(reference);
        await cancel(reference, key);
      };
    }
    const steps = [flight.step, hotel.step, car.step];
    expect(await bookTrip(log, 'trip-18', steps)).toBe('cancelled');
    expect(order).toEqual(['hotel-1', 'flight-1']);
    expect(await bookTrip(log, 'trip-18', steps)).toBe('cancelled');
    expect([flight.state.cancelled, hotel.state.cancelled]).toEqual([1, 1]);
    expect(order).toHaveLength(2);
  });
});
