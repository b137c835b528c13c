// Lab 08 — order events on Kafka: keyed producer, a consumer group with manual commits after processing, an
// idempotent projection, a dead-letter topic for malformed messages, and a batched, compressed bulk producer.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CompressionTypes, Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { EVENT_TYPES, openProjection, type EventType, type OrderEvent } from './projection.ts';

const prefix = process.env.NAME_PREFIX ?? 'dev';
const TOPIC = `${prefix}.order-events`;
const DEAD_LETTER_TOPIC = `${prefix}.order-events.dlt`;
const GROUP_ID = process.env.GROUP_ID ?? `${prefix}.orders`;
const PARTITIONS = 3;
const PROCESS_DELAY_MS = Number(process.env.PROCESS_DELAY_MS ?? 0);
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const kafka = new Kafka({
  clientId: `order-service-${process.pid}`,
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.WARN,
});
const projection = openProjection();

// #region topic
const admin = kafka.admin();
await admin.connect();
// Resolves false when the topics exist already (another instance created them): that is fine. A busy broker may
// not host a topic it has just created yet when kafkajs asks for its leaders ("does not host this topic-partition"):
// the topic is there, so ask again in a moment.
for (let attempt = 1; ; attempt++) {
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 },
        { topic: DEAD_LETTER_TOPIC, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    break;
  } catch (error) {
    const message = String((error as Error).message);
    if (/already exists/i.test(message)) break;
    if (attempt >= 10 || !/does not host this topic-partition/i.test(message)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}
await admin.disconnect();
// #endregion topic

// #region producer
const producer = kafka.producer({
  idempotent: true, // the broker drops duplicates from the producer's own retries…
  maxInFlightRequests: 1, // …and they cannot reorder messages
  createPartitioner: Partitioners.DefaultPartitioner, // murmur2 of the key, like the Java client
});
await producer.connect();

async function publishEvent(event: OrderEvent) {
  const [meta] = await producer.send({
    topic: TOPIC,
    acks: -1,
    // The key picks the partition: all events of one order land in one partition, so they stay in order.
    messages: [{ key: event.orderId, value: JSON.stringify(event), headers: { 'event-type': event.type } }],
  });
  return meta!;
}
// #endregion producer

// #region bulk
/** Produce `count` synthetic events: many messages per request, gzip-compressed, a few requests in flight. */
async function produceBulk(count: number): Promise<void> {
  const BATCH = 5_000;
  const run = randomUUID().slice(0, 8);
  for (let start = 0; start < count; start += BATCH) {
    const messages: Message[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const orderId = `bulk-${run}-${Math.floor(i / 3)}`;
      const type = EVENT_TYPES[i % 3]!;
      const event: OrderEvent = { eventId: `${orderId}-${i % 3}`, orderId, type, amount: type === 'order.created' ? 10 : undefined, at: new Date().toISOString() };
      messages.push({ key: orderId, value: JSON.stringify(event) });
    }
    await producer.send({ topic: TOPIC, acks: -1, compression: CompressionTypes.GZIP, messages });
  }
}
// #endregion bulk

// #region consumer
const consumer = kafka.consumer({
  groupId: GROUP_ID,
  // Small timeouts so that a dead instance is noticed (and its partitions moved) within seconds.
  sessionTimeout: env('KAFKA_SESSION_TIMEOUT_MS', 6_000),
  heartbeatInterval: env('KAFKA_HEARTBEAT_INTERVAL_MS', 1_000),
  rebalanceTimeout: env('KAFKA_REBALANCE_TIMEOUT_MS', 10_000),
  maxWaitTimeInMs: 500,
});
let joined = false;
consumer.on(consumer.events.GROUP_JOIN, () => {
  joined = true;
});
await consumer.connect();
// A group with no committed offsets starts at the beginning: a new group rebuilds the whole projection.
await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });

await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    const event = parseEvent(message.value);
    if (typeof event === 'string') {
      // A message that can never be processed goes aside, so it does not block the partition behind it.
      await producer.send({
        topic: DEAD_LETTER_TOPIC,
        messages: [{
          key: message.key,
          value: message.value,
          headers: { 'x-error': event, 'x-original-topic': topic, 'x-original-partition': String(partition), 'x-original-offset': message.offset },
        }],
      });
    } else if (!projection.has(event.eventId)) {
      // Redelivered after a crash, or produced twice: an event already applied is skipped, never counted again.
      if (PROCESS_DELAY_MS) await new Promise((r) => setTimeout(r, PROCESS_DELAY_MS)); // a slow database write
      projection.apply(event, { partition, offset: message.offset });
    }
    // Commit the NEXT offset, and only after the work is done: at-least-once.
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  },
});
// #endregion consumer

/** The event, or why it is malformed. */
function parseEvent(value: Buffer | null): OrderEvent | string {
  if (value === null) return 'empty message';
  let data: Partial<OrderEvent>;
  try {
    data = JSON.parse(value.toString('utf8')) as Partial<OrderEvent>;
  } catch {
    return 'not JSON';
  }
  if (typeof data !== 'object' || data === null) return 'not a JSON object';
  if (typeof data.eventId !== 'string' || data.eventId === '') return 'eventId is missing';
  if (typeof data.orderId !== 'string' || data.orderId === '') return 'orderId is missing';
  if (!EVENT_TYPES.includes(data.type as EventType)) return `unknown type ${JSON.stringify(data.type)}`;
  return data as OrderEvent;
}

type Details = { field: string; message: string }[];
function errorBody(code: string, message: string, details: Details = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}

const app = new Hono();
// Ready once the consumer has joined its group: before that, nothing would be consumed.
app.get('/health', (c) => (joined ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503)));

app.post('/events', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
  const details: Details = [];
  if (typeof body.orderId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(body.orderId)) details.push({ field: 'orderId', message: 'must be 1 to 64 letters, digits, _ or -' });
  if (!EVENT_TYPES.includes(body.type as EventType)) details.push({ field: 'type', message: `must be one of ${EVENT_TYPES.join(', ')}` });
  if (body.amount !== undefined && (typeof body.amount !== 'number' || !(body.amount >= 0))) details.push({ field: 'amount', message: 'must be a number ≥ 0' });
  if (details.length) return c.json(errorBody('validation_failed', 'The event is invalid.', details), 400);
  const event: OrderEvent = {
    eventId: typeof body.eventId === 'string' && body.eventId ? body.eventId : randomUUID(),
    orderId: body.orderId as string,
    type: body.type as EventType,
    amount: body.amount as number | undefined,
    at: new Date().toISOString(),
  };
  const meta = await publishEvent(event);
  return c.json({ eventId: event.eventId, partition: meta.partition, offset: meta.baseOffset }, 202);
});

app.post('/load', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { count?: unknown };
  const count = body.count ?? 100_000;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000) {
    return c.json(errorBody('validation_failed', 'The load is invalid.', [{ field: 'count', message: 'must be an integer from 1 to 1000000' }]), 400);
  }
  const started = performance.now();
  await produceBulk(count);
  const ms = Math.round(performance.now() - started);
  return c.json({ count, ms, perSecond: Math.round((count / ms) * 1000) });
});

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
  // Leaving the group on purpose lets the others take over at once, instead of after the session timeout.
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  process.exit(0);
});
