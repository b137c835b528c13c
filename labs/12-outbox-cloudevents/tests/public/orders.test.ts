import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http, startLab, waitFor, type LabRun } from '#testkit';
import {
  byOrder,
  CANCELLED,
  cancelOrder,
  cleanup,
  hasEvents,
  names,
  type Order,
  PLACED,
  placeOrder,
  produce,
  readTopic,
  scratch,
  structuredEvent,
} from '../support.ts';

const files = scratch();
let run: LabRun;
beforeAll(async () => {
  run = await startLab({ env: { DATABASE_FILE: files.file('orders.sqlite') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

const short = () => randomUUID().slice(0, 8);
const order = (extra: Partial<Order> = {}): Order => ({
  order_id: `ord_${short()}`,
  customer_id: `cus_${short()}`,
  total_cents: 4999,
  currency: 'EUR',
  ...extra,
});

graded(
  'POST /orders answers 201, refuses an invalid order with 400 and a known order_id with 409; a cancel answers 200, 404 or 409',
  {
    rule: 'orders-api',
    points: 2,
    hint: 'Validate the body before writing (order_id and customer_id 1–64 letters, digits, _ or -; total_cents a whole number > 0; currency three capital letters); let the PRIMARY KEY refuse a known order_id (409 order_exists); cancel only a placed order.',
  },
  async () => {
    const good = order();
    const created = await http(`${run.url}/orders`, { method: 'POST', json: good });
    expect(created.status, created.said).toBe(201);
    expect(created.json, created.said).toMatchObject({ order_id: good.order_id, status: 'placed' });
    for (const bad of [
      { ...order(), customer_id: undefined },
      { ...order(), total_cents: 0 },
      { ...order(), total_cents: 12.5 },
      { ...order(), currency: 'eur' },
      { ...order(), order_id: 'no spaces allowed' },
    ]) {
      const res = await http(`${run.url}/orders`, { method: 'POST', json: bad });
      expect(res.status, res.said).toBe(400);
      expectErrorEnvelope(res);
      expect(res.json?.error?.code, res.said).toBe('validation_failed');
    }
    const again = await http(`${run.url}/orders`, { method: 'POST', json: { ...good, total_cents: 1 } });
    expect(again.status, again.said).toBe(409);
    expect(again.json?.error?.code, again.said).toBe('order_exists');
    const unknown = await http(`${run.url}/orders/ord_${short()}/cancel`, { method: 'POST' });
    expect(unknown.status, unknown.said).toBe(404);
    const cancelled = await http(`${run.url}/orders/${good.order_id}/cancel`, { method: 'POST' });
    expect(cancelled.status, cancelled.said).toBe(200);
    expect(cancelled.json, cancelled.said).toMatchObject({ order_id: good.order_id, status: 'cancelled' });
    const twice = await http(`${run.url}/orders/${good.order_id}/cancel`, { method: 'POST' });
    expect(twice.status, twice.said).toBe(409);
    expect(twice.json?.error?.code, twice.said).toBe('already_cancelled');
  },
);

graded(
  'a refused order or cancel puts no event on the topic: the change and its event are written in one transaction, and only the relay publishes',
  {
    rule: 'one-transaction',
    points: 3,
    hint: 'Never call Kafka from the request: insert the order (or update it) and its outbox row inside one transaction, so that a refused change (a known order_id, an order cancelled already) leaves no event behind; the relay publishes.',
  },
  async () => {
    const first = order({ total_cents: 1000 });
    const other = order();
    const marker = order();
    await placeOrder(run.url, first);
    await placeOrder(run.url, other);
    // Refused by the database (any answer: the status is the orders-api rule's business).
    await http(`${run.url}/orders`, { method: 'POST', json: { ...first, total_cents: 2000 } });
    await cancelOrder(run.url, other.order_id);
    await http(`${run.url}/orders/${other.order_id}/cancel`, { method: 'POST' });
    // The relay publishes in the order rows were written: once the marker is out, everything before it is.
    await placeOrder(run.url, marker);
    const seen = byOrder(
      await readTopic(names(run.prefix).topic, (messages) =>
        hasEvents(messages, [
          [first.order_id, PLACED],
          [other.order_id, CANCELLED],
          [marker.order_id, PLACED],
        ]),
      ),
    );
    const placed = (seen.get(first.order_id) ?? []).filter((e) => e.type === PLACED);
    expect(placed.length, `placed events of ${first.order_id} on the topic`).toBeGreaterThan(0);
    expect(
      placed.map((e) => ({ id: e.id, total_cents: e.data?.total_cents })),
      `placed events of ${first.order_id}: the order placed (1000 cents), never the refused second one (2000 cents)`,
    ).toEqual(placed.map(() => ({ id: placed[0]!.id, total_cents: 1000 })));
    const cancelled = (seen.get(other.order_id) ?? []).filter((e) => e.type === CANCELLED);
    expect(
      new Set(cancelled.map((e) => e.id)).size,
      `distinct cancelled events of ${other.order_id}, cancelled once and refused the second time`,
    ).toBe(1);
  },
);

graded(
  'the read model applies every order event on the topic, whoever produced it: GET /customers/:id shows the totals per currency',
  {
    rule: 'read-model',
    points: 2,
    hint: 'A consumer in the group NAME_PREFIX + ".read-model", from the earliest offset, reads each message with the SDK (Kafka.toEvent) and applies it: placed adds one order and its total, cancelled counts one cancel and takes the total off.',
    timeout: 30_000,
  },
  async () => {
    const customer = `cus_${short()}`;
    const a = order({ customer_id: customer, total_cents: 700 });
    const b = order({ customer_id: customer, total_cents: 300 });
    const c = order({ customer_id: customer, total_cents: 125, currency: 'USD' });
    await produce(
      names(run.prefix).topic,
      [
        structuredEvent(PLACED, a),
        structuredEvent(PLACED, b),
        structuredEvent(CANCELLED, a),
        structuredEvent(PLACED, c),
      ].map((m, i) => ({ key: [a, b, a, c][i]!.order_id, value: m.value, headers: m.headers })),
    );
    const totals = async () => {
      const res = await http(`${run.url}/customers/${customer}`);
      return res.status === 200 && Array.isArray(res.json?.totals) && res.json.totals.length >= 2 ? res : undefined;
    };
    const res = await waitFor(totals, {
      timeoutMs: 15_000,
      message: `GET /customers/${customer} with EUR and USD totals`,
    });
    const byCurrency = Object.fromEntries((res.json.totals as { currency: string }[]).map((t) => [t.currency, t]));
    expect(byCurrency.EUR, res.said).toMatchObject({ orders_placed: 2, orders_cancelled: 1, open_total_cents: 300 });
    expect(byCurrency.USD, res.said).toMatchObject({ orders_placed: 1, orders_cancelled: 0, open_total_cents: 125 });
  },
);
