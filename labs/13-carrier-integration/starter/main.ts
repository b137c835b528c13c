// Lab 13 — the carrier integration service. Read labs/13-carrier-integration/README.md, then run:
//   npm run lab -- check 13
// The TODOs are numbered in the order the README's steps take them: events.ts (1–3), carriers.ts (4–6),
// metrics.ts (7), here (8, 11, 12), trace.ts (9, 10).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type IHeaders, Kafka, Partitioners, logLevel } from 'kafkajs';
import { type Command, createCarriers } from './carriers.ts';
import { openDatabase } from './db.ts';
import type { Carrier, TrackingEvent } from './events.ts';
import { log } from './log.ts';
import { registry } from './metrics.ts';
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

// TODO 11: publish only the events not published before (the published_events table, db.ts), each keyed by its
//          tracking number with a traceparent header of the command's trace, and say how many were new. Make "is it
//          new?" and "it is mine" one step, so that a webhook and a poll that see the same event cannot both win it.
async function publishNew(events: TrackingEvent[], via: 'poll' | 'webhook', trace: TraceContext): Promise<number> {
  void via;
  if (events.length === 0) return 0;
  await producer.send({
    topic: TOPICS.events,
    acks: -1,
    messages: events.map((e) => ({ key: e.tracking_number, value: JSON.stringify(e), headers: { traceparent: childTraceparent(trace) } })),
  });
  return events.length;
}

type Reason = 'invalid_command' | 'unknown_shipment' | 'retries_exhausted' | 'circuit_open';

// TODO 8: send a dead letter to TOPICS.deadLetters: { reason, detail, command_id, carrier, tracking_number, original }
//         (README, "Dead letters"), and count it (recordDeadLetter, metrics.ts).
async function deadLetter(
  reason: Reason,
  detail: string,
  original: string,
  command: Partial<Command>,
  trace: TraceContext,
): Promise<void> {
  log('warn', 'dead letter (not sent yet: TODO 8)', { correlation_id: command.commandId ?? null, trace_id: trace.traceId, reason, detail, original });
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

// TODO 12: POST /webhooks/dhl (README, "Webhooks"): read the DHL shipment documents with fromDhl, publish what is
//          new through publishNew, answer 202; refuse any other body with 400 and a message saying what to send.
app.post('/webhooks/dhl', (c) => c.json({ error: { code: 'not_implemented', message: 'TODO 12' } }, 501));

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
