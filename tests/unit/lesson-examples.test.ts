// The lessons show code from lessons/examples/** (VitePress includes). `npx tsc --noEmit` typechecks those files;
// this test imports each one and runs a little of what the lesson says it does, in-process, without brokers or ports.
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, test } from 'vitest';
import { createLibraryApp } from '../../lessons/examples/02-rest-apis/library.ts';
import { createTrackingApp, jwksVerifier, parseBasic, slidingWindow } from '../../lessons/examples/03-securing-apis/tracking.ts';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('lesson 02: the library API', () => {
  test('creates, reads with ETag/304, updates with If-Match/412, deletes idempotently', async () => {
    const app = createLibraryApp();
    const created = await app.request('/v1/books', json({ isbn: '9780262033848', title: 'Algorithms', author: 'Cormen' }));
    expect(created.status).toBe(201);
    const book = (await created.json()) as { id: string; shelf: null };
    expect(book.shelf).toBeNull();
    expect(created.headers.get('Location')).toBe(`/v1/books/${book.id}`);
    const etag = created.headers.get('ETag')!;
    expect((await app.request(`/v1/books/${book.id}`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const patched = await app.request(`/v1/books/${book.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', 'If-Match': etag }, body: '{"shelf":"B12"}' });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('ETag')).not.toBe(etag);
    const stale = await app.request(`/v1/books/${book.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'If-Match': etag }, body: '{}' });
    expect(stale.status).toBe(412);
    expect((await app.request(`/v1/books/${book.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/v1/books/${book.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  test('errors: 415, 400 with every field, 409, 405 with Allow, bad query values', async () => {
    const app = createLibraryApp();
    expect((await app.request('/v1/books', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await app.request('/v1/books', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' })).status).toBe(400);
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
    for (const [i, title] of ['C', 'A', 'B'].entries()) await app.request('/v1/books', json({ isbn: `978000000000${i}`, title, author: 'X' }));
    const res = await app.request('/v1/books?per_page=2&page=2&sort=-title');
    expect(await res.json()).toMatchObject({ data: [{ title: 'A' }], pagination: { page: 2, per_page: 2, total: 3, total_pages: 2 } });
  });

  test('a loan retried with its Idempotency-Key is replayed; the key with another body is 422', async () => {
    const app = createLibraryApp();
    const book = (await (await app.request('/v1/books', json({ isbn: '9780262033848', title: 'A', author: 'B' }))).json()) as { id: string };
    const send = (body: unknown) => app.request(`/v1/books/${book.id}/loans`, json(body, { 'Idempotency-Key': 'loan-key-0001' }));
    const first = await send({ member_id: 'mem_1', days: 14 });
    const again = await app.request(`/v1/books/${book.id}/loans`, { ...json(null, { 'Idempotency-Key': 'loan-key-0001' }), body: '{ "member_id": "mem_1",\n  "days": 14 }' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect((await send({ member_id: 'mem_1', days: 7 })).status).toBe(422);
  });
});

describe('lesson 03: the parcel-tracking API', () => {
  const issuer = 'http://issuer.test';
  const audience = 'tracking-api';
  const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const first = keyPair();
  const jwk = (k: ReturnType<typeof keyPair>, kid: string) => ({ ...k.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });

  function setup() {
    let published = [jwk(first, 'k1')];
    let fetches = 0;
    const verify = jwksVerifier({ issuer, audience, refetchAfterMs: 0, fetchJwks: async () => (fetches++, { keys: published }) });
    const app = createTrackingApp({ courierKeys: { dhl: 'key-dhl-123', ups: 'key-ups-456' }, ops: { user: 'ops', password: 'a:b:c' }, verify, rateLimit: { max: 3, windowMs: 60_000 } });
    return { app, publish: (keys: ReturnType<typeof jwk>[]) => (published = keys), fetches: () => fetches };
  }
  const token = (k: ReturnType<typeof keyPair>, kid: string, aud = audience) =>
    jwt.sign({ sub: 'shop', scope: 'parcels:read' }, k.privateKey, { algorithm: 'RS256', keyid: kid, issuer, audience: aud, expiresIn: 60 });
  const get = (app: ReturnType<typeof setup>['app'], auth?: string) => app.request('/v1/parcels/p1', { headers: auth ? { Authorization: auth } : {} });

  test('couriers post with their key; ops log in with Basic (password with colons)', async () => {
    const { app } = setup();
    expect((await app.request('/v1/scans', json({ parcel: 'p1', status: 'picked_up' }))).status).toBe(401);
    expect((await app.request('/v1/scans', json({ parcel: 'p1', status: 'x' }, { 'X-Courier-Key': 'key-dhl-124' }))).status).toBe(401);
    const ok = await app.request('/v1/scans', json({ parcel: 'p1', status: 'picked_up' }, { 'X-Courier-Key': 'key-ups-456' }));
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
    const noScope = await app.request('/v1/parcels/p1', { method: 'DELETE', headers: { Authorization: `Bearer ${token(first, 'k1')}` } });
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('WWW-Authenticate')).toContain('scope="parcels:admin"');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: issuer, aud: audience, scope: 'parcels:read' })).toString('base64url')}.`;
    const forged = await get(app, `Bearer ${unsigned}`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
    const pem = first.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = jwt.sign({ sub: 'x', scope: 'parcels:read' }, pem, { algorithm: 'HS256', keyid: 'k1', issuer, audience });
    expect((await get(app, `Bearer ${confused}`)).status).toBe(401);
    expect((await get(app, `Bearer ${token(first, 'k1', 'other')}`)).status).toBe(401);
    const second = keyPair();
    publish([jwk(first, 'k1'), jwk(second, 'k2')]);
    expect((await get(app, `Bearer ${token(second, 'k2')}`)).status).toBe(404);
  });

  test('the issuer unreachable is 503, not 401', async () => {
    const verify = jwksVerifier({ issuer, audience, fetchJwks: async () => Promise.reject(new Error('ECONNREFUSED')) });
    const app = createTrackingApp({ courierKeys: {}, ops: { user: 'u', password: 'p' }, verify, rateLimit: { max: 1, windowMs: 1000 } });
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
