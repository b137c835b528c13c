// Part 2, given ready-made: the order API as the provider, in memory (a small part of lab 01's API). Your
// provider-state handlers fill `store` directly; startOrderApi() serves it on 127.0.0.1.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Order {
  id: string;
  customer_id: string;
  status: 'pending' | 'paid' | 'shipped' | 'cancelled';
  total_cents: number;
  currency: string;
  note: string | null;
  created_at: string;
  updated_at: string;
}

/** What the API serves: change it in a provider-state handler to put the provider into that state. */
export const store = { customers: new Set<string>(), orders: new Map<string, Order>() };

const STATUSES = ['pending', 'paid', 'shipped', 'cancelled'];

export async function startOrderApi(): Promise<{ url: string; close: () => Promise<void> }> {
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message, details: [] } });
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let m = /^\/v1\/orders\/([^/]+)$/.exec(path);
    if (m) {
      const order = store.orders.get(decodeURIComponent(m[1]!));
      if (!order) return error(res, 404, 'not_found', 'No order has this id.');
      if (req.method === 'GET') return send(res, 200, order);
      if (req.method === 'PATCH') {
        let body: { status?: unknown };
        try {
          const chunks: Buffer[] = [];
          for await (const c of req) chunks.push(c as Buffer);
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return error(res, 400, 'malformed_json', 'The body is not valid JSON.');
        }
        if (body.status !== undefined && !STATUSES.includes(body.status as string))
          return error(res, 400, 'validation_failed', `status must be one of ${STATUSES.join(', ')}`);
        if (body.status !== undefined) order.status = body.status as Order['status'];
        order.updated_at = new Date().toISOString();
        return send(res, 200, order);
      }
      return error(res, 405, 'method_not_allowed', 'Use GET or PATCH.');
    }
    m = /^\/v1\/customers\/([^/]+)\/orders$/.exec(path);
    if (m && req.method === 'GET') {
      const customerId = decodeURIComponent(m[1]!);
      if (!store.customers.has(customerId)) return error(res, 404, 'not_found', 'No customer has this id.');
      const data = [...store.orders.values()].filter((o) => o.customer_id === customerId);
      return send(res, 200, { data, pagination: { page: 1, per_page: 20, total: data.length, total_pages: 1 } });
    }
    return error(res, 404, 'not_found', 'No such route.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
