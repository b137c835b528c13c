// Lab 12 — an order service with a transactional outbox: each change and its CloudEvent are written in one SQLite
// transaction, a relay publishes the outbox to Kafka (structured mode, keyed by order id) and marks the rows sent, and
// a consumer in its own group applies the events to a read model, once per event id.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startConsumer } from './consumer.ts';
import { isUniqueViolation, openDatabase, transaction } from './db.ts';
import { ORDER_CANCELLED, ORDER_PLACED, orderEvent, type OrderData } from './events.ts';
import { startRelay } from './relay.ts';

const prefix = process.env.NAME_PREFIX ?? 'dev';
const TOPIC = `${prefix}.order-events`;
const READ_MODEL_GROUP = `${prefix}.read-model`;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const db = openDatabase();
const kafka = new Kafka({
  clientId: `order-service-${process.pid}`,
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.WARN,
});

// The topic, 3 partitions (another instance may have made it). A busy KRaft broker can answer "does not host this
// topic-partition" just after creating it: the topic exists then, so ask again in a moment.
const admin = kafka.admin();
await admin.connect();
for (let attempt = 1; ; attempt++) {
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }] });
    break;
  } catch (error) {
    if (attempt >= 10 || !/does not host this topic-partition/i.test((error as Error).message)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}
await admin.disconnect();

const producer = kafka.producer({
  idempotent: true, // the broker drops the producer's own retried duplicates and keeps one partition's order
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();

const relay = startRelay({
  db,
  producer,
  topic: TOPIC,
  intervalMs: env('RELAY_INTERVAL_MS', 100),
  pauseBeforePublishMs: env('RELAY_PAUSE_BEFORE_PUBLISH_MS', 0),
  pauseAfterPublishMs: env('RELAY_PAUSE_AFTER_PUBLISH_MS', 0),
});
const consumer = await startConsumer({
  kafka,
  db,
  topic: TOPIC,
  groupId: READ_MODEL_GROUP,
  sessionTimeout: env('KAFKA_SESSION_TIMEOUT_MS', 6_000),
  heartbeatInterval: env('KAFKA_HEARTBEAT_INTERVAL_MS', 500),
  rebalanceTimeout: env('KAFKA_REBALANCE_TIMEOUT_MS', 1_000),
});

type Details = { field: string; message: string }[];
function errorBody(code: string, message: string, details: Details = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}
const ID = /^[A-Za-z0-9_-]{1,64}$/;

const insertOrder = db.prepare(
  "INSERT INTO orders (order_id, customer_id, total_cents, currency, status, updated_at) VALUES (?, ?, ?, ?, 'placed', ?)",
);
const insertOutbox = db.prepare(
  'INSERT INTO outbox (id, aggregate_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)',
);
const cancelOrder = db.prepare(
  "UPDATE orders SET status = 'cancelled', updated_at = ? WHERE order_id = ? AND status = 'placed'",
);
const selectOrder = db.prepare('SELECT order_id, customer_id, total_cents, currency, status FROM orders WHERE order_id = ?');

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

app.post('/orders', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
  const details: Details = [];
  if (typeof body.order_id !== 'string' || !ID.test(body.order_id)) details.push({ field: 'order_id', message: 'must be 1 to 64 letters, digits, _ or -' });
  if (typeof body.customer_id !== 'string' || !ID.test(body.customer_id)) details.push({ field: 'customer_id', message: 'must be 1 to 64 letters, digits, _ or -' });
  if (!Number.isInteger(body.total_cents) || (body.total_cents as number) <= 0) details.push({ field: 'total_cents', message: 'must be a whole number of cents > 0' });
  if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency)) details.push({ field: 'currency', message: 'must be an ISO 4217 code such as EUR' });
  if (details.length) return c.json(errorBody('validation_failed', 'The order is invalid.', details), 400);
  const order = body as unknown as OrderData;
  // #region place
  const event = orderEvent(ORDER_PLACED, order);
  const now = new Date().toISOString();
  try {
    // One local transaction: the order and the event announcing it exist together or not at all. No Kafka call here.
    transaction(db, () => {
      insertOrder.run(order.order_id, order.customer_id, order.total_cents, order.currency, now);
      insertOutbox.run(event.id, order.order_id, event.type, JSON.stringify(event), now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return c.json(errorBody('order_exists', `Order ${order.order_id} exists already.`), 409);
    throw error;
  }
  // #endregion place
  return c.json({ order_id: order.order_id, status: 'placed', event_id: event.id }, 201);
});

app.post('/orders/:id/cancel', (c) => {
  const orderId = c.req.param('id');
  const order = selectOrder.get(orderId) as (OrderData & { status: string }) | undefined;
  if (!order) return c.json(errorBody('not_found', `No order ${orderId}.`), 404);
  const event = orderEvent(ORDER_CANCELLED, order);
  const now = new Date().toISOString();
  const changed = transaction(db, () => {
    // Only a placed order is cancelled; the row count says whether this request did it (another may have already).
    if (Number(cancelOrder.run(now, orderId).changes) === 0) return false;
    insertOutbox.run(event.id, orderId, event.type, JSON.stringify(event), now);
    return true;
  });
  if (!changed) return c.json(errorBody('already_cancelled', `Order ${orderId} is cancelled already.`), 409);
  return c.json({ order_id: orderId, status: 'cancelled', event_id: event.id });
});

app.get('/orders/:id', (c) => {
  const order = selectOrder.get(c.req.param('id'));
  if (!order) return c.json(errorBody('not_found', `No order ${c.req.param('id')}.`), 404);
  const events = db
    .prepare('SELECT id, type, created_at, published_at FROM outbox WHERE aggregate_id = ? ORDER BY seq')
    .all(c.req.param('id'));
  return c.json({ ...order, events });
});

app.get('/customers/:id', (c) => {
  const totals = db
    .prepare(
      'SELECT currency, orders_placed, orders_cancelled, open_total_cents FROM customer_totals WHERE customer_id = ? ORDER BY currency',
    )
    .all(c.req.param('id'));
  if (totals.length === 0) return c.json(errorBody('not_found', `No event about customer ${c.req.param('id')} yet.`), 404);
  return c.json({ customer_id: c.req.param('id'), totals });
});

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`order service listening on http://localhost:${info.port}, topic ${TOPIC}, read model group ${READ_MODEL_GROUP}`);
});

process.once('SIGTERM', async () => {
  server.close();
  relay.stop();
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  db.close();
  process.exit(0);
});
