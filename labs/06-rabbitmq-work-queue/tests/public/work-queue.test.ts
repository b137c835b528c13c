import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, drain, names, postEmail, queueIsDurable, scratch, sentLog } from '../support.ts';

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

graded('POST /emails answers 202 with the job id, and the worker sends the e-mail', {
  points: 3,
  hint: 'Publish the job to the queue NAME_PREFIX + ".emails", answer 202 { id }, and consume that queue in the same app: call mailer.send(job) for each message.',
}, async () => {
  const id = `welcome-${randomUUID()}`;
  const res = await postEmail(run.url, { id, to: 'ana@example.com', subject: 'Welcome aboard' });
  expect(res.status, `POST /emails answered ${JSON.stringify(res.json ?? null).slice(0, 120)}`).toBe(202);
  expect(res.id).toBe(id);
  const generated = await postEmail(run.url, { to: 'bo@example.com', subject: 'No id given' });
  expect(generated.status).toBe(202);
  expect(typeof generated.id, 'without an id in the request, the app makes one up and answers it').toBe('string');
  await waitFor(async () => {
    const { sent } = await sentLog(run.url);
    return sent.some((e) => e.id === id) && sent.some((e) => e.id === generated.id);
  }, { timeoutMs: 10_000, message: 'both e-mails in GET /sent' });
});

graded('POST /emails rejects a job without a valid address or subject with 400 and the error envelope', {
  points: 1,
  hint: 'Validate before you publish: "to" must look like an address and "subject" must be 1 to 200 characters; answer 400 with { error: { code, message, details: [{ field, message }], request_id, timestamp } }.',
}, async () => {
  for (const body of [{ to: 'not-an-address', subject: 'Hi' }, { to: 'ana@example.com', subject: '' }, { to: 'ana@example.com' }]) {
    const res = await http(`${run.url}/emails`, { method: 'POST', json: body });
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.json?.error?.code).toBe('validation_failed');
    expect(Array.isArray(res.json?.error?.details) && res.json.error.details.length > 0).toBe(true);
    expect(typeof res.json?.error?.request_id).toBe('string');
  }
});

graded('the queue is durable and the jobs are persistent', {
  points: 2,
  hint: 'Declare the queue with { durable: true } and publish with { persistent: true }: a broker restart must lose neither the queue nor the jobs in it.',
}, async () => {
  const { queue, dead } = names(run.prefix);
  expect(await queueIsDurable(queue), `${queue} is durable`).toBe(true);
  // A job that is refused ends in the dead-letter queue with the properties it was published with.
  const id = `persist-${randomUUID()}`;
  expect((await postEmail(run.url, { id, to: `${id}@fail.test`, subject: 'Will bounce' })).status, 'POST /emails status').toBe(202);
  const msg = await waitFor(async () => (await drain(dead)).find((m) => m.properties.messageId === id || m.content.toString().includes(id)), {
    timeoutMs: 10_000,
    message: `the refused job in ${dead}`,
  });
  expect(msg.properties.deliveryMode, 'deliveryMode 2 = persistent').toBe(2);
});

graded('a job the provider keeps refusing is tried 3 times, then dead-lettered with the reason', {
  points: 3,
  hint: 'Count attempts in a header (x-attempt) when you republish a failed job; after the 3rd failure nack it with requeue=false so the queue\'s dead-letter exchange moves it to NAME_PREFIX + ".emails.dead".',
}, async () => {
  const { queue, dead } = names(run.prefix);
  const id = `poison-${randomUUID()}`;
  const ok = `after-${randomUUID()}`;
  expect((await postEmail(run.url, { id, to: 'nobody@fail.test', subject: 'Bounces every time' })).status, 'POST /emails status').toBe(202);
  expect((await postEmail(run.url, { id: ok, to: 'ana@example.com', subject: 'Goes out' })).status, 'POST /emails status').toBe(202);
  const msg = await waitFor(async () => (await drain(dead)).find((m) => m.content.toString().includes(id)), {
    timeoutMs: 10_000,
    message: `the refused job in ${dead}`,
  });
  const { sent, failed } = await waitFor(async () => {
    const log = await sentLog(run.url);
    return log.sent.some((e) => e.id === ok) ? log : undefined;
  }, { timeoutMs: 10_000, message: 'the next job to be sent (a failing job must not block the queue)' });
  expect(failed.filter((e) => e.id === id).length, 'attempts at the provider').toBe(3);
  expect(sent.some((e) => e.id === id)).toBe(false);
  const deaths = msg.properties.headers?.['x-death'] as { queue: string; reason: string }[] | undefined;
  expect(deaths?.[0]?.queue, 'x-death: dead-lettered from the work queue by the broker').toBe(queue);
  expect(deaths?.[0]?.reason).toBe('rejected');
  expect(String(msg.properties.headers?.['x-last-error'] ?? ''), 'x-last-error: why it failed').toMatch(/550/);
});
