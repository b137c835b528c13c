import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectEnvelopeOnRefusals, graded, http, startLab, type LabRun } from '#testkit';
import {
  changeOrder,
  createCustomer,
  createOrder,
  documentOf,
  expectEnvelope,
  expectMatchesDocument,
  expectInvalid,
  expectStatus,
  idsOf,
  notServed,
  uniqueEmail,
  type Reply,
} from '../api.ts';

// The lists get an app of their own (started together with the main one): what other tests create never lands in
// those lists by surprise.
let run: LabRun;
let lists: LabRun;
beforeAll(async () => {
  [run, lists] = await Promise.all([startLab(), startLab()]);
});
afterAll(async () => {
  await Promise.all([run?.stop(), lists?.stop()]);
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const send = (method: Method, path: string, json?: unknown, headers: Record<string, string> = {}) =>
  http(`${run.url}${path}`, { method, json, headers });
const sendRaw = (method: Method, path: string, body: string, contentType: string) =>
  http(`${run.url}${path}`, { method, body, headers: { 'content-type': contentType } });

/** Judge `check` on every reply whose route is served; the first route must be served (it is the one the README shows). */
function onServedRoutes(replies: [string, Reply][], check: (what: string, res: Reply) => void): void {
  replies.forEach(([what, res], i) => {
    if (i > 0 && notServed(res)) return; // the route itself is missing: another rule's business
    check(what, res);
  });
}

graded(
  'POST /v1/customers/{id}/orders keeps the status and the note it is sent',
  {
    rule: 'create-order',
    points: 1,
    hint: 'status and note are optional on create: use the ones sent, and fall back to "pending" and null only when they are missing.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const res = await send('POST', `/v1/customers/${customer.id}/orders`, {
      total_cents: 1500,
      currency: 'gbp',
      status: 'paid',
      note: 'gift wrap',
    });
    expect(res.status >= 200 && res.status < 300, res.said).toBe(true);
    expect(res.json, res.said).toMatchObject({
      customer_id: customer.id,
      status: 'paid',
      note: 'gift wrap',
      total_cents: 1500,
      currency: 'gbp',
    });
  },
);

graded(
  'Every route that takes an id answers 404 for an unknown one, and an unknown route answers 404',
  {
    rule: 'not-found',
    points: 1,
    hint: "Look the resource up first on every route (GET, PUT, PATCH, DELETE, a customer's orders) and answer 404 when it is missing; app.notFound(…) covers unknown routes.",
  },
  async () => {
    const customer = await createCustomer(run.url);
    expect((await send('GET', `/v1/customers/${customer.id}`)).status, 'a customer that exists is found').toBe(200);
    const order = { total_cents: 100, currency: 'eur' };
    const cases: [Method, string, unknown][] = [
      ['GET', '/v1/customers/cus_nobody', undefined],
      ['PUT', '/v1/customers/cus_nobody', { name: 'Nobody', email: uniqueEmail() }],
      ['PATCH', '/v1/customers/cus_nobody', { name: 'Nobody' }],
      ['DELETE', '/v1/customers/cus_nobody', undefined],
      ['GET', '/v1/customers/cus_nobody/orders', undefined],
      ['POST', '/v1/customers/cus_nobody/orders', order],
      ['GET', '/v1/orders/ord_nothing', undefined],
      ['PUT', '/v1/orders/ord_nothing', { ...order, status: 'paid' }],
      ['PATCH', '/v1/orders/ord_nothing', { status: 'paid' }],
      ['DELETE', '/v1/orders/ord_nothing', undefined],
      ['GET', '/v1/nothing-here', undefined],
      ['GET', `/v1/customers/${customer.id}/nothing-here`, undefined],
    ];
    for (const [method, path, json] of cases) {
      const res = await send(method, path, json);
      if (res.status === 405 && method !== 'GET') continue; // the method is not served at all: another rule's business
      expectStatus(res, 404);
    }
  },
);

graded(
  'Every error answers with the error envelope',
  {
    rule: 'error-envelope',
    points: 2,
    hint: 'Send every error through one function (sendError) — 400, 404 (unknown routes too: app.notFound), 405, 409, 412, 415, 422 — so each has { error: { code, message, details, request_id, timestamp } }.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const key = { 'idempotency-key': `envelope-${randomUUID()}` };
    await send('POST', `/v1/customers/${customer.id}/orders`, { total_cents: 1, currency: 'eur' }, key);
    const probes: Reply[] = [
      await send('GET', '/v1/customers/cus_nobody'),
      await send('GET', '/v1/nothing-here'),
      await send('POST', '/v1/customers', { name: '', email: 'nope' }),
      await sendRaw('POST', '/v1/customers', '{"name": ', 'application/json'),
      await sendRaw('POST', '/v1/customers', 'name=Ada', 'text/plain'),
      await send('POST', '/v1/customers', { name: 'Twin', email: customer.email }),
      await send('DELETE', '/v1/customers'),
      await send('PATCH', `/v1/orders/${order.id}`, { status: 'paid' }, { 'if-match': '"stale-version"' }),
      await send('POST', `/v1/customers/${customer.id}/orders`, { total_cents: 2, currency: 'eur' }, key),
      await send('GET', `/v1/customers/${customer.id}/orders?page=0`),
    ];
    expectEnvelopeOnRefusals(probes, 'at least the unknown customer', expectEnvelope);
  },
);

graded(
  'POST /v1/customers/{id}/orders checks every field: 400 naming each invalid one, boundaries included',
  {
    rule: 'validation',
    points: 2,
    hint: 'total_cents: a positive integer (not 0, not 1.5, not "12"); currency: three lower-case letters; status: one of the four; note: a string of at most 500 characters, or null.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const post = (json: unknown) => send('POST', `/v1/customers/${customer.id}/orders`, json);
    const bad: [Record<string, unknown>, string][] = [
      [{ total_cents: 0, currency: 'eur' }, 'total_cents'],
      [{ total_cents: -5, currency: 'eur' }, 'total_cents'],
      [{ total_cents: 12.5, currency: 'eur' }, 'total_cents'],
      [{ total_cents: '12', currency: 'eur' }, 'total_cents'],
      [{ total_cents: 100, currency: 'EUR' }, 'currency'],
      [{ total_cents: 100, currency: 'euro' }, 'currency'],
      [{ total_cents: 100, currency: 'eur', status: 'payed' }, 'status'],
      [{ total_cents: 100, currency: 'eur', note: 'n'.repeat(501) }, 'note'],
      [{ total_cents: 100, currency: 'eur', note: 42 }, 'note'],
    ];
    for (const [json, field] of bad) expectInvalid(await post(json), [field], JSON.stringify(json).slice(0, 60));
    expectInvalid(await post({ total_cents: 0, currency: 'EUR' }), ['total_cents', 'currency'], 'two bad fields');
    expectInvalid(await post({}), ['total_cents', 'currency'], 'an empty object');
    for (const json of [null, []]) expectStatus(await post(json), 400, `the body ${JSON.stringify(json)}`);
    for (const json of [
      { total_cents: 1, currency: 'usd' },
      { total_cents: 100, currency: 'eur', note: 'n'.repeat(500), status: 'shipped' },
      { total_cents: 100, currency: 'eur', note: null },
    ]) {
      const res = await post(json);
      expect(res.status >= 200 && res.status < 300, `a valid order is created: ${res.said}`).toBe(true);
    }
    const longest = await send('POST', '/v1/customers', { name: 'n'.repeat(100), email: uniqueEmail() });
    expect(longest.status >= 200 && longest.status < 300, `a name of 100 characters is valid: ${longest.said}`).toBe(
      true,
    );
  },
);

graded(
  'PUT and PATCH validate like POST: 400 naming each invalid field',
  {
    rule: 'validation',
    points: 2,
    hint: 'Run the same field checks on PUT and PATCH bodies, for customers and orders; PATCH checks only the fields it sends.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const replies: [string, Reply, string[]][] = [
      ['PATCH customer, bad e-mail', await send('PATCH', `/v1/customers/${customer.id}`, { email: 'nope' }), ['email']],
      ['PUT customer without e-mail', await send('PUT', `/v1/customers/${customer.id}`, { name: 'Ada' }), ['email']],
      [
        'PATCH order, two bad fields',
        await send('PATCH', `/v1/orders/${order.id}`, { total_cents: -5, currency: 'EURO' }),
        ['total_cents', 'currency'],
      ],
      [
        'PUT order, bad status',
        await send('PUT', `/v1/orders/${order.id}`, { status: 'payed', total_cents: 1, currency: 'eur' }),
        ['status'],
      ],
      ['PATCH order, long note', await send('PATCH', `/v1/orders/${order.id}`, { note: 'n'.repeat(501) }), ['note']],
    ];
    const served = replies.filter(([, res]) => !notServed(res));
    expect(
      served.length,
      `PUT and PATCH are not served at all: ${replies.map(([, r]) => r.said).join(' | ')}`,
    ).toBeGreaterThan(0);
    for (const [what, res, fields] of served) expectInvalid(res, fields, what);
    const unchanged = await http(`${run.url}/v1/orders/${order.id}`);
    expect(unchanged.json, `an invalid write changes nothing: ${unchanged.said}`).toMatchObject({
      total_cents: 100,
      currency: 'eur',
      status: 'pending',
    });
  },
);

graded(
  'Malformed JSON answers 400, not 500, on every route that reads a body',
  {
    rule: 'malformed-json',
    points: 1,
    hint: 'c.req.json() throws on a broken body: read c.req.text() and JSON.parse it inside try, in the one function every route uses, and answer 400.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const broken = '{"name": "Ada", "email": ';
    const replies: [string, Reply][] = [];
    for (const [method, path] of [
      ['POST', '/v1/customers'],
      ['POST', `/v1/customers/${customer.id}/orders`],
      ['PUT', `/v1/customers/${customer.id}`],
      ['PATCH', `/v1/customers/${customer.id}`],
      ['PUT', `/v1/orders/${order.id}`],
      ['PATCH', `/v1/orders/${order.id}`],
    ] as [Method, string][])
      replies.push([`${method} ${path}`, await sendRaw(method, path, broken, 'application/json')]);
    onServedRoutes(replies, (what, res) => expectStatus(res, 400, what));
  },
);

graded(
  'Every route that reads a body answers 415 to one that is not JSON, and takes application/json; charset=utf-8',
  {
    rule: 'media-type',
    points: 1,
    hint: 'Check the media type in one helper every write route uses; compare only the part before ";" (a charset may follow).',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const replies: [string, Reply][] = [];
    for (const [method, path, json] of [
      ['POST', `/v1/customers/${customer.id}/orders`, { total_cents: 100, currency: 'eur' }],
      ['PUT', `/v1/customers/${customer.id}`, { name: 'Ada', email: customer.email }],
      ['PATCH', `/v1/customers/${customer.id}`, { name: 'Ada' }],
      ['PUT', `/v1/orders/${order.id}`, { status: 'paid', total_cents: 100, currency: 'eur' }],
      ['PATCH', `/v1/orders/${order.id}`, { status: 'paid' }],
    ] as [Method, string, unknown][])
      replies.push([
        `${method} ${path} as text/plain`,
        await sendRaw(method, path, JSON.stringify(json), 'text/plain'),
      ]);
    onServedRoutes(replies, (what, res) => expectStatus(res, 415, what));
    const withCharset = await sendRaw(
      'POST',
      '/v1/customers',
      JSON.stringify({ name: 'Ada', email: uniqueEmail() }),
      'application/json; charset=utf-8',
    );
    expect(
      withCharset.status >= 200 && withCharset.status < 300,
      `application/json; charset=utf-8 is JSON: ${withCharset.said}`,
    ).toBe(true);
  },
);

graded(
  'PUT and PATCH answer 409 for an e-mail another customer has; a customer may keep their own',
  {
    rule: 'email-unique',
    points: 1,
    hint: 'On an e-mail change, look for ANOTHER customer (not this one) with that address, ignoring case.',
  },
  async () => {
    const ada = await createCustomer(run.url, 'Ada');
    const bob = await createCustomer(run.url, 'Bob');
    const replies: [string, Reply][] = [
      ['PATCH to a taken e-mail', await send('PATCH', `/v1/customers/${bob.id}`, { email: ada.email.toUpperCase() })],
      ['PUT with a taken e-mail', await send('PUT', `/v1/customers/${bob.id}`, { name: 'Bob', email: ada.email })],
    ];
    const served = replies.filter(([, res]) => !notServed(res));
    expect(
      served.length,
      `neither PUT nor PATCH is served: ${replies.map(([, r]) => r.said).join(' | ')}`,
    ).toBeGreaterThan(0);
    for (const [what, res] of served) expectStatus(res, 409, what);
    const keepOwn = await send(served[0]![0].startsWith('PATCH') ? 'PATCH' : 'PUT', `/v1/customers/${bob.id}`, {
      name: 'Robert',
      email: bob.email,
    });
    expect(keepOwn.status, `a customer may keep their own e-mail: ${keepOwn.said}`).toBe(200);
  },
);

graded(
  'Unknown fields are ignored: a client may PUT back what it read, and cannot set id or customer_id',
  {
    rule: 'unknown-fields',
    points: 1,
    hint: 'Build the stored object from the fields you checked, never by spreading the request body; ignore fields you do not know instead of refusing them.',
  },
  async () => {
    const mine = `cus_mine-${randomUUID().slice(0, 8)}`;
    const created = await send('POST', '/v1/customers', {
      id: mine,
      name: 'Ada',
      email: uniqueEmail(),
      vip: true,
      created_at: '1999-01-01T00:00:00.000Z',
    });
    expect(
      created.status >= 200 && created.status < 300,
      `extra fields do not make a body invalid: ${created.said}`,
    ).toBe(true);
    expect(created.json?.id, `the server sets the id: ${created.said}`).not.toBe(mine);
    expect(created.json, `unknown fields are not stored: ${created.said}`).not.toHaveProperty('vip');
    expect(created.json?.created_at, `the server sets created_at: ${created.said}`).not.toBe(
      '1999-01-01T00:00:00.000Z',
    );
    const other = await createCustomer(run.url, 'Other');
    const owner = await createCustomer(run.url, 'Owner');
    const order = await send('POST', `/v1/customers/${owner.id}/orders`, {
      total_cents: 100,
      currency: 'eur',
      customer_id: other.id,
    });
    expect(order.status >= 200 && order.status < 300, `a body with customer_id is still an order: ${order.said}`).toBe(
      true,
    );
    expect(order.json?.customer_id, `the customer is the one in the URL: ${order.said}`).toBe(owner.id);
    const read = await http(`${run.url}/v1/orders/${order.json.id}`);
    const putBack = await send('PUT', `/v1/orders/${order.json.id}`, { ...read.json, status: 'paid' });
    if (notServed(putBack)) return; // PUT itself is missing: another rule's business
    expectStatus(putBack, 200, 'PUT back what GET answered, id, customer_id and timestamps included');
    expect(putBack.json, putBack.said).toMatchObject({
      id: order.json.id,
      customer_id: owner.id,
      status: 'paid',
      created_at: read.json.created_at,
    });
  },
);

graded(
  'PUT and PATCH on customers: PUT needs the whole customer, PATCH changes only the fields sent',
  {
    rule: 'put-patch',
    points: 1,
    hint: 'Customers get PUT and PATCH like orders: PUT requires name and email, PATCH merges what it is sent; both store the result and keep id and created_at.',
  },
  async () => {
    const customer = await createCustomer(run.url, 'Ada');
    const patched = await send('PATCH', `/v1/customers/${customer.id}`, { name: 'Ada King' });
    expectStatus(patched, 200, 'PATCH a customer');
    expect(patched.json, patched.said).toMatchObject({
      id: customer.id,
      name: 'Ada King',
      email: customer.email,
      created_at: customer.created_at,
    });
    const email = uniqueEmail('ada');
    const replaced = await send('PUT', `/v1/customers/${customer.id}`, { name: 'Augusta Ada', email });
    expectStatus(replaced, 200, 'PUT a customer');
    expect(replaced.json, replaced.said).toMatchObject({
      id: customer.id,
      name: 'Augusta Ada',
      email,
      created_at: customer.created_at,
    });
    const read = await http(`${run.url}/v1/customers/${customer.id}`);
    expect(read.json, `the PUT is stored: ${read.said}`).toMatchObject({ name: 'Augusta Ada', email });
    expectStatus(
      await send('PUT', `/v1/customers/${customer.id}`, { name: 'Only A Name' }),
      400,
      'PUT without an e-mail',
    );
  },
);

graded(
  'DELETE /v1/customers/{id} answers 204 and removes the customer and their orders',
  {
    rule: 'delete-customer',
    points: 1,
    hint: "Delete the customer's orders with the customer: an order must never point at a customer that is gone.",
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const res = await send('DELETE', `/v1/customers/${customer.id}`);
    expectStatus(res, 204);
    expect(res.text, '204 has no body').toBe('');
    for (const path of [`/v1/customers/${customer.id}`, `/v1/orders/${order.id}`]) {
      const gone = await http(`${run.url}${path}`);
      expect(gone.status, `gone after DELETE of the customer: ${gone.said}`).toBeGreaterThanOrEqual(400);
    }
    expectStatus(await send('DELETE', `/v1/customers/${customer.id}`), 404, 'the second DELETE');
  },
);

graded(
  'An ETag changes when the resource changes: the old one in If-None-Match gets 200 and the new body',
  {
    rule: 'etag',
    points: 1,
    hint: 'Derive the ETag from the current JSON (a hash), so any change gives a new tag; compare If-None-Match with the tag of what you would send now.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const before = await http(`${run.url}/v1/orders/${order.id}`);
    const oldTag = before.headers.get('etag') ?? '"none"';
    expect(await changeOrder(run.url, order.id, { status: 'paid' }), 'the order can be changed (PATCH or PUT)').toBe(
      true,
    );
    const after = await http(`${run.url}/v1/orders/${order.id}`);
    if (JSON.stringify(after.json) === JSON.stringify(before.json)) return; // the change was not stored: another rule's business
    expect(after.headers.get('etag'), `a changed order has a new ETag: ${after.said}`).not.toBe(oldTag);
    const fresh = await http(`${run.url}/v1/orders/${order.id}`, { headers: { 'if-none-match': oldTag } });
    expectStatus(fresh, 200, `If-None-Match with the old tag ${oldTag}`);
    expect(fresh.json, fresh.said).toEqual(after.json);
  },
);

graded(
  'PUT, PATCH and DELETE with a stale If-Match answer 412 and change nothing; a current one goes ahead',
  {
    rule: 'if-match',
    points: 2,
    hint: 'Before any write (PUT, PATCH and DELETE, customers and orders), compare If-Match with the current ETag: a mismatch is 412 and nothing changes. No If-Match: go ahead.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const tagOf = async (path: string) => (await http(`${run.url}${path}`)).headers.get('etag');
    const orderPath = `/v1/orders/${order.id}`;
    const customerPath = `/v1/customers/${customer.id}`;
    // A tag that was current once: the order's ETag before a change (or a made-up one when there are no ETags).
    const oldTag = (await tagOf(orderPath)) ?? '"stale-version"';
    expect(await changeOrder(run.url, order.id, { status: 'paid' }), 'the order can be changed (PATCH or PUT)').toBe(
      true,
    );
    const stale = (await tagOf(orderPath)) === oldTag ? '"stale-version"' : oldTag;
    const customerStale = '"stale-version"';
    const orderBefore = (await http(`${run.url}${orderPath}`)).json;
    const customerBefore = (await http(`${run.url}${customerPath}`)).json;
    const writes: [string, Reply][] = [
      ['PATCH order', await send('PATCH', orderPath, { status: 'cancelled' }, { 'if-match': stale })],
      [
        'PUT order',
        await send('PUT', orderPath, { status: 'cancelled', total_cents: 1, currency: 'eur' }, { 'if-match': stale }),
      ],
      ['DELETE order', await send('DELETE', orderPath, undefined, { 'if-match': stale })],
      ['PATCH customer', await send('PATCH', customerPath, { name: 'Mallory' }, { 'if-match': customerStale })],
      [
        'PUT customer',
        await send('PUT', customerPath, { name: 'Mallory', email: uniqueEmail() }, { 'if-match': customerStale }),
      ],
      ['DELETE customer', await send('DELETE', customerPath, undefined, { 'if-match': customerStale })],
    ];
    const served = writes.filter(([, res]) => !notServed(res));
    expect(served.length, `no write was served at all: ${writes.map(([, r]) => r.said).join(' | ')}`).toBeGreaterThan(
      0,
    );
    for (const [what, res] of served) expectStatus(res, 412, `${what} with a stale If-Match`);
    expect((await http(`${run.url}${orderPath}`)).json, 'the stale writes changed nothing on the order').toEqual(
      orderBefore,
    );
    expect((await http(`${run.url}${customerPath}`)).json, 'the stale writes changed nothing on the customer').toEqual(
      customerBefore,
    );
    const current = await tagOf(orderPath);
    if (current && !current.startsWith('W/')) {
      // a weak tag never matches If-Match: the etag rule's business
      const res = await send('PATCH', orderPath, { note: 'current tag' }, { 'if-match': current });
      if (!notServed(res)) expectStatus(res, 200, `PATCH with the current If-Match ${current}`);
    }
  },
);

graded(
  "A method a path does not support answers 405 with an Allow header listing the path's methods",
  {
    rule: 'method-not-allowed',
    points: 2,
    hint: 'After the routes of a path, add app.all(path, …) that answers 405 and sets Allow to the methods that path supports — for each of the four paths.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
    const cases: [Method, string, string[]][] = [
      ['DELETE', '/v1/customers', ['GET', 'POST']],
      ['POST', `/v1/customers/${customer.id}`, ['GET']],
      ['PUT', `/v1/customers/${customer.id}/orders`, ['GET', 'POST']],
      ['POST', `/v1/orders/${order.id}`, ['GET']],
    ];
    for (const [method, path, mustList] of cases) {
      const res = await send(method, path, method === 'DELETE' ? undefined : {});
      expectStatus(res, 405);
      const allow = (res.headers.get('allow') ?? '')
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean);
      for (const m of mustList)
        expect(allow, `${method} ${path}: Allow lists ${m} (Allow: ${res.headers.get('allow')})`).toContain(m);
      expect(allow, `${method} ${path}: Allow does not list the method it refused`).not.toContain(method);
      if (path.split('/').length === 4) {
        expect(
          allow.some((m) => ['PUT', 'PATCH', 'DELETE'].includes(m)),
          `${method} ${path}: Allow lists the writes one resource takes (Allow: ${res.headers.get('allow')})`,
        ).toBe(true);
      }
    }
  },
);

graded(
  'The same Idempotency-Key with a different body answers 422 and creates nothing',
  {
    rule: 'idempotency-key',
    points: 2,
    hint: 'Store a fingerprint (a hash) of the request with the key; a key that comes back with another body is a client bug: 422, and no new order.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const headers = { 'idempotency-key': `reuse-${customer.id}` };
    const url = `${run.url}/v1/customers/${customer.id}/orders`;
    const first = await http(url, { method: 'POST', json: { total_cents: 1000, currency: 'eur' }, headers });
    expect(first.status >= 200 && first.status < 300, first.said).toBe(true);
    expectStatus(
      await http(url, { method: 'POST', json: { total_cents: 9000, currency: 'eur' }, headers }),
      422,
      'the same key, another body',
    );
    const list = await http(url);
    if (idsOf(list).includes(first.json.id))
      expect(idsOf(list), `still one order: ${list.said}`).toEqual([first.json.id]);
    expect(
      (await http(`${run.url}/v1/orders/${first.json.id}`)).json?.total_cents,
      'the first order is unchanged',
    ).toBe(1000);
  },
);

graded(
  'A retry gets the first answer even after the order changed, and concurrent retries create one order',
  {
    rule: 'idempotency-key',
    points: 1,
    hint: 'Remember a copy of the order as you answered it, not its id; and do the key lookup and the insert with no await in between, so two copies of one request cannot both create.',
  },
  async () => {
    const customer = await createCustomer(run.url);
    const url = `${run.url}/v1/customers/${customer.id}/orders`;
    const body = { total_cents: 3100, currency: 'eur' };
    const headers = { 'idempotency-key': `later-${customer.id}` };
    const first = await http(url, { method: 'POST', json: body, headers });
    expect(first.status >= 200 && first.status < 300, first.said).toBe(true);
    if (await changeOrder(run.url, first.json.id, { status: 'paid' })) {
      const retry = await http(url, { method: 'POST', json: body, headers });
      expect(retry.json, `a retry after the order was paid still answers the first response: ${retry.said}`).toEqual(
        first.json,
      );
    }
    const racing = { 'idempotency-key': `race-${customer.id}` };
    const replies = await Promise.all(
      [1, 2, 3].map(() => http(url, { method: 'POST', json: { total_cents: 42, currency: 'eur' }, headers: racing })),
    );
    for (const r of replies)
      expect(r.status >= 200 && r.status < 300, `each copy is answered as created: ${r.said}`).toBe(true);
    const ids = new Set(replies.map((r) => r.json?.id));
    expect(
      ids.size,
      `three concurrent copies of one request answer one order: ${replies.map((r) => r.said).join(' | ')}`,
    ).toBe(1);
    const list = await http(`${url}?per_page=100`);
    const all = idsOf(list);
    if (all.includes(first.json.id))
      expect(all.length, `two orders in all (the first and the raced one): ${list.said}`).toBe(2);
  },
);

// ---- lists (on their own app) ----

const list = (path: string) => http(`${lists.url}${path}`);

/**
 * True when the unfiltered list counts the items (`total`) but its first page shows none of them: the app's paging is
 * off (a rule of its own), so what filters and sorting do cannot be seen, and is not judged.
 */
async function pagingHidesItems(path: string, count: number): Promise<boolean> {
  const res = await list(`${path}?per_page=100`);
  return res.json?.pagination?.total === count && idsOf(res).length === 0;
}
const stamps = (res: Reply): number[] =>
  Array.isArray(res.json?.data) ? res.json.data.map((x: { created_at: string }) => Date.parse(x.created_at)) : [];
const sorted = (xs: number[], direction: 1 | -1) => xs.every((x, i) => i === 0 || direction * (x - xs[i - 1]!) >= 0);

graded(
  'GET /v1/customers pages like the orders list: data, pagination and every customer exactly once',
  {
    rule: 'pagination',
    points: 1,
    hint: "GET /v1/customers answers { data, pagination } with the same page and per_page rules as a customer's orders.",
  },
  async () => {
    const mine = [
      await createCustomer(lists.url),
      await createCustomer(lists.url),
      await createCustomer(lists.url),
    ].map((c) => c.id);
    const first = await list('/v1/customers?per_page=2');
    expectStatus(first, 200);
    const total = first.json?.pagination?.total;
    expect(
      Number.isInteger(total) && total >= 3,
      `pagination.total counts the customers (at least the 3 just created): ${first.said}`,
    ).toBe(true);
    const pages = Math.ceil(total / 2);
    const seen: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const res = await list(`/v1/customers?per_page=2&page=${page}`);
      expect(res.json?.pagination, `pagination of page ${page}: ${res.said}`).toEqual({
        page,
        per_page: 2,
        total,
        total_pages: pages,
      });
      expect(idsOf(res).length, `customers on page ${page} of ${total} at 2 per page: ${res.said}`).toBe(
        Math.min(2, total - (page - 1) * 2),
      );
      seen.push(...idsOf(res));
    }
    expect(new Set(seen).size, 'no customer is on two pages').toBe(total);
    for (const id of mine) expect(seen, 'every new customer is on some page').toContain(id);
    const past = await list(`/v1/customers?per_page=2&page=${pages + 1}`);
    expect(past.json?.data, `a page past the end has no data: ${past.said}`).toEqual([]);
  },
);

graded(
  'Lists filter by status and created_after (strictly later), and total counts the filtered list',
  {
    rule: 'filters',
    points: 2,
    hint: 'Keep only orders whose status equals ?status= and items created strictly after ?created_after= (compare as dates, on both lists); total counts what is left.',
  },
  async () => {
    const customer = await createCustomer(lists.url);
    const a = await createOrder(lists.url, customer.id, { total_cents: 100, currency: 'eur' });
    const b = await createOrder(lists.url, customer.id, { total_cents: 200, currency: 'eur', status: 'paid' });
    const c = await createOrder(lists.url, customer.id, { total_cents: 300, currency: 'eur', status: 'paid' });
    if (await pagingHidesItems(`/v1/customers/${customer.id}/orders`, 3)) return;
    const base = `/v1/customers/${customer.id}/orders?per_page=100`;
    const cases: [string, string[]][] = [
      ['status=paid', [b.id, c.id]],
      ['status=pending', [a.id]],
      [`created_after=${encodeURIComponent(b.created_at)}`, [c.id]],
      [`status=paid&created_after=${encodeURIComponent(a.created_at)}`, [b.id, c.id]],
    ];
    for (const [query, expected] of cases) {
      const res = await list(`${base}&${query}`);
      expectStatus(res, 200, `?${query}`);
      expect(idsOf(res).sort(), `?${query} keeps ${expected.length} of the 3 orders: ${res.said}`).toEqual(
        [...expected].sort(),
      );
      expect(res.json?.pagination?.total, `?${query}: total counts the filtered list`).toBe(expected.length);
    }
    // Filtered before the page is cut: one pending order among three still fills a page of one.
    const onePerPage = await list(`/v1/customers/${customer.id}/orders?status=pending&per_page=1`);
    expect(idsOf(onePerPage), `?status=pending&per_page=1 holds the one pending order: ${onePerPage.said}`).toEqual([
      a.id,
    ]);
    const people = [await createCustomer(lists.url), await createCustomer(lists.url), await createCustomer(lists.url)];
    const since = people[0]!.created_at as string;
    const later = await list(`/v1/customers?per_page=100&created_after=${encodeURIComponent(since)}`);
    expectStatus(later, 200, 'GET /v1/customers?created_after=');
    expect(idsOf(later), `customers created after the first of three: ${later.said}`).toEqual(
      expect.arrayContaining([people[1]!.id, people[2]!.id]),
    );
    expect(idsOf(later), 'strictly after: not the first one itself').not.toContain(people[0]!.id);
    expect(
      stamps(later).every((t) => t > Date.parse(since)),
      `every customer listed was created after ${since}`,
    ).toBe(true);
    expect(later.json?.pagination?.total, 'total counts the filtered customers').toBe(idsOf(later).length);
  },
);

graded(
  'Lists sort by created_at both ways, newest first by default, before the page is cut',
  {
    rule: 'sorting',
    points: 2,
    hint: 'sort=created_at is oldest first, sort=-created_at (and no sort at all) newest first; sort the whole filtered list, then cut the page out of it.',
  },
  async () => {
    const customer = await createCustomer(lists.url);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++)
      ids.push((await createOrder(lists.url, customer.id, { total_cents: i, currency: 'eur' })).id);
    const base = `/v1/customers/${customer.id}/orders`;
    if (await pagingHidesItems(base, 5)) return;
    const oldest = await list(`${base}?sort=created_at&per_page=100`);
    expect(idsOf(oldest), `sort=created_at is oldest first: ${oldest.said}`).toEqual(ids);
    const newest = await list(`${base}?sort=-created_at&per_page=100`);
    expect(idsOf(newest), `sort=-created_at is newest first: ${newest.said}`).toEqual([...ids].reverse());
    const byDefault = await list(`${base}?per_page=100`);
    expect(idsOf(byDefault), `no sort means newest first: ${byDefault.said}`).toEqual([...ids].reverse());
    // Sorted before the cut: everything on page 1 comes before everything on page 2 (pages that overlap or are empty
    // say something about paging, which is another rule).
    for (const [sort, direction] of [
      ['created_at', 1],
      ['-created_at', -1],
    ] as const) {
      const [p1, p2] = [
        await list(`${base}?sort=${sort}&per_page=2&page=1`),
        await list(`${base}?sort=${sort}&per_page=2&page=2`),
      ];
      const [s1, s2] = [stamps(p1), stamps(p2)];
      if (s1.length && s2.length && !idsOf(p1).some((id) => idsOf(p2).includes(id))) {
        expect(
          sorted([...s1, ...s2], direction),
          `sort=${sort}: page 2 continues page 1 (${p1.said} | ${p2.said})`,
        ).toBe(true);
      }
    }
    await createCustomer(lists.url);
    for (const [query, direction] of [
      ['sort=created_at', 1],
      ['sort=-created_at', -1],
      ['', -1],
    ] as const) {
      const res = await list(`/v1/customers?per_page=100&${query}`);
      expect(
        sorted(stamps(res), direction),
        `GET /v1/customers?${query} is ${direction === 1 ? 'oldest' : 'newest'} first: ${res.said}`,
      ).toBe(true);
    }
  },
);

graded(
  'Bad query values (page, per_page, status, created_after, sort) answer 400 naming each bad parameter',
  {
    rule: 'bad-query',
    points: 2,
    hint: 'Validate the query string like a body, on both lists: page ≥ 1, per_page 1–100, a known status, an ISO 8601 created_after, sort created_at or -created_at. Name each bad one in details.',
  },
  async () => {
    const customer = await createCustomer(lists.url);
    const base = `/v1/customers/${customer.id}/orders`;
    const cases: [string, string][] = [
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['per_page=0', 'per_page'],
      ['per_page=101', 'per_page'],
      ['per_page=1000', 'per_page'],
      ['status=payed', 'status'],
      ['created_after=yesterday', 'created_after'],
      ['sort=password', 'sort'],
    ];
    for (const [query, field] of cases) expectInvalid(await list(`${base}?${query}`), [field], `?${query}`);
    expectInvalid(
      await list(`${base}?page=-1&per_page=x&sort=name`),
      ['page', 'per_page', 'sort'],
      'three bad parameters',
    );
    expectStatus(await list(`${base}?per_page=100&page=1`), 200, 'per_page=100 is the largest page');
    for (const [query, field] of [
      ['page=0', 'page'],
      ['per_page=1000', 'per_page'],
      ['sort=name', 'sort'],
      ['created_after=yesterday', 'created_after'],
    ]) {
      expectInvalid(await list(`/v1/customers?${query}`), [field!], `GET /v1/customers?${query}`);
    }
  },
);

graded(
  'Writes, deletes, the customers list and the other errors answer as the OpenAPI document says',
  {
    rule: 'openapi-matches',
    points: 1,
    hint: 'Every status the API answers needs its entry under responses: 204 for DELETE, 409, 412, 415 and 422 with the error schema, and the customers list with its own schema.',
  },
  async () => {
    const document = await documentOf(run.url);
    const customer = await createCustomer(run.url);
    const order = await createOrder(run.url, customer.id, { total_cents: 800, currency: 'usd' });
    const etag = (await send('GET', `/v1/orders/${order.id}`)).headers.get('etag') ?? '"none"';
    const patched = await send('PATCH', `/v1/orders/${order.id}`, { status: 'paid' });
    const key = { 'idempotency-key': `contract-${randomUUID()}` };
    await send('POST', `/v1/customers/${customer.id}/orders`, { total_cents: 100, currency: 'eur' }, key);
    expectMatchesDocument(document, [
      ['GET', '/v1/customers', 200, await send('GET', '/v1/customers?per_page=3')],
      ['PATCH', '/v1/orders/{id}', 200, patched],
      [
        'PUT',
        '/v1/customers/{id}',
        200,
        await send('PUT', `/v1/customers/${customer.id}`, { name: 'Ada King', email: customer.email }),
      ],
      ['POST', '/v1/customers', 409, await send('POST', '/v1/customers', { name: 'Twin', email: customer.email })],
      ['POST', '/v1/customers', 415, await sendRaw('POST', '/v1/customers', 'name=Ada', 'text/plain')],
      [
        'PUT',
        '/v1/orders/{id}',
        412,
        await send(
          'PUT',
          `/v1/orders/${order.id}`,
          { status: 'shipped', total_cents: 800, currency: 'usd' },
          { 'if-match': etag },
        ),
      ],
      [
        'POST',
        '/v1/customers/{id}/orders',
        422,
        await send('POST', `/v1/customers/${customer.id}/orders`, { total_cents: 999, currency: 'eur' }, key),
      ],
      ['DELETE', '/v1/orders/{id}', 204, await send('DELETE', `/v1/orders/${order.id}`)],
    ]);
  },
);
