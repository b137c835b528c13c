// Lab 08 — order events on Kafka. Read labs/08-kafka-order-events/README.md, then run:
//   npm run lab -- check 08
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Kafka, logLevel } from 'kafkajs';
import { EVENT_TYPES, openProjection } from './projection.ts';

// Names come from NAME_PREFIX, so that many runs can share one broker. Keep them: the grader uses them too.
const prefix = process.env.NAME_PREFIX ?? 'dev';
const TOPIC = `${prefix}.order-events`;
const DEAD_LETTER_TOPIC = `${prefix}.order-events.dlt`;
const GROUP_ID = process.env.GROUP_ID ?? `${prefix}.orders`;
const PARTITIONS = 3;
const PROCESS_DELAY_MS = Number(process.env.PROCESS_DELAY_MS ?? 0);
// How fast the consumer group reacts: pass these to kafka.consumer() (the graders set them, see the README).
const SESSION_TIMEOUT_MS = Number(process.env.KAFKA_SESSION_TIMEOUT_MS ?? 6_000);
const HEARTBEAT_INTERVAL_MS = Number(process.env.KAFKA_HEARTBEAT_INTERVAL_MS ?? 1_000);
const REBALANCE_TIMEOUT_MS = Number(process.env.KAFKA_REBALANCE_TIMEOUT_MS ?? 10_000);

const kafka = new Kafka({
  clientId: `order-service-${process.pid}`,
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.WARN,
});
const projection = openProjection();

// TODO 1: create TOPIC with PARTITIONS partitions and DEAD_LETTER_TOPIC with the admin client (it may exist already).
// TODO 2: a producer, and publishEvent(event) that sends it keyed so that one order's events stay in order.
// TODO 3: a consumer in the group GROUP_ID (the three timeouts above), subscribed to TOPIC so
//         that a new group starts from the earliest offset; no auto-commit.
// TODO 4: for each message: parse and validate it; apply it to the projection (waiting PROCESS_DELAY_MS first, to
//         play a slow database) unless projection.has(eventId); then commit the next offset.
// TODO 5: a malformed message goes to DEAD_LETTER_TOPIC with an x-error header; commit it and go on.
// TODO 6: produceBulk(count): many messages per send(), compressed.

function errorBody(code: string, message: string, details: { field: string; message: string }[] = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}

const app = new Hono();
// The harness calls this to know your app is up. Once you have a consumer, answer 503 until it has joined its group.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 2 (continued): POST /events { orderId, type, amount?, eventId? } → validate (type is one of EVENT_TYPES),
// publish, answer 202 { eventId, partition, offset }; 400 with the error envelope for an invalid event.
app.post('/events', (c) => c.json(errorBody('not_implemented', `POST /events is not written yet (TODO 2); types: ${EVENT_TYPES.join(', ')}`), 501));

// TODO 6 (continued): POST /load { count } → produceBulk(count), answer 200 { count, ms, perSecond }.
app.post('/load', (c) => c.json(errorBody('not_implemented', 'POST /load is not written yet (TODO 6).'), 501));

// Done for you: the projection, as the grader reads it.
app.get('/orders', (c) => c.json({ orders: projection.all() }));
app.get('/orders/:id', (c) => {
  const view = projection.get(c.req.param('id'));
  return view ? c.json(view) : c.json(errorBody('not_found', `No order ${c.req.param('id')} in the projection.`), 404);
});

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`order service listening on http://localhost:${info.port}, topic ${TOPIC}, group ${GROUP_ID}`);
});

process.once('SIGTERM', async () => {
  server.close();
  // TODO 7: disconnect the consumer and the producer, so the group rebalances at once.
  process.exit(0);
});
