// Lab 06 — an e-mail work queue on RabbitMQ. Read labs/06-rabbitmq-work-queue/README.md, then run:
//   npm run lab -- check 06
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import amqp from 'amqplib';
import { Hono } from 'hono';
import { createMailer } from './mailer.ts';

// Names come from NAME_PREFIX, so that many runs can share one broker. Keep them.
const prefix = process.env.NAME_PREFIX ?? 'dev';
const QUEUE = `${prefix}.emails`;
const DEAD_LETTER_EXCHANGE = `${prefix}.emails.dlx`;
const DEAD_LETTER_QUEUE = `${prefix}.emails.dead`;
const MAX_ATTEMPTS = 3;
const QUEUE_MAX_LENGTH = Number(process.env.QUEUE_MAX_LENGTH ?? 10_000);

const mailer = createMailer();
const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const channel = await connection.createChannel();

// TODO 1: declare the topology. A fanout exchange DEAD_LETTER_EXCHANGE, the queue DEAD_LETTER_QUEUE bound to it,
//         and the work queue QUEUE: durable, with DEAD_LETTER_EXCHANGE as its dead-letter exchange, and at most
//         QUEUE_MAX_LENGTH jobs (when full the broker must refuse new jobs, not drop old ones).

// TODO 2: publish jobs so that the broker confirms each one (a confirm channel), persistent, JSON, with the job id
//         as messageId.

// TODO 3: consume QUEUE: a fair share of the jobs for each worker (a prefetch of 1 to 10), mailer.send(job) for
//         each one, and the ack only once the e-mail has gone out.

// TODO 4: when mailer.send() throws, try again, at most MAX_ATTEMPTS times in total; then let the broker
//         dead-letter the job, carrying the last error in the header x-last-error.

// TODO 5: a job whose id was already sent (see mailer.log()) is acked without sending it again.

function errorBody(code: string, message: string, details: { field: string; message: string }[] = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}

const app = new Hono();
// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 2 (continued): validate the body ({ id?, to, subject, body? }), publish it, answer 202 { id } once the
// broker has confirmed it, 400 for an invalid job, 503 when the broker refuses it.
app.post('/emails', (c) => {
  return c.json(errorBody('not_implemented', 'POST /emails is not written yet (TODO 2).'), 501);
});

// Done for you: what the mailer sent and refused (the grader reads this).
app.get('/sent', (c) => {
  const log = mailer.log();
  return c.json({ sent: log.filter((e) => e.kind === 'sent'), failed: log.filter((e) => e.kind === 'failed') });
});

const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`e-mail service listening on http://localhost:${info.port}, queue ${QUEUE}, pid ${process.pid}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await connection.close().catch(() => {});
  process.exit(0);
});
