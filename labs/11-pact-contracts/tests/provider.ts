// The provider the graded tests verify a student's pact against: the part of lab 01's order API the storefront
// calls (same routes, statuses and JSON), in memory, with the provider states the README names. Each variant is the
// same API changed the way a provider team might change it: breaking changes a good contract catches, and compatible
// ones it must let through. Trusted code: it runs in the test process, on 127.0.0.1, never in the sandbox.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Breaking changes, as a test name says them ("it fails when the provider …"). */
export const BREAKING = {
  'total-renamed': 'renames total_cents to amount_cents',
  'total-as-string': 'sends total_cents as a string',
  'currency-dropped': 'stops sending currency',
  'created-answers-200': 'answers a placed order with 200, not 201',
  'list-became-object': 'turns the list’s data into an object',
  'unknown-order-410': 'answers an unknown order with 410, not 404',
} as const;

/** Changes the storefront does not notice ("it still passes when the provider …"). */
export const COMPATIBLE = {
  'extra-fields': 'adds fields and reorders keys',
  'other-values': 'sends other values and list lengths',
  'unread-fields-dropped': 'drops fields the storefront never reads',
} as const;

export type Variant = 'reference' | keyof typeof BREAKING | keyof typeof COMPATIBLE;

type Order = Record<string, unknown>;

/** A change described by the test that uses it (the hidden tests keep theirs out of the students' sight). */
export interface Change {
  /** Changes each order the provider sends (a copy: change it in place). */
  order?: (order: Order) => void;
  /** Changes a list's pagination (a copy: change it in place). */
  pagination?: (pagination: Record<string, unknown>) => void;
}

export interface RunningProvider {
  url: string;
  /** The provider states the README names; each sets up the store (which is emptied before every interaction). */
  stateHandlers: Record<string, (params?: unknown) => Promise<void>>;
  reset(): void;
  close(): Promise<void>;
}

export async function startProvider(variant: Variant, change: Change = {}): Promise<RunningProvider> {
  const other = variant === 'other-values';
  const customers = new Set<string>();
  const orders = new Map<string, Order>();
  let created = 0;
  const newOrder = (id: string, customerId: string, n: number): Order => ({
    id,
    customer_id: customerId,
    status: other ? ['shipped', 'cancelled', 'pending'][n % 3] : n % 2 ? 'pending' : 'paid',
    total_cents: other ? 1250 + 7 * n : 4999,
    currency: other ? 'usd' : 'eur',
    note: other ? 'leave at the door' : null,
    created_at: other ? '2027-02-03T04:05:06.789Z' : '2026-11-23T10:00:00.000Z',
    updated_at: other ? '2027-02-03T04:05:06.789Z' : '2026-11-23T10:00:00.000Z',
  });
  const stateHandlers: RunningProvider['stateHandlers'] = {
    'an order exists': async (params) => {
      const id = String((params as { id?: unknown } | undefined)?.id ?? 'ord_1');
      customers.add('cus_1');
      orders.set(id, newOrder(id, 'cus_1', 0));
    },
    'a customer with orders exists': async (params) => {
      const customerId = String((params as { customer_id?: unknown } | undefined)?.customer_id ?? 'cus_1');
      customers.add(customerId);
      for (let n = 0; n < (other ? 3 : 2); n++) {
        const id = other ? `ord_${randomUUID().slice(0, 8)}` : `ord_${101 + n}`;
        orders.set(id, newOrder(id, customerId, n));
      }
    },
    'a customer exists': async (params) => {
      customers.add(String((params as { customer_id?: unknown } | undefined)?.customer_id ?? 'cus_1'));
    },
  };

  const shape = (order: Order): Order => {
    let o: Order = { ...order };
    if (variant === 'total-renamed') {
      const { total_cents, ...rest } = o;
      o = { ...rest, amount_cents: total_cents };
    }
    if (variant === 'total-as-string') o.total_cents = ((o.total_cents as number) / 100).toFixed(2);
    if (variant === 'currency-dropped') delete o.currency;
    if (variant === 'unread-fields-dropped') {
      for (const key of ['customer_id', 'note', 'created_at', 'updated_at']) delete o[key];
    }
    if (variant === 'extra-fields') {
      o = Object.fromEntries(Object.entries({ ...o, loyalty_points: 12, tracking_url: null }).reverse());
    }
    change.order?.(o);
    return o;
  };

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
    res.end(text);
  };
  const notFound = (res: ServerResponse, what: string) =>
    send(res, 404, {
      error: { code: 'not_found', message: `No ${what} has this id.`, details: [], request_id: `req_${randomUUID()}` },
    });
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let m = /^\/v1\/orders\/([^/]+)$/.exec(path);
    if (m && req.method === 'GET') {
      const order = orders.get(decodeURIComponent(m[1]!));
      if (order) return send(res, 200, shape(order));
      if (variant === 'unknown-order-410')
        return send(res, 410, { error: { code: 'gone', message: 'No such order.' } });
      return notFound(res, 'order');
    }
    m = /^\/v1\/customers\/([^/]+)\/orders$/.exec(path);
    if (m && req.method === 'GET') {
      const customerId = decodeURIComponent(m[1]!);
      if (!customers.has(customerId)) return notFound(res, 'customer');
      const mine = [...orders.values()].filter((o) => o.customer_id === customerId).map(shape);
      const pagination: Record<string, unknown> = { page: 1, per_page: 20, total: mine.length, total_pages: 1 };
      change.pagination?.(pagination);
      const data = variant === 'list-became-object' ? Object.fromEntries(mine.map((o) => [o.id, o])) : mine;
      const list = { data, pagination };
      return send(res, 200, variant === 'extra-fields' ? { links: { self: path }, pagination, data } : list);
    }
    if (m && req.method === 'POST') {
      const customerId = decodeURIComponent(m[1]!);
      if (!customers.has(customerId)) return notFound(res, 'customer');
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        return send(res, 415, { error: { code: 'unsupported_media_type', message: 'Send application/json.' } });
      let body: { total_cents?: unknown; currency?: unknown };
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return send(res, 400, { error: { code: 'malformed_json', message: 'The body is not valid JSON.' } });
      }
      const details = [];
      if (!Number.isInteger(body.total_cents) || (body.total_cents as number) <= 0)
        details.push({ field: 'total_cents', message: 'must be a positive integer' });
      if (typeof body.currency !== 'string' || !/^[a-z]{3}$/.test(body.currency))
        details.push({ field: 'currency', message: 'must be a lower-case ISO 4217 code' });
      if (details.length)
        return send(res, 400, { error: { code: 'validation_failed', message: 'The order is not valid.', details } });
      created++;
      const id = other ? `ord_${randomUUID().slice(0, 12)}` : `ord_${1000 + created}`;
      const order = {
        ...newOrder(id, customerId, 1),
        status: 'pending',
        total_cents: body.total_cents,
        currency: body.currency,
      };
      orders.set(id, order);
      return send(res, variant === 'created-answers-200' ? 200 : 201, shape(order), { location: `/v1/orders/${id}` });
    }
    return notFound(res, 'route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stateHandlers,
    reset: () => {
      customers.clear();
      orders.clear();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
