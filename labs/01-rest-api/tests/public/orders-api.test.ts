import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, OpenApiContract, openApiProblems, startLab, type LabRun } from '#testkit';
import {
  createCustomer,
  createOrder,
  detailFields,
  documentOf,
  expectInvalid,
  expectMatchesDocument,
  expectStatus,
  idsOf,
  README_ROUTES,
  uniqueEmail,
} from '../api.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

const UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$/;

graded(
  'GET /health answers 200 with {"status":"ok"}',
  {
    rule: 'health',
    points: 1,
    hint: 'The starter has this route already: keep it, and keep listening on process.env.PORT.',
  },
  async () => {
    const res = await http(`${run.url}/health`);
    expectStatus(res, 200);
    expect(res.json, res.said).toEqual({ status: 'ok' });
  },
);

graded(
  'POST /v1/customers creates a customer: 201, a Location header and the stored customer',
  {
    rule: 'create-customer',
    points: 3,
    hint: 'Answer 201 (not 200), set Location to /v1/customers/<new id>, and return the customer with id, name, email, created_at and updated_at.',
  },
  async () => {
    const email = uniqueEmail('grace');
    const res = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Grace Hopper', email } });
    expectStatus(res, 201);
    expect(res.json, res.said).toMatchObject({ name: 'Grace Hopper', email });
    expect(res.json.id, `the customer has an id: ${res.said}`).toBeTypeOf('string');
    for (const field of ['created_at', 'updated_at']) {
      expect(res.json[field], `${field} is an ISO 8601 date-time in UTC: ${res.said}`).toMatch(UTC_DATE_TIME);
    }
    const location = res.headers.get('location');
    expect(location, `a Location header: ${res.said}`).toBeTruthy();
    expect(new URL(location!, run.url).pathname, 'Location').toBe(`/v1/customers/${res.json.id}`);
    const again = await http(new URL(location!, run.url).href);
    expectStatus(again, 200, 'GET on the Location URL');
    expect(again.json, `GET on the Location returns the customer POST answered: ${again.said}`).toEqual(res.json);
  },
);

graded(
  'GET /v1/customers/{id} answers 404 for an unknown id',
  {
    rule: 'not-found',
    points: 2,
    hint: 'When the repository has no such customer, answer 404 with sendError(…) — not 200 with an empty body, not 500.',
  },
  async () => {
    const known = await createCustomer(run.url);
    const found = await http(`${run.url}/v1/customers/${known.id}`);
    expect(found.status, `a customer that exists is found: ${found.said}`).toBe(200);
    expectStatus(await http(`${run.url}/v1/customers/cus_does-not-exist`), 404, 'an unknown id');
  },
);

graded(
  'POST /v1/customers with invalid fields answers 400 listing each invalid field',
  {
    rule: 'validation',
    points: 3,
    hint: 'Check every field before answering and put one { field, message } per problem in error.details; do not stop at the first one.',
  },
  async () => {
    const both = await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: '', email: 'not-an-email' } });
    expectInvalid(both, ['name', 'email'], 'an empty name and a bad e-mail');
    expectInvalid(
      await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Ada' } }),
      ['email'],
      'no e-mail',
    );
    expectInvalid(
      await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 42, email: uniqueEmail() } }),
      ['name'],
      'a name that is a number',
    );
    const longName = await http(`${run.url}/v1/customers`, {
      method: 'POST',
      json: { name: 'n'.repeat(101), email: uniqueEmail() },
    });
    expectInvalid(longName, ['name'], 'a name of 101 characters');
    expect(
      detailFields(both).filter((f) => f !== 'name' && f !== 'email'),
      `only the invalid fields are named: ${both.said}`,
    ).toEqual([]);
  },
);

graded(
  'POST /v1/customers with an e-mail already in use answers 409, whatever its case',
  {
    rule: 'email-unique',
    points: 2,
    hint: 'Before creating, look for a customer with the same e-mail (ignoring upper/lower case) and answer 409 Conflict.',
  },
  async () => {
    const { email } = await createCustomer(run.url);
    expectStatus(
      await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: 'Someone Else', email } }),
      409,
      'the same e-mail',
    );
    const shouting = await http(`${run.url}/v1/customers`, {
      method: 'POST',
      json: { name: 'Someone Else', email: email.toUpperCase() },
    });
    expectStatus(shouting, 409, 'the same e-mail in upper case');
  },
);

graded(
  'POST with a body that is not application/json answers 415',
  {
    rule: 'media-type',
    points: 2,
    hint: 'Look at the Content-Type request header before parsing: anything but application/json gets 415 Unsupported Media Type.',
  },
  async () => {
    const body = JSON.stringify({ name: 'Ada', email: uniqueEmail() });
    expectStatus(
      await http(`${run.url}/v1/customers`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } }),
      415,
      'JSON sent as text/plain',
    );
    const form = await http(`${run.url}/v1/customers`, {
      method: 'POST',
      body: 'name=Ada',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectStatus(form, 415, 'a form');
  },
);

graded(
  'POST /v1/customers/{id}/orders creates a pending order, with Location /v1/orders/{id}',
  {
    rule: 'create-order',
    points: 3,
    hint: 'Create the order for the customer in the URL (status "pending", note null unless given), answer 201 and set Location to /v1/orders/<new id>.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const res = await http(`${run.url}/v1/customers/${customer.id}/orders`, {
      method: 'POST',
      json: { total_cents: 4999, currency: 'eur' },
    });
    expectStatus(res, 201);
    expect(res.json, res.said).toMatchObject({
      customer_id: customer.id,
      status: 'pending',
      total_cents: 4999,
      currency: 'eur',
      note: null,
    });
    expect(new URL(res.headers.get('location') ?? '/missing', run.url).pathname, `Location: ${res.said}`).toBe(
      `/v1/orders/${res.json.id}`,
    );
    const read = await http(`${run.url}/v1/orders/${res.json.id}`);
    expectStatus(read, 200, 'GET /v1/orders/{id} of the new order');
    expect(read.json, `GET returns the order POST answered: ${read.said}`).toEqual(res.json);
  },
);

graded(
  'PUT /v1/orders/{id} replaces the whole order; PATCH changes only the fields sent',
  {
    rule: 'put-patch',
    points: 3,
    hint: 'PUT: the body is the new order, so a field left out (note) goes back to its default. PATCH: merge the given fields into the stored order. Store the result.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, {
      total_cents: 1000,
      currency: 'eur',
      note: 'leave at the door',
    });
    const patched = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PATCH', json: { status: 'paid' } });
    expectStatus(patched, 200);
    expect(patched.json, patched.said).toMatchObject({
      id: order.id,
      status: 'paid',
      total_cents: 1000,
      currency: 'eur',
      note: 'leave at the door',
    });
    const afterPatch = await http(`${run.url}/v1/orders/${order.id}`);
    expect(afterPatch.json, `the PATCH is stored: ${afterPatch.said}`).toMatchObject({
      status: 'paid',
      note: 'leave at the door',
    });
    const replaced = await http(`${run.url}/v1/orders/${order.id}`, {
      method: 'PUT',
      json: { status: 'shipped', total_cents: 1200, currency: 'usd' },
    });
    expectStatus(replaced, 200);
    expect(replaced.json, `PUT without a note resets it to null: ${replaced.said}`).toMatchObject({
      id: order.id,
      customer_id: customer.id,
      status: 'shipped',
      total_cents: 1200,
      currency: 'usd',
      note: null,
    });
    expect(replaced.json.created_at, `created_at never changes: ${replaced.said}`).toBe(order.created_at);
    const read = await http(`${run.url}/v1/orders/${order.id}`);
    expect(read.json, `the PUT is stored: ${read.said}`).toMatchObject({
      status: 'shipped',
      total_cents: 1200,
      currency: 'usd',
      note: null,
    });
    const incomplete = await http(`${run.url}/v1/orders/${order.id}`, { method: 'PUT', json: { status: 'paid' } });
    expectStatus(incomplete, 400, 'PUT without total_cents and currency');
    expect(
      detailFields(incomplete).some((f) => f === 'total_cents' || f === 'currency'),
      `the missing fields are named: ${incomplete.said}`,
    ).toBe(true);
  },
);

graded(
  'DELETE /v1/orders/{id} answers 204, then the order is gone and a second DELETE answers 404',
  {
    rule: 'delete-order',
    points: 3,
    hint: 'Remove the order from the repository and answer 204 with no body. Afterwards GET finds nothing and a second DELETE answers 404.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 500, currency: 'eur' });
    const first = await http(`${run.url}/v1/orders/${order.id}`, { method: 'DELETE' });
    expectStatus(first, 204);
    expect(first.text, `204 has no body: ${first.said}`).toBe('');
    const read = await http(`${run.url}/v1/orders/${order.id}`);
    expect(read.status, `GET after DELETE finds nothing: ${read.said}`).toBeGreaterThanOrEqual(400);
    expectStatus(await http(`${run.url}/v1/orders/${order.id}`, { method: 'DELETE' }), 404, 'the second DELETE');
  },
);

graded(
  'GET /v1/customers/{id}/orders pages with page, per_page, total and total_pages',
  {
    rule: 'pagination',
    points: 3,
    hint: 'Answer { data: [...], pagination: { page, per_page, total, total_pages } }: slice the list, and total_pages rounds up (5 orders, 2 per page = 3 pages).',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const created = [];
    for (let i = 1; i <= 5; i++)
      created.push(await createOrder(run.url, customer.id, { total_cents: i * 100, currency: 'eur' }));
    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const res = await http(`${run.url}/v1/customers/${customer.id}/orders?page=${page}&per_page=2`);
      expectStatus(res, 200);
      expect(res.json?.pagination, `pagination of page ${page}: ${res.said}`).toEqual({
        page,
        per_page: 2,
        total: 5,
        total_pages: 3,
      });
      expect(idsOf(res).length, `orders on page ${page} of 5 orders at 2 per page: ${res.said}`).toBe(
        page === 3 ? 1 : 2,
      );
      seen.push(...idsOf(res));
    }
    expect(seen.sort(), 'the three pages hold every order exactly once').toEqual(created.map((o) => o.id).sort());
    const defaults = await http(`${run.url}/v1/customers/${customer.id}/orders`);
    expect(defaults.json?.pagination, `defaults: page 1, 20 per page: ${defaults.said}`).toEqual({
      page: 1,
      per_page: 20,
      total: 5,
      total_pages: 1,
    });
    const past = await http(`${run.url}/v1/customers/${customer.id}/orders?page=9&per_page=2`);
    expectStatus(past, 200, 'a page past the end');
    expect(past.json?.data, `a page past the end has no data: ${past.said}`).toEqual([]);
  },
);

graded(
  'GET /v1/orders/{id} sends a strong ETag and answers 304 to a matching If-None-Match',
  {
    rule: 'etag',
    points: 3,
    hint: "Set an ETag header (a hash of the JSON, in double quotes) on single resources; when the request's If-None-Match equals it, answer 304 with no body.",
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 700, currency: 'eur' });
    for (const path of [`/v1/orders/${order.id}`, `/v1/customers/${customer.id}`]) {
      const first = await http(`${run.url}${path}`);
      const etag = first.headers.get('etag');
      expect(etag, `a strong ETag ("…", not W/"…") on GET ${path}: got ${etag}`).toMatch(/^"[^"]+"$/);
      const cached = await http(`${run.url}${path}`, { headers: { 'if-none-match': etag! } });
      expect(cached.status, `If-None-Match: ${etag} → ${cached.said}`).toBe(304);
      expect(cached.text, '304 has no body').toBe('');
      expect(cached.headers.get('etag'), 'the 304 repeats the ETag').toBe(etag);
    }
  },
);

graded(
  'A retried POST with the same Idempotency-Key returns the first response and creates nothing new',
  {
    rule: 'idempotency-key',
    points: 3,
    hint: 'Remember (key → the response you sent). When the key comes back with the same body, send that response again: same status, body and Location, no new order.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const url = `${run.url}/v1/customers/${customer.id}/orders`;
    const headers = { 'idempotency-key': `retry-${customer.id}` };
    const body = { total_cents: 2500, currency: 'eur' };
    const first = await http(url, { method: 'POST', json: body, headers });
    expect(first.status >= 200 && first.status < 300, `the first POST creates the order: ${first.said}`).toBe(true);
    const retry = await http(url, { method: 'POST', json: body, headers });
    expect(retry.status, `the retry answers the first status (${first.status}): ${retry.said}`).toBe(first.status);
    expect(retry.json, `the retry answers the first body: ${retry.said}`).toEqual(first.json);
    expect(retry.headers.get('location'), 'the retry answers the first Location').toBe(first.headers.get('location'));
    const list = await http(url);
    // Counting needs a list that shows the order at all (lists are other rules).
    if (idsOf(list).includes(first.json.id))
      expect(idsOf(list), `one order, not two: ${list.said}`).toEqual([first.json.id]);
    const other = await http(url, {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': `another-${customer.id}` },
    });
    expect(other.status >= 200 && other.status < 300, `a new key creates a new order: ${other.said}`).toBe(true);
    expect(other.json?.id, 'a new key is a new order').not.toBe(first.json.id);
  },
);

graded(
  'GET /openapi.json serves a valid OpenAPI document that describes every route',
  {
    rule: 'openapi-served',
    points: 2,
    hint: 'Serve the document with c.json(…) at /openapi.json, with a path and a method for every row of the Routes table; the failure lists what a validator found (a path parameter needs required: true, every response a description).',
  },
  async () => {
    const res = await http(`${run.url}/openapi.json`);
    expectStatus(res, 200);
    expect(res.headers.get('content-type') ?? '(none)', `the document is served as JSON: ${res.said}`).toMatch(
      /^application\/([\w.-]+\+)?json\s*(;|$)/,
    );
    expect(await openApiProblems(res.json), `what a validator finds wrong with the document: ${res.said}`).toEqual([]);
    const document = OpenApiContract.from(res.json);
    expect(
      README_ROUTES.filter((route) => !document.describes(...(route.split(' ') as [string, string]))),
      'routes of the README that the document does not describe',
    ).toEqual([]);
  },
);

graded(
  'Customers, orders, a list and errors answer as the OpenAPI document says',
  {
    rule: 'openapi-matches',
    points: 2,
    hint: "Each answer is checked against your document: the status must be listed under the operation's responses, with an application/json schema that the body fits (field types, required fields, null where allowed). Put shared shapes in components/schemas and $ref them.",
  },
  async () => {
    const document = await documentOf(run.url);
    const customer = await http(`${run.url}/v1/customers`, {
      method: 'POST',
      json: { name: 'Mary Somerville', email: uniqueEmail('mary') },
    });
    const customerId = customer.json?.id ?? (await createCustomer(run.url)).id;
    const order = await http(`${run.url}/v1/customers/${customerId}/orders`, {
      method: 'POST',
      json: { total_cents: 1250, currency: 'eur', note: 'no sugar' },
    });
    const orderId =
      order.json?.id ?? (await createOrder(run.url, customerId, { total_cents: 300, currency: 'eur' })).id;
    expectMatchesDocument(document, [
      ['POST', '/v1/customers', 201, customer],
      ['GET', '/v1/customers/{id}', 200, await http(`${run.url}/v1/customers/${customerId}`)],
      ['POST', '/v1/customers/{id}/orders', 201, order],
      ['GET', '/v1/orders/{id}', 200, await http(`${run.url}/v1/orders/${orderId}`)],
      ['GET', '/v1/customers/{id}/orders', 200, await http(`${run.url}/v1/customers/${customerId}/orders?per_page=5`)],
      ['GET', '/v1/orders/{id}', 404, await http(`${run.url}/v1/orders/ord_nothing`)],
      ['POST', '/v1/customers', 400, await http(`${run.url}/v1/customers`, { method: 'POST', json: { name: '' } })],
    ]);
  },
);
