import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, enqueueAll, names, postEmail, publishRaw, scratch, sentLog, tally } from '../support.ts';

let run: LabRun;
let full: LabRun;
const files = scratch();
beforeAll(async () => {
  // Two apps: one for the duplicates, one on a queue of at most 2 jobs with slow e-mails, for the refusals.
  [run, full] = await Promise.all([
    startLab({ env: { SEND_DELAY_MS: '40', SENT_LOG: files.file('a.jsonl') } }),
    startLab({ env: { QUEUE_MAX_LENGTH: '2', SEND_DELAY_MS: '400', SENT_LOG: files.file('full.jsonl') } }),
  ]);
});
afterAll(async () => {
  for (const r of [run, full]) await r?.stop();
  for (const r of [run, full]) if (r) await cleanup(r.prefix);
  files.remove();
});

/** Publish jobs straight to the queue, then a marker; wait until the marker was sent. */
async function publishAndSettle(jobs: { id: string; to: string; subject: string }[]) {
  const marker = `marker-${randomUUID()}`;
  await publishRaw(names(run.prefix).queue, [...jobs, { id: marker, to: 'ana@example.com', subject: 'Marker' }]);
  return waitFor(
    async () => {
      const log = await sentLog(run.url);
      return log.sent.some((e) => e.id === marker) ? log : undefined;
    },
    { timeoutMs: 10_000, message: 'the jobs to be processed' },
  );
}

graded(
  'a job delivered twice (same id) sends the e-mail once',
  {
    rule: 'idempotent',
    points: 3,
    hint: 'Producers retry, so the same job id can arrive twice. Remember which ids were sent (GET /sent is your record, and it survives restarts) and ack a duplicate without sending it again.',
  },
  async () => {
    const id = `twice-${randomUUID()}`;
    const job = { id, to: 'ana@example.com', subject: 'Your receipt' };
    await publishRaw(names(run.prefix).queue, [job, job]);
    const { sent } = await publishAndSettle([job]);
    expect(tally(sent).get(id) ?? 0, `${id} published three times, sent`).toBe(1);
  },
);

graded(
  'a job sent before a restart is not sent again when it arrives after the restart',
  {
    rule: 'idempotent',
    points: 1,
    hint: 'The ids you sent must survive a crash: build your record of sent ids from mailer.log() when the app starts, not only in memory.',
    timeout: 30_000,
  },
  async () => {
    const id = `before-${randomUUID()}`;
    const job = { id, to: 'ana@example.com', subject: 'Password reset' };
    await enqueueAll(run.url, [job]);
    await waitFor(async () => (await sentLog(run.url)).sent.some((e) => e.id === id), {
      timeoutMs: 10_000,
      message: `${id} in GET /sent`,
    });
    run.app.kill('SIGKILL');
    await run.app.restart();
    const { sent } = await publishAndSettle([job]);
    expect(tally(sent).get(id) ?? 0, `${id} sent before the crash, published again after it: sent`).toBe(1);
  },
);

graded(
  'POST /emails answers 503, never a false 202, when the broker refuses the job',
  {
    rule: 'queue-full-503',
    points: 2,
    hint: 'Declare the queue with maxLength and overflow "reject-publish", publish on a confirm channel, and answer 202 only when the broker has confirmed; when it nacks (the queue is full), answer 503 with the error envelope.',
    timeout: 30_000,
  },
  async () => {
    const batch = `full-${randomUUID().slice(0, 8)}`;
    const answers: { id: string; status: number; res: Awaited<ReturnType<typeof postEmail>> }[] = [];
    // 20 jobs of 400 ms each: a worker holding up to 10 (its prefetch) and a queue of 2 cannot take them all.
    for (let i = 0; i < 20; i++) {
      const id = `${batch}-${i}`;
      const res = await postEmail(full.url, { id, to: 'ana@example.com', subject: 'Flash sale' });
      answers.push({ id, status: res.status, res });
    }
    const statuses = `answers: ${answers.map((a) => a.status).join(' ')}`;
    // Any 2xx counts as accepted here (the 202 itself is the enqueue test's business).
    const accepted = answers.filter((a) => a.status >= 200 && a.status < 300).map((a) => a.id);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length, statuses).toBeGreaterThan(0);
    for (const a of refused) expectErrorEnvelope(a.res);
    expect(accepted.length + refused.length, statuses).toBe(20);
    const log = await waitFor(
      async () => {
        const l = await sentLog(full.url);
        const done = new Set(l.sent.map((e) => e.id));
        return accepted.every((id) => done.has(id)) ? l : undefined;
      },
      { timeoutMs: 15_000, message: 'every job answered 202 to be sent' },
    );
    const sentIds = new Set(log.sent.map((e) => e.id));
    expect(
      refused.filter((a) => sentIds.has(a.id)).map((a) => a.id),
      'jobs answered 503 must not be sent',
    ).toEqual([]);
  },
);
