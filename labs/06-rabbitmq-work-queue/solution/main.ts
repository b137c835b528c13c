// Lab 06 — an e-mail work queue on RabbitMQ: the HTTP API enqueues jobs with publisher confirms, the worker sends
// them with manual acks, fair prefetch, limited retries, a dead-letter queue and an idempotent side effect.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import amqp from 'amqplib';
import type { ConsumeMessage } from 'amqplib';
import { Hono } from 'hono';
import { createMailer, type Email } from './mailer.ts';

const prefix = process.env.NAME_PREFIX ?? 'dev';
const QUEUE = `${prefix}.emails`;
const DEAD_LETTER_EXCHANGE = `${prefix}.emails.dlx`;
const DEAD_LETTER_QUEUE = `${prefix}.emails.dead`;
const MAX_ATTEMPTS = 3;
const QUEUE_MAX_LENGTH = Number(process.env.QUEUE_MAX_LENGTH ?? 10_000);

const mailer = createMailer();
const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
// Losing the broker means losing our deliveries: exit, and let the supervisor (or the grader) start us again.
connection.on('close', () => process.exit(1));
const publisher = await connection.createConfirmChannel();
const worker = await connection.createChannel();

// #region topology
await publisher.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
await publisher.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
await publisher.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
await publisher.assertQueue(QUEUE, {
  durable: true, // the queue survives a broker restart
  deadLetterExchange: DEAD_LETTER_EXCHANGE, // nack(requeue=false) sends a job here instead of dropping it
  maxLength: QUEUE_MAX_LENGTH, // backpressure: when full, the broker nacks new publishes…
  overflow: 'reject-publish', // …instead of silently dropping the oldest job
});
// #endregion topology

// #region publish
/** Resolves once the broker has taken the job (confirm); rejects when it refuses it (nack). */
function enqueue(email: Email, attempt = 1, lastError?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    publisher.sendToQueue(
      QUEUE,
      Buffer.from(JSON.stringify(email)),
      {
        persistent: true, // written to disk in the durable queue
        contentType: 'application/json',
        messageId: email.id, // the worker deduplicates on it
        headers: { 'x-attempt': attempt, ...(lastError ? { 'x-last-error': lastError } : {}) },
      },
      (err) => (err ? reject(new Error('the broker refused the job')) : resolve()),
    );
  });
}
// #endregion publish

// #region consume
// Ids already sent, loaded from the provider's record so that a restart remembers them.
const processed = new Set(mailer.log().filter((e) => e.kind === 'sent').map((e) => e.id));

async function handle(msg: ConsumeMessage): Promise<void> {
  const email = parseEmail(msg.content);
  if (!email) {
    worker.nack(msg, false, false); // cannot ever succeed: straight to the dead-letter queue
    return;
  }
  const attempt = Number(msg.properties.headers?.['x-attempt'] ?? 1);
  try {
    if (!processed.has(email.id)) {
      processed.add(email.id); // claim before the slow part, so a concurrent duplicate sees it
      try {
        await mailer.send(email);
      } catch (error) {
        processed.delete(email.id); // not sent: a later attempt may try again
        throw error;
      }
    }
    worker.ack(msg); // only now is the job done
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (attempt < MAX_ATTEMPTS) {
      try {
        // A copy with the attempt counted goes to the back of the queue; the original is acked only once the
        // broker has confirmed the copy, so a crash in between gives a duplicate, never a lost job.
        await enqueue(email, attempt + 1, reason);
        worker.ack(msg);
      } catch {
        worker.nack(msg, false, true);
      }
    } else {
      console.warn(`job ${email.id} failed ${attempt} times (${reason}): dead-lettered`);
      worker.nack(msg, false, false);
    }
  }
}

await worker.prefetch(1); // at most one unacked job per worker: the next one goes to whoever is free
await worker.consume(QUEUE, (msg) => {
  if (msg) void handle(msg);
}, { noAck: false });
// #endregion consume

function parseEmail(content: Buffer): Email | undefined {
  try {
    const value = JSON.parse(content.toString('utf8')) as Partial<Email>;
    if (typeof value.id === 'string' && typeof value.to === 'string' && typeof value.subject === 'string') {
      return { id: value.id, to: value.to, subject: value.subject, body: value.body };
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}

function errorBody(code: string, message: string, details: { field: string; message: string }[] = []) {
  return { error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } };
}

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

app.post('/emails', async (c) => {
  const input = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  const details: { field: string; message: string }[] = [];
  if (typeof input?.to !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(input.to)) details.push({ field: 'to', message: 'must be an e-mail address' });
  if (typeof input?.subject !== 'string' || input.subject.trim() === '' || input.subject.length > 200) {
    details.push({ field: 'subject', message: 'must be 1 to 200 characters' });
  }
  if (input?.id !== undefined && (typeof input.id !== 'string' || input.id === '')) details.push({ field: 'id', message: 'must be a non-empty string' });
  if (!input || details.length) return c.json(errorBody('validation_failed', 'The e-mail job is invalid.', details), 400);
  const email: Email = {
    id: (input.id as string | undefined) ?? randomUUID(),
    to: input.to as string,
    subject: input.subject as string,
    body: typeof input.body === 'string' ? input.body : undefined,
  };
  try {
    await enqueue(email);
  } catch {
    return c.json(errorBody('queue_unavailable', 'The job queue did not accept the job; try again later.'), 503);
  }
  return c.json({ id: email.id }, 202);
});

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
  connection.removeAllListeners('close');
  await connection.close().catch(() => {});
  process.exit(0);
});
