// Helpers for lab 13's tests: the service started beside the carriers mock with a scratch DATA_DIR, commands put on
// Kafka, the events and dead letters read back as they come, what the carriers mock saw, the integrations_log table,
// and the /metrics exposition parsed.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Consumer, IHeaders, Producer } from 'kafkajs';
import { http, kafkaClient, type LabRun, startLab, type StartLabOptions, waitFor } from '#testkit';
import type { CarriersControl } from '../../../mock-servers/carriers/index.ts';
import type { SeenRequest } from '../../../mock-servers/carriers/faults.ts';
import type { Scenario } from '../../../mock-servers/carriers/shipments.ts';
import { operationHistoryRequest, parsePostalAnswer } from '../../../mock-servers/carriers/test-client.ts';
import { parsePrometheus, type Sample } from './prometheus.ts';

/** The header the tests' own calls to the mock carry, so that they are told apart from the app's. */
const GRADER_AGENT = 'lab13-grader';

export const topics = (prefix: string) => ({
  commands: `${prefix}.tracking.commands`,
  events: `${prefix}.tracking.events`,
  deadLetters: `${prefix}.dead.letters`,
});

export interface Message {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
  /** The value as JSON, or undefined when it is not. */
  json: Record<string, unknown> | undefined;
  /** When this test process read it. */
  readAt: number;
}

export interface Service {
  run: LabRun;
  control: CarriersControl;
  carriersUrl: string;
  dataDir: string;
  topics: ReturnType<typeof topics>;
  /** Everything read so far from the events and dead-letter topics. */
  events(): Message[];
  deadLetters(): Message[];
  send(value: string | Record<string, unknown>, headers?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = String(Array.isArray(value) ? value[0] : value);
  return out;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Start the carriers mock and the app (DATA_DIR a fresh folder in the scratch folder), then a reader of the events and
 * dead-letter topics from their start. The mock's rate limit is out of the way unless a test sets one, and an injected
 * hang answers 504 after 3 s.
 */
export async function startService(options: StartLabOptions = {}): Promise<Service> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lab13-'));
  const run = await startLab({
    ...options,
    mockOptions: {
      carriers: {
        rateLimit: { limit: 1_000_000, windowSeconds: 60 },
        maxHangMs: 3000,
        ...options.mockOptions?.carriers,
      },
    },
    env: { DATA_DIR: dataDir, ...options.env },
  });
  const names = topics(run.prefix);
  const client = kafkaClient('lab13-test');
  const groupId = `lab13-reader-${randomUUID().slice(0, 8)}`;
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  const read: Message[] = [];
  try {
    producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = client.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await consumer.connect();
    await consumer
      .subscribe({ topics: [names.events, names.deadLetters], fromBeginning: true })
      .catch((error: Error) => {
        throw new Error(
          `cannot read ${names.events} and ${names.deadLetters} (does the app create them at start-up?): ${error.message}`,
        );
      });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        read.push({
          topic,
          key: message.key?.toString('utf8') ?? null,
          headers: headerText(message.headers),
          value,
          json: parseJson(value),
          readAt: Date.now(),
        });
      },
    });
  } catch (error) {
    await consumer?.disconnect().catch(() => {});
    await producer?.disconnect().catch(() => {});
    await run.stop();
    throw error;
  }
  const mock = run.mocks.carriers!;
  return {
    run,
    control: mock.mock.control,
    carriersUrl: mock.url,
    dataDir,
    topics: names,
    events: () => read.filter((m) => m.topic === names.events),
    deadLetters: () => read.filter((m) => m.topic === names.deadLetters),
    async send(value, headers = {}) {
      try {
        // A busy KRaft broker may not host a topic made a moment ago yet ("does not host this topic-partition"):
        // asking again soon succeeds.
        for (let attempt = 1; ; attempt++) {
          try {
            await producer!.send({
              topic: names.commands,
              acks: -1,
              // One partition, so that commands are handled in the order the tests send them.
              messages: [{ partition: 0, value: typeof value === 'string' ? value : JSON.stringify(value), headers }],
            });
            break;
          } catch (error) {
            if (attempt >= 10 || !/does not host this topic-partition/i.test((error as Error).message)) throw error;
            await sleep(100 * attempt);
          }
        }
      } catch (error) {
        throw new Error(
          `could not send a command to ${names.commands} (does the app create it at start-up?): ${(error as Error).message}`,
        );
      }
    },
    async stop() {
      await consumer?.disconnect().catch(() => {});
      await producer?.disconnect().catch(() => {});
      await run.stop();
      // The run's topics and groups, best effort.
      const admin = client.admin();
      await admin.connect().catch(() => {});
      await admin.deleteGroups([groupId, `${run.prefix}.carrier-integration`]).catch(() => {});
      await admin.deleteTopics({ topics: Object.values(names), timeout: 10_000 }).catch(() => {});
      await admin.disconnect().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POST the same JSON body to a path `count` times so that the app gets every body complete at the same moment: each
 * request goes on a connection of its own with all of its body but the last byte; once every connection holds its
 * request, the last bytes go out together. An app whose "is it new?" and "it is mine" are two steps with a wait
 * between them (a publish) lets every push through; timing on a busy machine cannot hide that. Answers the statuses.
 */
export async function postTogether(baseUrl: string, path: string, body: unknown, count: number): Promise<number[]> {
  const { hostname, port } = new URL(baseUrl);
  const payload = Buffer.from(JSON.stringify(body));
  const head = Buffer.from(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
  );
  const sockets: Socket[] = [];
  try {
    const answers = await Promise.all(
      Array.from({ length: count }, async () => {
        const socket = connect(Number(port), hostname);
        sockets.push(socket);
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        const ended = new Promise<string>((resolve, reject) => {
          socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          socket.on('error', reject);
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        });
        await new Promise<void>((resolve) =>
          socket.write(Buffer.concat([head, payload.subarray(0, -1)]), () => resolve()),
        );
        return { socket, ended };
      }),
    );
    await sleep(150); // every request is read up to its last byte
    for (const { socket } of answers) socket.write(payload.subarray(-1));
    const texts = await Promise.race([
      Promise.all(answers.map((a) => a.ended)),
      sleep(8000).then(() => {
        throw new Error(`${count} pushes sent together to ${path}: not all answered within 8 s`);
      }),
    ]);
    return texts.map((t) => Number(/^HTTP\/1\.1 (\d{3})/.exec(t)?.[1] ?? 0));
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

/** A command as the README shapes it, with a fresh command id. */
export const command = (carrier: string, trackingNumber: string) => ({
  command_id: `cmd-${randomUUID()}`,
  carrier,
  tracking_number: trackingNumber,
});

/** A fresh W3C traceparent: version 00, a random trace id and parent id, sampled. */
export function newTraceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

export const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A shipment of its own for one test: its story starts now. */
export const newShipment = (s: Service, api: 'dhl' | 'postal', scenario: Scenario) =>
  s.control.addShipment(api, scenario).trackingNumber;

/** Wait until the mock shows every planned event of a shipment (under the run's fast time scale). */
export async function untilComplete(s: Service, trackingNumber: string): Promise<void> {
  await waitFor(
    () => s.control.shipments().find((x) => x.trackingNumber === trackingNumber && x.eventsVisible === x.eventsPlanned),
    {
      timeoutMs: 5000,
      message: `the mock to play ${trackingNumber}'s story to its end`,
    },
  );
}

/** The requests the app sent to one carrier API (not the tests' own), oldest first. */
export function appCalls(s: Service, api: 'dhl' | 'postal'): SeenRequest[] {
  return s.control.requests(api).filter((r) => r.headers['user-agent'] !== GRADER_AGENT);
}

/** The app's DHL calls for one tracking number. */
export const dhlCallsFor = (s: Service, trackingNumber: string) =>
  appCalls(s, 'dhl').filter(
    (r) => new URLSearchParams(r.query).get('trackingNumber')?.toUpperCase() === trackingNumber.toUpperCase(),
  );

/** When a logged request started and ended (the log keeps its end and duration). */
export const span = (r: SeenRequest) => ({ start: Date.parse(r.at) - r.durationMs, end: Date.parse(r.at) });

export type Status = 'pre-transit' | 'transit' | 'delivered' | 'failure';

/** What the README's event model says the events of a shipment are, from the carrier's own answer right now. */
export interface ExpectedEvent {
  external_event_id: string;
  carrier: 'dhl' | 'postal';
  tracking_number: string;
  status: Status;
  occurred_at: string;
}

const POSTAL_STATUS: Record<string, Status> = {
  '1': 'pre-transit',
  '8': 'transit',
  '2': 'delivered',
  '12': 'failure',
  '3': 'failure',
};

/** DHL's answer for a shipment, as the tests' own client reads it; and the document a DHL webhook would push. */
export async function dhlShipment(s: Service, trackingNumber: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${s.carriersUrl}/track/shipments?trackingNumber=${trackingNumber}`, {
    headers: { 'DHL-API-Key': String(s.control.secrets().dhl_api_key), 'user-agent': GRADER_AGENT },
  });
  if (res.status !== 200) throw new Error(`the carriers mock answered ${res.status} for DHL ${trackingNumber}`);
  return ((await res.json()) as { shipments: Record<string, unknown>[] }).shipments[0]!;
}

export async function expectedEvents(
  s: Service,
  api: 'dhl' | 'postal',
  trackingNumber: string,
): Promise<ExpectedEvent[]> {
  const id = (at: string) => `${api}:${trackingNumber.toUpperCase()}:${at}`;
  if (api === 'dhl') {
    const doc = (await dhlShipment(s, trackingNumber)) as { events: { timestamp: string; statusCode: Status }[] };
    return doc.events.map((e) => {
      const at = new Date(e.timestamp).toISOString();
      return {
        external_event_id: id(at),
        carrier: 'dhl',
        tracking_number: trackingNumber,
        status: e.statusCode,
        occurred_at: at,
      };
    });
  }
  const secrets = s.control.secrets();
  const res = await fetch(`${s.carriersUrl}/postal/tracking`, {
    method: 'POST',
    headers: { 'content-type': 'application/soap+xml; charset=utf-8', 'user-agent': GRADER_AGENT },
    body: operationHistoryRequest(trackingNumber, String(secrets.postal_login), String(secrets.postal_password)),
  });
  const answer = parsePostalAnswer(await res.text());
  if (answer.kind !== 'history') throw new Error(`the carriers mock answered a fault for postal ${trackingNumber}`);
  return answer.records.map((r) => {
    const at = new Date(r.date).toISOString();
    return {
      external_event_id: id(at),
      carrier: 'postal',
      tracking_number: trackingNumber,
      status: POSTAL_STATUS[r.type]!,
      occurred_at: at,
    };
  });
}

/** The events on the topic about one tracking number (read leniently: a value that is not JSON is left out). */
export const eventsFor = (s: Service, trackingNumber: string) =>
  s.events().filter((m) => String(m.json?.tracking_number ?? '').toUpperCase() === trackingNumber.toUpperCase());

/** Wait until the topic holds an event with each of these ids. */
export async function untilEvents(
  s: Service,
  trackingNumber: string,
  ids: string[],
  timeoutMs = 8000,
): Promise<Message[]> {
  return waitFor(
    () => {
      const seen = eventsFor(s, trackingNumber);
      const have = new Set(seen.map((m) => m.json?.external_event_id));
      return ids.every((id) => have.has(id)) ? seen : undefined;
    },
    { timeoutMs, message: `the events of ${trackingNumber} on ${s.topics.events} (${ids.length} expected)` },
  );
}

/** The dead letter for one command id, once it is on the topic. */
export async function untilDeadLetter(s: Service, commandId: string, timeoutMs = 8000): Promise<Message> {
  return waitFor(() => s.deadLetters().find((m) => m.json?.command_id === commandId || m.key === commandId), {
    timeoutMs,
    message: `a dead letter for ${commandId} on ${s.topics.deadLetters}`,
  });
}

/** The rows of integrations_log, read from DATA_DIR/integrations.sqlite as the README fixes it. */
export interface LogRow {
  at: string;
  carrier: string;
  command_id: string;
  tracking_number: string;
  request: string;
  attempt: number;
  response_status: number | null;
  duration_ms: number;
}

export function integrationsLog(s: Service): LogRow[] {
  const file = join(s.dataDir, 'integrations.sqlite');
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch (error) {
    throw new Error(`cannot open ${file} (DATA_DIR/integrations.sqlite): ${(error as Error).message}`);
  }
  try {
    return db
      .prepare(
        'SELECT at, carrier, command_id, tracking_number, request, attempt, response_status, duration_ms FROM integrations_log ORDER BY id',
      )
      .all() as unknown as LogRow[];
  } finally {
    db.close();
  }
}

/** The lines of the app's output that are JSON objects. */
export function jsonLogLines(s: Service): Record<string, unknown>[] {
  return s.run.app
    .output()
    .split('\n')
    .map((line) => parseJson(line.trim()))
    .filter((x): x is Record<string, unknown> => x !== undefined);
}

/** GET /metrics, parsed. */
export async function scrape(s: Service): Promise<{ samples: Sample[]; types: Map<string, string>; said: string }> {
  const res = await http(`${s.run.url}/metrics`);
  if (res.status !== 200) throw new Error(`${res.said}: GET /metrics must answer 200 with the Prometheus text format`);
  return { ...parsePrometheus(res.text), said: res.said };
}

/** The value of the one sample with this name and these labels (others may be there too), or 0 when absent. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number {
  return samples
    .filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
    .reduce((sum, x) => sum + x.value, 0);
}

/** Wait until the topic holds as many distinct events of a shipment as the mock shows (no call to the carrier). */
export async function untilTracked(s: Service, trackingNumber: string, timeoutMs = 8000): Promise<Message[]> {
  return waitFor(
    () => {
      const visible = s.control.shipments().find((x) => x.trackingNumber === trackingNumber)?.eventsVisible ?? 1;
      const seen = eventsFor(s, trackingNumber);
      return new Set(seen.map((m) => m.json?.external_event_id)).size >= visible ? seen : undefined;
    },
    { timeoutMs, message: `the events of ${trackingNumber} on ${s.topics.events}` },
  );
}

/** Wait until a command is done either way: its shipment's events published, or a dead letter for it. */
export async function untilDone(
  s: Service,
  commandId: string,
  trackingNumber: string,
  timeoutMs = 8000,
): Promise<void> {
  await waitFor(
    () => {
      if (s.deadLetters().some((m) => m.json?.command_id === commandId || m.key === commandId)) return true;
      const visible = s.control.shipments().find((x) => x.trackingNumber === trackingNumber)?.eventsVisible ?? 1;
      return new Set(eventsFor(s, trackingNumber).map((m) => m.json?.external_event_id)).size >= visible;
    },
    { timeoutMs, message: `command ${commandId} to be done (events published or a dead letter)` },
  );
}

/** The value of the sample with exactly these labels (besides any others); throws when /metrics has none. */
export function requiredSample(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  if (found.length === 0) throw new Error(`/metrics has no ${name}${JSON.stringify(labels)}`);
  return found.reduce((sum, x) => sum + x.value, 0);
}
