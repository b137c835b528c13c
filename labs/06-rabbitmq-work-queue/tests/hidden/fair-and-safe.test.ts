import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, names, postEmail, publishRaw, scratch, sentLog, tally } from '../support.ts';

let run: LabRun;
const files = scratch();
const extra: LabRun[] = [];
beforeAll(async () => {
  run = await startLab({ env: { SEND_DELAY_MS: '250', SENT_LOG: files.file('a.jsonl') } });
});
afterAll(async () => {
  for (const r of [run, ...extra]) await r?.stop();
  for (const r of [run, ...extra]) if (r) await cleanup(r.prefix);
  files.remove();
});

graded('two workers share the queue fairly (prefetch)', {
  points: 3,
  hint: 'Without channel.prefetch(n) the broker pushes every waiting job to the first worker at once, and a worker that starts later gets nothing. Set a small prefetch before consume().',
  timeout: 60_000,
}, async () => {
  const batch = `fair-${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: 40 }, (_, i) => `${batch}-${i}`);
  for (const id of ids) expect((await postEmail(run.url, { id, to: 'ana@example.com', subject: 'Newsletter' })).status).toBe(202);
  // The second worker joins while most jobs are still waiting in the queue (the first needs 250 ms per e-mail).
  const second = await startLab({ env: { NAME_PREFIX: run.prefix, SEND_DELAY_MS: '250', SENT_LOG: files.file('b.jsonl') } });
  extra.push(second);
  try {
    const doneByFirst = (await sentLog(run.url)).sent.filter((e) => e.id.startsWith(batch)).length;
    const waiting = ids.length - doneByFirst;
    expect(waiting, 'jobs still waiting when the second worker was up (the first must still be busy)').toBeGreaterThanOrEqual(8);
    const [a, b] = await waitFor(async () => {
      const logs = [await sentLog(run.url), await sentLog(second.url)];
      const done = new Set(logs.flatMap((l) => l.sent.map((e) => e.id)));
      return ids.every((id) => done.has(id)) ? logs : undefined;
    }, { timeoutMs: 40_000, message: `all ${ids.length} jobs sent by the two workers` });
    const byB = b!.sent.filter((e) => e.id.startsWith(batch)).length;
    const byA = a!.sent.filter((e) => e.id.startsWith(batch)).length;
    // Shared fairly, the second worker takes about half of what was waiting; a quarter leaves room for timing.
    expect(byB, `the second worker sent ${byB} of the ${waiting} jobs waiting when it started (the first sent ${byA} of ${ids.length})`)
      .toBeGreaterThanOrEqual(Math.floor(waiting / 4));
  } finally {
    await second.stop();
  }
});

graded('a job delivered twice (same id) sends the e-mail once', {
  points: 3,
  hint: 'Producers retry, so the same job id can arrive twice. Remember which ids were sent (GET /sent is your record, and it survives restarts) and ack a duplicate without sending it again.',
  timeout: 30_000,
}, async () => {
  const id = `twice-${randomUUID()}`;
  const marker = `marker-${randomUUID()}`;
  const job = { id, to: 'ana@example.com', subject: 'Your receipt' };
  await publishRaw(names(run.prefix).queue, [job, job]);
  await publishRaw(names(run.prefix).queue, [job, { ...job, id: marker }]);
  const { sent } = await waitFor(async () => {
    const log = await sentLog(run.url);
    return log.sent.some((e) => e.id === marker) ? log : undefined;
  }, { timeoutMs: 15_000, message: 'the jobs to be processed' });
  expect(tally(sent).get(id) ?? 0, `${id} sent`).toBe(1);
});

graded('POST /emails answers 503, never a false 202, when the broker refuses the job', {
  points: 2,
  hint: 'Use a confirm channel and answer 202 only when the broker has confirmed the publish; when it nacks (the queue is full), answer 503 with the error envelope.',
  timeout: 40_000,
}, async () => {
  const full = await startLab({ env: { QUEUE_MAX_LENGTH: '2', SEND_DELAY_MS: '700', SENT_LOG: files.file('full.jsonl') } });
  extra.push(full);
  const batch = `full-${randomUUID().slice(0, 8)}`;
  const answers: { id: string; status: number; code?: string }[] = [];
  for (let i = 0; i < 7; i++) {
    const id = `${batch}-${i}`;
    const res = await postEmail(full.url, { id, to: 'ana@example.com', subject: 'Flash sale' });
    answers.push({ id, status: res.status, code: res.json?.error?.code });
  }
  const accepted = answers.filter((a) => a.status === 202).map((a) => a.id);
  const refused = answers.filter((a) => a.status === 503);
  expect(refused.length, `answers: ${answers.map((a) => a.status).join(' ')}`).toBeGreaterThan(0);
  expect(refused.every((a) => typeof a.code === 'string'), '503 carries the error envelope').toBe(true);
  expect(accepted.length + refused.length).toBe(7);
  const log = await waitFor(async () => {
    const l = await sentLog(full.url);
    const done = new Set(l.sent.map((e) => e.id));
    return accepted.every((id) => done.has(id)) ? l : undefined;
  }, { timeoutMs: 20_000, message: 'every job answered 202 to be sent' });
  const sentIds = new Set(log.sent.map((e) => e.id));
  expect(refused.filter((a) => sentIds.has(a.id)), 'jobs answered 503 must not be sent').toEqual([]);
});
