// Lab 07 — log and event routing on RabbitMQ: a topic exchange for logs, a fanout exchange for announcements and a
// direct exchange for paging one on-call team. Other services read the queues; this app declares them and publishes.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import amqp from 'amqplib';
import { Hono } from 'hono';

const prefix = process.env.NAME_PREFIX ?? 'dev';
const SEVERITIES = ['debug', 'info', 'warn', 'error'];
const TEAMS = ['payments', 'platform'];

// #region names
const exchanges = {
  logs: `${prefix}.logs`, // topic: routing key <severity>.<area>
  announcements: `${prefix}.announcements`, // fanout: every bound queue gets a copy
  pages: `${prefix}.pages`, // direct: routing key = team name, exact match
};
const queues = {
  errors: `${prefix}.logs.errors`,
  payments: `${prefix}.logs.payments`,
  archive: `${prefix}.logs.archive`,
  email: `${prefix}.announcements.email`,
  chat: `${prefix}.announcements.chat`,
  pagePayments: `${prefix}.pages.payments`,
  pagePlatform: `${prefix}.pages.platform`,
};
// #endregion names

const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
connection.on('close', () => process.exit(1));
const channel = await connection.createConfirmChannel();

// #region topology
await channel.assertExchange(exchanges.logs, 'topic', { durable: true });
await channel.assertExchange(exchanges.announcements, 'fanout', { durable: true });
await channel.assertExchange(exchanges.pages, 'direct', { durable: true });
for (const name of Object.values(queues)) await channel.assertQueue(name, { durable: true });

// Topic patterns: * is exactly one word, # is zero or more words.
await channel.bindQueue(queues.errors, exchanges.logs, 'error.*'); // every error, whatever the area
await channel.bindQueue(queues.payments, exchanges.logs, '*.payment'); // the payment area, any severity
await channel.bindQueue(queues.archive, exchanges.logs, '#'); // everything
// A fanout exchange ignores the routing key, so the binding key is empty.
await channel.bindQueue(queues.email, exchanges.announcements, '');
await channel.bindQueue(queues.chat, exchanges.announcements, '');
// A direct exchange routes on the exact key.
await channel.bindQueue(queues.pagePayments, exchanges.pages, 'payments');
await channel.bindQueue(queues.pagePlatform, exchanges.pages, 'platform');
// #endregion topology

// #region publish
/** Publish JSON, persistent, and resolve once the broker has confirmed it. */
async function publish(exchange: string, routingKey: string, body: object): Promise<void> {
  channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), {
    persistent: true,
    contentType: 'application/json',
    messageId: randomUUID(),
    timestamp: Math.floor(Date.now() / 1000),
  });
  await channel.waitForConfirms();
}
// #endregion publish

type Details = { field: string; message: string }[];
function errorBody(code: string, message: string, details: Details = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}
const invalid = (details: Details) => errorBody('validation_failed', 'The request body is invalid.', details);

async function readBody(c: { req: { json(): Promise<unknown> } }): Promise<Record<string, unknown>> {
  const body = await c.req.json().catch(() => undefined);
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function checkMessage(body: Record<string, unknown>, details: Details): void {
  if (typeof body.message !== 'string' || body.message.trim() === '' || body.message.length > 2000) {
    details.push({ field: 'message', message: 'must be 1 to 2000 characters' });
  }
}

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

// #region logs-route
app.post('/logs', async (c) => {
  const body = await readBody(c);
  const details: Details = [];
  if (typeof body.severity !== 'string' || !SEVERITIES.includes(body.severity)) {
    details.push({ field: 'severity', message: `must be one of ${SEVERITIES.join(', ')}` });
  }
  // One word, so that the routing key always has exactly two words: <severity>.<area>
  if (typeof body.area !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(body.area)) {
    details.push({ field: 'area', message: 'must be one lowercase word (letters, digits, -), no dots' });
  }
  checkMessage(body, details);
  if (details.length) return c.json(invalid(details), 400);
  const routingKey = `${body.severity}.${body.area}`;
  await publish(exchanges.logs, routingKey, { severity: body.severity, area: body.area, message: body.message });
  return c.json({ routingKey }, 202);
});
// #endregion logs-route

app.post('/announcements', async (c) => {
  const body = await readBody(c);
  const details: Details = [];
  checkMessage(body, details);
  if (details.length) return c.json(invalid(details), 400);
  await publish(exchanges.announcements, '', { message: body.message });
  return c.json({ delivered: 'all' }, 202);
});

app.post('/pages', async (c) => {
  const body = await readBody(c);
  const details: Details = [];
  if (typeof body.team !== 'string' || !TEAMS.includes(body.team)) details.push({ field: 'team', message: `must be one of ${TEAMS.join(', ')}` });
  checkMessage(body, details);
  if (details.length) return c.json(invalid(details), 400);
  await publish(exchanges.pages, body.team as string, { team: body.team, message: body.message });
  return c.json({ routingKey: body.team }, 202);
});

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`routing service listening on http://localhost:${info.port}, exchanges ${Object.values(exchanges).join(', ')}`);
});

process.once('SIGTERM', async () => {
  server.close();
  connection.removeAllListeners('close');
  await connection.close().catch(() => {});
  process.exit(0);
});
