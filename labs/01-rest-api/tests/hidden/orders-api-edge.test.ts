import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { createCustomer, createOrder, expectEnvelope, uniqueEmail } from '../api.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

graded('Malformed JSON answers 400 with the error envelope', {
  points: 1,
  hint: 'JSON.parse throws on a broken body: catch it and answer 400 (not 500) with the error envelope.',
}, async () => {
  const res = await http(`${run.url}/v1/customers`, {
    method: 'POST',
    body: '{"name": "Ada", "email": ',
    headers: { 'content-type': 'application/json' },
  });
  expectEnvelope(res, 400);
});

graded('A method a resource does not support answers 405 with an Allow header', {
  points: 2,
  hint: 'After the routes of a path, add app.all(path, …) that answers 405 and sets Allow to the methods that path supports.',
}, async () => {
  const customer = await createCustomer(run.url);
  const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
  const cases: [string, string, string[], string[]][] = [
    ['DELETE', '/v1/customers', ['GET', 'POST'], ['DELETE', 'PUT']],
    ['POST', `/v1/orders/${order.id}`, ['GET', 'PUT', 'PATCH', 'DELETE'], ['POST']],
    ['PUT', `/v1/customers/${customer.id}/orders`, ['GET', 'POST'], ['PUT', 'DELETE']],
  ];
  for (const [method, path, allowed, notAllowed] of cases) {
    const res = await http(`${run.url}${path}`, { method, json: method === 'DELETE' ? undefined : {} });
    expectEnvelope(res, 405);
    const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim().toUpperCase());
    for (const m of allowed) expect(allow, `${method} ${path}: Allow lists ${m}`).toContain(m);
    for (const m of notAllowed) expect(allow, `${method} ${path}: Allow does not list ${m}`).not.toContain(m);
  }
});

graded('Order lists filter by status and created_after', {
  points: 2,
  hint: 'Keep only orders whose status equals ?status=, and whose created_at is strictly later than ?created_after= (compare as dates); total counts the filtered list.',
}, async () => {
  const customer = await createCustomer(run.url);
  const a = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
  const b = await createOrder(run.url, customer.id, { total_cents: 200, currency: 'eur', status: 'paid' });
  const c = await createOrder(run.url, customer.id, { total_cents: 300, currency: 'eur', status: 'paid' });
  const base = `${run.url}/v1/customers/${customer.id}/orders`;
  const paid = await http(`${base}?status=paid`);
  expect(paid.status, paid.text.slice(0, 300)).toBe(200);
  expect(paid.json.data.map((o: { id: string }) => o.id).sort()).toEqual([b.id, c.id].sort());
  expect(paid.json.pagination.total).toBe(2);
  const pending = await http(`${base}?status=pending`);
  expect(pending.json.data.map((o: { id: string }) => o.id)).toEqual([a.id]);
  const after = await http(`${base}?created_after=${encodeURIComponent(b.created_at)}`);
  expect(after.json.data.map((o: { id: string }) => o.id), 'strictly after b').toEqual([c.id]);
  const both = await http(`${base}?status=paid&created_after=${encodeURIComponent(a.created_at)}&sort=created_at`);
  expect(both.json.data.map((o: { id: string }) => o.id)).toEqual([b.id, c.id]);
});

graded('Order lists sort by created_at both ways', {
  points: 2,
  hint: 'sort=created_at is oldest first, sort=-created_at newest first (the leading minus means descending); sort before you cut the page.',
}, async () => {
  const customer = await createCustomer(run.url);
  const ids: string[] = [];
  for (let i = 1; i <= 4; i++) ids.push((await createOrder(run.url, customer.id, { total_cents: i, currency: 'eur' })).id);
  const base = `${run.url}/v1/customers/${customer.id}/orders`;
  const oldest = await http(`${base}?sort=created_at`);
  expect(oldest.json.data.map((o: { id: string }) => o.id)).toEqual(ids);
  const newest = await http(`${base}?sort=-created_at`);
  expect(newest.json.data.map((o: { id: string }) => o.id)).toEqual([...ids].reverse());
  const secondPage = await http(`${base}?sort=-created_at&per_page=3&page=2`);
  expect(secondPage.json.data.map((o: { id: string }) => o.id), 'sorted before paging').toEqual([ids[0]]);
});

graded('Bad query values (page, per_page, status, created_after, sort) answer 400 naming the field', {
  points: 2,
  hint: 'Validate the query string like a body: page ≥ 1, per_page 1–100, a known status, an ISO 8601 created_after, sort created_at or -created_at. Name each bad one in details.',
}, async () => {
  const customer = await createCustomer(run.url);
  const base = `${run.url}/v1/customers/${customer.id}/orders`;
  const cases: [string, string][] = [
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['per_page=0', 'per_page'],
    ['per_page=1000', 'per_page'],
    ['status=payed', 'status'],
    ['created_after=yesterday', 'created_after'],
    ['sort=password', 'sort'],
  ];
  for (const [query, field] of cases) {
    const res = await http(`${base}?${query}`);
    expect(expectEnvelope(res, 400), `?${query}`).toContain(field);
  }
  const many = await http(`${base}?page=-1&per_page=x&sort=name`);
  expect(expectEnvelope(many, 400).sort(), 'every bad parameter is listed').toEqual(['page', 'per_page', 'sort']);
});

graded('PUT and PATCH validate like POST: 400 for invalid fields, 409 for an e-mail another customer has', {
  points: 2,
  hint: 'Run the same field checks on PUT and PATCH bodies; on an e-mail change, look for another customer (not this one) with that address.',
}, async () => {
  const ada = await createCustomer(run.url, 'Ada');
  const bob = await createCustomer(run.url, 'Bob');
  const badPatch = await http(`${run.url}/v1/customers/${bob.id}`, { method: 'PATCH', json: { email: 'nope' } });
  expect(expectEnvelope(badPatch, 400)).toEqual(['email']);
  const taken = await http(`${run.url}/v1/customers/${bob.id}`, { method: 'PATCH', json: { email: ada.email } });
  expectEnvelope(taken, 409);
  const keepOwn = await http(`${run.url}/v1/customers/${bob.id}`, { method: 'PUT', json: { name: 'Robert', email: bob.email } });
  expect(keepOwn.status, 'a customer may keep their own e-mail').toBe(200);
  expect(keepOwn.json).toMatchObject({ id: bob.id, name: 'Robert', email: bob.email });
  const newMail = uniqueEmail('bob');
  const moved = await http(`${run.url}/v1/customers/${bob.id}`, { method: 'PATCH', json: { email: newMail } });
  expect(moved.json).toMatchObject({ name: 'Robert', email: newMail });
  const order = await createOrder(run.url, bob.id, { total_cents: 100, currency: 'eur' });
  const badOrder = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PATCH', json: { total_cents: -5, currency: 'EURO' } });
  expect(expectEnvelope(badOrder, 400).sort()).toEqual(['currency', 'total_cents']);
  const text = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PATCH', body: 'status=paid', headers: { 'content-type': 'text/plain' } });
  expectEnvelope(text, 415);
});

graded('The same Idempotency-Key with a different body answers 422', {
  points: 2,
  hint: 'Store a fingerprint (a hash) of the request with the key; a key that comes back with another body is a client bug: 422, and no new order.',
}, async () => {
  const customer = await createCustomer(run.url);
  const headers = { 'idempotency-key': `reuse-${customer.id}` };
  const url = `${run.url}/v1/customers/${customer.id}/orders`;
  const first = await http(url, { method: 'POST', json: { total_cents: 1000, currency: 'eur' }, headers });
  expect(first.status).toBe(201);
  const changed = await http(url, { method: 'POST', json: { total_cents: 9000, currency: 'eur' }, headers });
  expectEnvelope(changed, 422);
  const list = await http(url);
  expect(list.json.pagination.total, 'still one order').toBe(1);
  expect(list.json.data[0].total_cents).toBe(1000);
});

graded('An ETag changes when the resource changes; a stale If-None-Match gets 200 and a stale If-Match gets 412', {
  points: 2,
  hint: 'Derive the ETag from the current JSON, so an update gives a new tag. If-None-Match with an old tag → 200 and the new body; If-Match with an old tag on PUT/PATCH → 412.',
}, async () => {
  const customer = await createCustomer(run.url);
  const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
  const oldTag = (await http(`${run.url}/v1/orders/${order.id}`)).headers.get('etag')!;
  const patched = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PATCH', json: { status: 'paid' }, headers: { 'if-match': oldTag } });
  expect(patched.status, 'If-Match with the current tag is allowed').toBe(200);
  const fresh = await http(`${run.url}/v1/orders/${order.id}`, { headers: { 'if-none-match': oldTag } });
  expect(fresh.status).toBe(200);
  expect(fresh.json.status).toBe('paid');
  expect(fresh.headers.get('etag')).not.toBe(oldTag);
  const lostUpdate = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PATCH', json: { status: 'cancelled' }, headers: { 'if-match': oldTag } });
  expectEnvelope(lostUpdate, 412);
  expect((await http(`${run.url}/v1/orders/${order.id}`)).json.status, 'the stale write changed nothing').toBe('paid');
});

graded('DELETE /v1/customers/{id} removes the customer and their orders', {
  points: 1,
  hint: 'Delete the customer\'s orders with the customer (or refuse with 409): an order must never point at a customer that is gone.',
}, async () => {
  const customer = await createCustomer(run.url);
  const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
  const res = await http(`${run.url}/v1/customers/${customer.id}`, { method: 'DELETE' });
  if (res.status === 409) return; // refusing to orphan the orders is also right
  expect(res.status).toBe(204);
  expectEnvelope(await http(`${run.url}/v1/customers/${customer.id}`), 404);
  expectEnvelope(await http(`${run.url}/v1/orders/${order.id}`), 404);
  expectEnvelope(await http(`${run.url}/v1/customers/${customer.id}/orders`), 404);
});
