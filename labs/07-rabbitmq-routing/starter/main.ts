// Lab 07 — routing logs, announcements and pages on RabbitMQ. Read labs/07-rabbitmq-routing/README.md, then run:
//   npm run lab -- check 07
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import amqp from 'amqplib';
import { Hono } from 'hono';

// Names come from NAME_PREFIX, so that many runs can share one broker. Keep them: the grader reads these queues.
const prefix = process.env.NAME_PREFIX ?? 'dev';
const exchanges = {
  logs: `${prefix}.logs`,
  announcements: `${prefix}.announcements`,
  pages: `${prefix}.pages`,
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

const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const channel = await connection.createChannel();

// TODO 1: declare the three exchanges (durable), each with the type its job needs (see the README's table).
// TODO 2: declare the seven queues (durable) and bind each one to its exchange with the right binding key.
// TODO 3: a publish helper: JSON, persistent, and it waits for the broker's confirm (hint: a confirm channel).

function errorBody(code: string, message: string, details: { field: string; message: string }[] = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}

const app = new Hono();
// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 4: POST /logs { severity, area, message } → validate, publish with the key `${severity}.${area}`, 202 { routingKey }
app.post('/logs', (c) => c.json(errorBody('not_implemented', 'POST /logs is not written yet (TODO 4).'), 501));

// TODO 5: POST /announcements { message } → every announcement queue, 202
app.post('/announcements', (c) => c.json(errorBody('not_implemented', 'POST /announcements is not written yet (TODO 5).'), 501));

// TODO 6: POST /pages { team, message } → only that team's queue, 202 { routingKey }; 400 for an unknown team
app.post('/pages', (c) => c.json(errorBody('not_implemented', 'POST /pages is not written yet (TODO 6).'), 501));

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`routing service listening on http://localhost:${info.port}, exchanges ${Object.values(exchanges).join(', ')}`);
  console.log(`queues: ${Object.values(queues).join(', ')}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
