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

graded('GET /health answers 200 with {"status":"ok"}', {
  points: 1,
  hint: 'The starter has this route already: keep it, and keep listening on process.env.PORT.',
}, async () => {
  const res = await http(`${run.url}/health`);
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ status: 'ok' });
});

graded('POST /v1/customers creates a customer: 201, a Location header and the stored customer', {
  points: 3,
  hint: 'Answer 201 (not 200), set Location to /v1/customers/<new id>, and return the customer with id, name, email, created_at and updated_at.',
}, async () => {
  const email = uniqueEmail('grace');
  const res = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Grace Hopper', email } });
  expect(res.status, res.text.slice(0, 300)).toBe(201);
  expect(res.json).toMatchObject({ name: 'Grace Hopper', email });
  expect(res.json.id, 'id').toBeTypeOf('string');
  expect(Number.isNaN(Date.parse(res.json.created_at)), 'created_at is a date-time').toBe(false);
  expect(Number.isNaN(Date.parse(res.json.updated_at)), 'updated_at is a date-time').toBe(false);
  const location = res.headers.get('location');
  expect(location, 'Location header').toBeTruthy();
  expect(new URL(location!, run.url).pathname).toBe(`/v1/customers/${res.json.id}`);
  const again = await http(new URL(location!, run.url).href);
  expect(again.status, 'GET on the Location URL').toBe(200);
  expect(again.json).toEqual(res.json);
});

graded('GET /v1/customers/{id} answers 404 with the error envelope for an unknown id', {
  points: 2,
  hint: 'When the repository has no such customer, answer 404 with { error: { code, message, details, request_id, timestamp } } (see the README).',
}, async () => {
  const res = await http(`${run.url}/v1/customers/cus_does-not-exist`);
  expectEnvelope(res, 404);
});

graded('POST /v1/customers with invalid fields answers 400 listing each invalid field', {
  points: 3,
  hint: 'Check every field before answering and put one { field, message } per problem in error.details; do not stop at the first one.',
}, async () => {
  const both = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: '', email: 'not-an-email' } });
  expect(expectEnvelope(both, 400).sort()).toEqual(['email', 'name']);
  const missing = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Ada' } });
  expect(expectEnvelope(missing, 400)).toEqual(['email']);
  const wrongType = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 42, email: uniqueEmail() } });
  expect(expectEnvelope(wrongType, 400)).toEqual(['name']);
});

graded('POST /v1/customers with an e-mail already in use answers 409', {
  points: 2,
  hint: 'Before creating, look for a customer with the same e-mail (ignoring upper/lower case) and answer 409 Conflict with the error envelope.',
}, async () => {
  const { email } = await createCustomer(run.url);
  const same = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Someone Else', email } });
  expectEnvelope(same, 409);
  const shouting = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Someone Else', email: email.toUpperCase() } });
  expectEnvelope(shouting, 409);
});

graded('POST with a body that is not application/json answers 415', {
  points: 2,
  hint: 'Look at the Content-Type request header before parsing: anything but application/json gets 415 Unsupported Media Type.',
}, async () => {
  const body = JSON.stringify({ name: 'Ada', email: uniqueEmail() });
  const res = await http(`${run.url}/v1/customers`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  expectEnvelope(res, 415);
  const form = await http(`${run.url}/v1/customers`, {
    method: 'POST',
    body: 'name=Ada',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expectEnvelope(form, 415);
});

graded('POST /v1/customers/{id}/orders creates a pending order, with Location /v1/orders/{id}', {
  points: 3,
  hint: 'Create the order for the customer in the URL (status "pending", note null unless given), answer 201 and set Location to /v1/orders/<new id>.',
}, async () => {
  const customer = await createCustomer(run.url);
  const res = await http(`${run.url}/v1/customers/${customer.id}/orders`, { method: 'POST', json: { total_cents: 4999, currency: 'eur' } });
  expect(res.status, res.text.slice(0, 300)).toBe(201);
  expect(res.json).toMatchObject({ customer_id: customer.id, status: 'pending', total_cents: 4999, currency: 'eur', note: null });
  expect(new URL(res.headers.get('location') ?? '/missing', run.url).pathname).toBe(`/v1/orders/${res.json.id}`);
  const read = await http(`${run.url}/v1/orders/${res.json.id}`);
  expect(read.status).toBe(200);
  expect(read.json).toEqual(res.json);
  const unknown = await http(`${run.url}/v1/customers/cus_nobody/orders`, { method: 'POST', json: { total_cents: 1, currency: 'eur' } });
  expectEnvelope(unknown, 404);
});

graded('PUT /v1/orders/{id} replaces the whole order; PATCH changes only the fields sent', {
  points: 3,
  hint: 'PUT: the body is the new order, so a field left out (note) goes back to its default. PATCH: merge the given fields into the stored order.',
}, async () => {
  const customer = await createCustomer(run.url);
  const order = await createOrder(run.url, customer.id, { total_cents: 1000, currency: 'eur', note: 'leave at the door' });
  const patched = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PATCH', json: { status: 'paid' } });
  expect(patched.status, patched.text.slice(0, 300)).toBe(200);
  expect(patched.json).toMatchObject({ id: order.id, status: 'paid', total_cents: 1000, currency: 'eur', note: 'leave at the door' });
  const replaced = await http(`${run.url}/v1/orders/${order.id}`, {
    method: 'PUT',
    json: { status: 'shipped', total_cents: 1200, currency: 'usd' },
  });
  expect(replaced.status, replaced.text.slice(0, 300)).toBe(200);
  expect(replaced.json).toMatchObject({ id: order.id, customer_id: customer.id, status: 'shipped', total_cents: 1200, currency: 'usd', note: null });
  expect(replaced.json.created_at, 'created_at never changes').toBe(order.created_at);
  const read = await http(`${run.url}/v1/orders/${order.id}`);
  expect(read.json).toEqual(replaced.json);
  const incomplete = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PUT', json: { status: 'paid' } });
  expect(expectEnvelope(incomplete, 400).sort()).toEqual(['currency', 'total_cents']);
});

graded('DELETE /v1/orders/{id} answers 204, then the order is gone and a second DELETE answers 404', {
  points: 3,
  hint: 'Remove the order from the repository and answer 204 with no body. Afterwards GET and DELETE both find nothing: 404.',
}, async () => {
  const customer = await createCustomer(run.url);
  const order = await createOrder(run.url, customer.id, { total_cents: 500, currency: 'eur' });
  const first = await http(`${run.url}/v1/orders/${order.id}`, { method: 'DELETE' });
  expect(first.status).toBe(204);
  expect(first.text).toBe('');
  expectEnvelope(await http(`${run.url}/v1/orders/${order.id}`), 404);
  expectEnvelope(await http(`${run.url}/v1/orders/${order.id}`, { method: 'DELETE' }), 404);
});

graded('GET /v1/customers/{id}/orders pages with page, per_page, total and total_pages', {
  points: 3,
  hint: 'Answer { data: [...], pagination: { page, per_page, total, total_pages } }: slice the list, and total_pages rounds up (5 orders, 2 per page = 3 pages).',
}, async () => {
  const customer = await createCustomer(run.url);
  const created = [];
  for (let i = 1; i <= 5; i++) created.push(await createOrder(run.url, customer.id, { total_cents: i * 100, currency: 'eur' }));
  const ids = new Set<string>();
  for (const page of [1, 2, 3]) {
    const res = await http(`${run.url}/v1/customers/${customer.id}/orders?page=${page}&per_page=2`);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.json.pagination).toEqual({ page, per_page: 2, total: 5, total_pages: 3 });
    expect(res.json.data).toHaveLength(page === 3 ? 1 : 2);
    for (const o of res.json.data) ids.add(o.id);
  }
  expect(ids, 'the three pages hold every order exactly once').toEqual(new Set(created.map((o) => o.id)));
  const defaults = await http(`${run.url}/v1/customers/${customer.id}/orders`);
  expect(defaults.json.pagination).toEqual({ page: 1, per_page: 20, total: 5, total_pages: 1 });
  const past = await http(`${run.url}/v1/customers/${customer.id}/orders?page=9&per_page=2`);
  expect(past.status).toBe(200);
  expect(past.json.data).toEqual([]);
});

graded('GET /v1/orders/{id} sends an ETag and answers 304 to a matching If-None-Match', {
  points: 3,
  hint: 'Set an ETag header (a quoted hash of the JSON) on single resources; when the request\'s If-None-Match equals it, answer 304 with no body.',
}, async () => {
  const customer = await createCustomer(run.url);
  const order = await createOrder(run.url, customer.id, { total_cents: 700, currency: 'eur' });
  const first = await http(`${run.url}/v1/orders/${order.id}`);
  const etag = first.headers.get('etag');
  expect(etag, 'ETag header').toMatch(/^(W\/)?"[^"]+"$/);
  const cached = await http(`${run.url}/v1/orders/${order.id}`, { headers: { 'if-none-match': etag! } });
  expect(cached.status).toBe(304);
  expect(cached.text).toBe('');
  expect(cached.headers.get('etag')).toBe(etag);
  const customerTag = (await http(`${run.url}/v1/customers/${customer.id}`)).headers.get('etag');
  expect(customerTag, 'customers have ETags too').toMatch(/^(W\/)?"[^"]+"$/);
  const cachedCustomer = await http(`${run.url}/v1/customers/${customer.id}`, { headers: { 'if-none-match': customerTag! } });
  expect(cachedCustomer.status).toBe(304);
});

graded('A retried POST with the same Idempotency-Key returns the first response and creates nothing new', {
  points: 3,
  hint: 'Remember (key → the response you sent). When the key comes back with the same body, send that response again: same status, body and Location, no new order.',
}, async () => {
  const customer = await createCustomer(run.url);
  const headers = { 'idempotency-key': `retry-${customer.id}` };
  const body = { total_cents: 2500, currency: 'eur' };
  const first = await http(`${run.url}/v1/customers/${customer.id}/orders`, { method: 'POST', json: body, headers });
  const retry = await http(`${run.url}/v1/customers/${customer.id}/orders`, { method: 'POST', json: body, headers });
  expect(first.status, first.text.slice(0, 300)).toBe(201);
  expect(retry.status).toBe(201);
  expect(retry.json).toEqual(first.json);
  expect(retry.headers.get('location')).toBe(first.headers.get('location'));
  const list = await http(`${run.url}/v1/customers/${customer.id}/orders`);
  expect(list.json?.pagination?.total, 'one order, not two').toBe(1);
  const other = await http(`${run.url}/v1/customers/${customer.id}/orders`, {
    method: 'POST',
    json: body,
    headers: { 'idempotency-key': `another-${customer.id}` },
  });
  expect(other.status, 'a new key is a new order').toBe(201);
  expect(other.json.id).not.toBe(first.json.id);
});
