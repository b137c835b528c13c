// Lab 13 — the carrier integration service: tracking commands from Kafka, DHL (JSON) and the postal service (SOAP)
// behind retries and a circuit breaker each, one normalised event model published once per external event (polled
// or pushed by a webhook), dead letters with a reason, an integrations_log table, Prometheus metrics, JSON logs and
// W3C trace context from the command to the carrier call and the event.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type IHeaders, Kafka, Partitioners, logLevel } from 'kafkajs';
import { type Command, createCarriers } from './carriers.ts';
import { openDatabase } from './db.ts';
import { type Carrier, fromDhl, type TrackingEvent } from './events.ts';
import { log } from './log.ts';
import { recordDeadLetter, registry } from './metrics.ts';
import { childTraceparent, type TraceContext, traceFrom } from './trace.ts';

const prefix = process.env.NAME_PREFIX ?? 'dev';
const TOPICS = {
  commands: `${prefix}.tracking.commands`,
  events: `${prefix}.tracking.events`,
  deadLetters: `${prefix}.dead.letters`,
};
const GROUP = `${prefix}.carrier-integration`;
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const mockUrl = process.env.CARRIERS_MOCK_URL ?? 'http://127.0.0.1:12114';

const db = openDatabase();
const carriers = createCarriers(
  {
    dhlUrl: process.env.DHL_API_URL ?? mockUrl,
    dhlKey: process.env.DHL_API_KEY ?? 'demo-key',
    postalUrl: process.env.POSTAL_API_URL ?? mockUrl,
    postalLogin: process.env.POSTAL_LOGIN ?? 'lab-user',
    postalPassword: process.env.POSTAL_PASSWORD ?? 'lab-password',
    timeoutMs: num('CARRIER_TIMEOUT_MS', 2000),
    attempts: num('RETRY_ATTEMPTS', 3),
    baseMs: num('RETRY_BASE_MS', 200),
    retryAfterMaxMs: num('RETRY_AFTER_MAX_MS', 5000),
    breakerThreshold: num('BREAKER_THRESHOLD', 5),
    breakerOpenMs: num('BREAKER_OPEN_MS', 30_000),
  },
  db,
);

const kafka = new Kafka({
  clientId: `carrier-integration-${process.pid}`,
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.WARN,
});

// The three topics (another instance may have made them). A busy KRaft broker can answer "does not host this
// topic-partition" just after creating one: it exists then, so ask again in a moment.
const admin = kafka.admin();
await admin.connect();
for (let attempt = 1; ; attempt++) {
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(TOPICS).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });
    break;
  } catch (error) {
    if (attempt >= 10 || !/does not host this topic-partition/i.test((error as Error).message)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}
await admin.disconnect();

const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

// #region publish-once
const claim = db.prepare(
  `INSERT INTO published_events (external_event_id, carrier, tracking_number, via, published_at)
   VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
);
const release = db.prepare('DELETE FROM published_events WHERE external_event_id = ?');

/**
 * Publish the events not published before. The claim is one synchronous INSERT, so a webhook and a poll that see
 * the same event at the same moment cannot both win it; a failed send gives the claims back.
 */
async function publishNew(events: TrackingEvent[], via: 'poll' | 'webhook', trace: TraceContext): Promise<number> {
  const now = new Date().toISOString();
  const fresh = events.filter(
    (e) => Number(claim.run(e.external_event_id, e.carrier, e.tracking_number, via, now).changes) === 1,
  );
  if (fresh.length === 0) return 0;
  try {
    await producer.send({
      topic: TOPICS.events,
      acks: -1,
      messages: fresh.map((e) => ({
        key: e.tracking_number,
        value: JSON.stringify(e),
        headers: { traceparent: childTraceparent(trace), 'content-type': 'application/json' },
      })),
    });
  } catch (error) {
    for (const e of fresh) release.run(e.external_event_id);
    throw error;
  }
  return fresh.length;
}
// #endregion publish-once

type Reason = 'invalid_command' | 'unknown_shipment' | 'retries_exhausted' | 'circuit_open';

async function deadLetter(
  reason: Reason,
  detail: string,
  original: string,
  command: Partial<Command>,
  trace: TraceContext,
): Promise<void> {
  await producer.send({
    topic: TOPICS.deadLetters,
    acks: -1,
    messages: [
      {
        key: command.commandId ?? null,
        value: JSON.stringify({
          reason,
          detail,
          command_id: command.commandId ?? null,
          carrier: command.carrier ?? null,
          tracking_number: command.trackingNumber ?? null,
          original,
          failed_at: new Date().toISOString(),
        }),
        headers: { traceparent: childTraceparent(trace), 'content-type': 'application/json' },
      },
    ],
  });
  recordDeadLetter(reason);
  log('warn', 'dead letter', { correlation_id: command.commandId ?? null, trace_id: trace.traceId, reason, detail });
}

const TRACKING_NUMBER: Record<Carrier, RegExp> = {
  dhl: /^[A-Za-z0-9-]{4,40}$/,
  postal: /^([A-Za-z]{2}\d{9}[A-Za-z]{2}|\d{14})$/,
};

/** The command in a message, or what is wrong with it. */
function readCommand(value: string, trace: TraceContext): Command | string {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(value);
  } catch {
    return 'the value is not JSON';
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the value is not a JSON object';
  const { command_id, carrier, tracking_number } = body;
  if (typeof command_id !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(command_id)) {
    return 'command_id must be 1 to 100 letters, digits, _ . : or -';
  }
  if (carrier !== 'dhl' && carrier !== 'postal') return 'carrier must be "dhl" or "postal"';
  if (typeof tracking_number !== 'string' || !TRACKING_NUMBER[carrier].test(tracking_number)) {
    return `tracking_number is not a ${carrier} tracking number`;
  }
  return { commandId: command_id, carrier, trackingNumber: tracking_number.toUpperCase(), trace };
}

const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  return value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);
};

// #region handle-command
async function handle(value: string, headers: IHeaders | undefined): Promise<void> {
  const trace = traceFrom(headerText(headers, 'traceparent'));
  const command = readCommand(value, trace);
  if (typeof command === 'string') {
    const partial = (() => {
      try {
        const b = JSON.parse(value) as Record<string, unknown>;
        return typeof b?.command_id === 'string' ? { commandId: b.command_id } : {};
      } catch {
        return {};
      }
    })();
    return deadLetter('invalid_command', command, value, partial, trace);
  }
  const outcome = await carriers.track(command);
  if (!outcome.ok) return deadLetter(outcome.reason, outcome.detail, value, command, trace);
  const published = await publishNew(outcome.events, 'poll', trace);
  log('info', 'command done', {
    correlation_id: command.commandId,
    trace_id: trace.traceId,
    carrier: command.carrier,
    tracking_number: command.trackingNumber,
    events: outcome.events.length,
    published,
  });
}
// #endregion handle-command

const consumer = kafka.consumer({
  groupId: GROUP,
  sessionTimeout: num('KAFKA_SESSION_TIMEOUT_MS', 6000),
  heartbeatInterval: num('KAFKA_HEARTBEAT_INTERVAL_MS', 500),
  rebalanceTimeout: num('KAFKA_REBALANCE_TIMEOUT_MS', 1000),
  maxWaitTimeInMs: 200,
});
await consumer.connect();
await consumer.subscribe({ topics: [TOPICS.commands], fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => handle(message.value?.toString('utf8') ?? '', message.headers),
});

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }));

// #region webhook
app.post('/webhooks/dhl', async (c) => {
  const refuse = (message: string) =>
    c.json({ error: { code: 'invalid_webhook', message, timestamp: new Date().toISOString() } }, 400);
  let body: { shipments?: unknown };
  try {
    body = await c.req.json();
  } catch {
    return refuse('The body must be JSON: { "shipments": [ <a DHL shipment document> ] }.');
  }
  if (!Array.isArray(body?.shipments) || body.shipments.length === 0) {
    return refuse('"shipments" must be a non-empty list of DHL shipment documents.');
  }
  const events: TrackingEvent[] = [];
  for (const shipment of body.shipments) {
    const read = fromDhl(shipment);
    if (typeof read === 'string') return refuse(`A shipment is not a DHL shipment document: ${read}.`);
    events.push(...read);
  }
  const trace = traceFrom(c.req.header('traceparent'));
  const published = await publishNew(events, 'webhook', trace);
  log('info', 'webhook', { trace_id: trace.traceId, events: events.length, published });
  return c.json({ received: events.length, published }, 202);
});
// #endregion webhook

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port }, (info) => {
  log('info', 'carrier integration service listening', { port: info.port, topics: TOPICS, group: GROUP });
});

process.once('SIGTERM', async () => {
  server.close();
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  db.close();
  process.exit(0);
});
