import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, drain, enqueueAll, names, peek, postEmail, queueIsDurable, scratch, sentLog } from '../support.ts';

let run: LabRun;
const files = scratch();
beforeAll(async () => {
  run = await startLab({ env: { SEND_DELAY_MS: '50', SENT_LOG: files.file('sent.jsonl') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

graded(
  'POST /emails answers 202 with the job id, and the worker sends the e-mail',
  {
    rule: 'enqueue',
    points: 3,
    hint: 'Publish the job to the queue NAME_PREFIX + ".emails", answer 202 { id } (the id you were given, or one you made up), and consume that queue in the same app: call mailer.send(job) for each message.',
  },
  async () => {
    const id = `welcome-${randomUUID()}`;
    const res = await postEmail(run.url, { id, to: 'ana@example.com', subject: 'Welcome aboard' });
    expect(res.status, res.said).toBe(202);
    expect(res.id, res.said).toBe(id);
    const generated = await postEmail(run.url, { to: 'bo@example.com', subject: 'No id given' });
    expect(generated.status, generated.said).toBe(202);
    expect(
      typeof generated.id === 'string' && generated.id.length > 0,
      `without an id in the request, the app makes one up and answers it: ${generated.said}`,
    ).toBe(true);
    await waitFor(
      async () => {
        const { sent } = await sentLog(run.url);
        return sent.some((e) => e.id === id) && sent.some((e) => e.id === generated.id);
      },
      { timeoutMs: 10_000, message: 'both e-mails in GET /sent' },
    );
  },
);

graded(
  'POST /emails rejects a job without a valid address or subject with 400 and the error envelope',
  {
    rule: 'validation',
    points: 1,
    hint: 'Validate before you publish: "to" must look like an address and "subject" must be 1 to 200 characters; answer 400 with { error: { code: "validation_failed", message, details: [{ field, message }], request_id, timestamp } }.',
  },
  async () => {
    const bodies = [
      { to: 'not-an-address', subject: 'Hi' },
      { to: 'ana@example.com', subject: '' },
      { to: 'ana@example.com' },
      { to: 'ana@example.com', subject: 'x'.repeat(201) },
    ];
    for (const body of bodies) {
      const res = await http(`${run.url}/emails`, { method: 'POST', json: body });
      expect(res.status, res.said).toBe(400);
      expectErrorEnvelope(res);
      expect(res.json?.error?.code, res.said).toBe('validation_failed');
      expect(res.json?.error?.details?.length, `details name the field: ${res.said}`).toBeGreaterThan(0);
    }
    const longest = await postEmail(run.url, {
      id: `long-${randomUUID()}`,
      to: 'ana@example.com',
      subject: 'x'.repeat(200),
    });
    expect(longest.status, `a subject of 200 characters is fine: ${longest.said}`).toBeGreaterThanOrEqual(200);
    expect(longest.status, longest.said).toBeLessThan(300);
  },
);

graded(
  'the queue is durable and the jobs are persistent JSON with the job id as messageId',
  {
    rule: 'durable-persistent',
    points: 2,
    hint: 'Declare the queue with { durable: true } and publish with { persistent: true, messageId: job.id }: a broker restart must lose neither the queue nor the jobs in it.',
  },
  async () => {
    const { queue } = names(run.prefix);
    expect(await queueIsDurable(queue), `${queue} is durable`).toBe(true);
    // Twelve jobs of 50 ms each: most of them wait in the queue for a moment, long enough to look at one.
    const batch = `persist-${randomUUID().slice(0, 8)}`;
    await enqueueAll(
      run.url,
      Array.from({ length: 12 }, (_, i) => ({ id: `${batch}-${i}`, to: 'ana@example.com', subject: 'Stored safely' })),
    );
    const msg = await peek(queue);
    // A worker that takes every job at once leaves none waiting (prefetch and acks are other rules): then only the
    // queue's durability is checked here.
    if (!msg) return;
    const job = JSON.parse(msg.content.toString('utf8')) as { id?: string };
    expect(msg.properties.deliveryMode, `deliveryMode 2 = persistent (job ${job.id})`).toBe(2);
    expect(msg.properties.messageId, `messageId of the job ${msg.content.toString('utf8')}`).toBe(job.id);
  },
);

graded(
  'a job the provider keeps refusing is tried 3 times, then dead-lettered with the reason',
  {
    rule: 'dead-letter',
    points: 3,
    hint: 'Count attempts in a header (x-attempt) when you republish a failed job; after the 3rd failure nack it with requeue=false so the queue\'s dead-letter exchange moves it to NAME_PREFIX + ".emails.dead", carrying x-last-error.',
  },
  async () => {
    const { queue, dead } = names(run.prefix);
    const id = `poison-${randomUUID()}`;
    const ok = `after-${randomUUID()}`;
    await enqueueAll(run.url, [
      { id, to: 'nobody@fail.test', subject: 'Bounces every time' },
      { id: ok, to: 'ana@example.com', subject: 'Goes out' },
    ]);
    const msg = await waitFor(async () => (await drain(dead)).find((m) => m.content.toString().includes(id)), {
      timeoutMs: 10_000,
      message: `the refused job in ${dead}`,
    });
    const { sent, failed } = await waitFor(
      async () => {
        const log = await sentLog(run.url);
        return log.sent.some((e) => e.id === ok) ? log : undefined;
      },
      { timeoutMs: 10_000, message: 'the next job to be sent (a failing job must not block the queue)' },
    );
    expect(failed.filter((e) => e.id === id).length, 'attempts at the provider').toBe(3);
    expect(
      sent.some((e) => e.id === id),
      `${id} (to nobody@fail.test) in GET /sent as sent`,
    ).toBe(false);
    const deaths = msg.properties.headers?.['x-death'] as { queue: string; reason: string }[] | undefined;
    expect(deaths?.[0]?.queue, 'x-death: dead-lettered from the work queue by the broker').toBe(queue);
    expect(deaths?.[0]?.reason, `x-death: ${JSON.stringify(deaths ?? null)}`).toBe('rejected');
    expect(String(msg.properties.headers?.['x-last-error'] ?? ''), 'x-last-error: why it failed').toMatch(/550/);
  },
);
