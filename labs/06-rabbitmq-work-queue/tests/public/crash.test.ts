import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, enqueueAll, scratch, sentLog, tally } from '../support.ts';

let run: LabRun;
const files = scratch();
beforeAll(async () => {
  run = await startLab({ env: { SEND_DELAY_MS: '60', SENT_LOG: files.file('sent.jsonl') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

graded(
  'a worker killed mid-batch loses no job and sends none twice',
  {
    rule: 'ack-after-send',
    points: 4,
    hint: 'Ack a job only after mailer.send() has finished (never before), and skip ids that GET /sent already shows as sent: after a crash, unacked jobs come back.',
    timeout: 60_000,
  },
  async () => {
    const batch = `batch-${randomUUID().slice(0, 8)}`;
    const good = Array.from({ length: 20 }, (_, i) => `${batch}-${i}`);
    await enqueueAll(
      run.url,
      good.map((id) => ({ id, to: 'ana@example.com', subject: 'Your invoice' })),
    );
    // Crash in the middle: some e-mails sent, most still waiting or in flight.
    await waitFor(async () => (await sentLog(run.url)).sent.filter((e) => e.id.startsWith(batch)).length >= 3, {
      timeoutMs: 10_000,
      message: 'the first 3 e-mails of the batch to be sent',
    });
    run.app.kill('SIGKILL');
    await run.app.restart();

    const expected = new Set(good);
    const log = await waitFor(
      async () => {
        const l = await sentLog(run.url);
        const done = new Set(l.sent.map((e) => e.id));
        return good.every((id) => done.has(id)) ? l : undefined;
      },
      { timeoutMs: 15_000, message: 'all 20 jobs sent after the restart (jobs acked before they were sent are lost)' },
    ).catch(async (error) => {
      const done = new Set((await sentLog(run.url)).sent.map((e) => e.id));
      const lost = good.filter((id) => !done.has(id));
      throw new Error(
        `${lost.length} of 20 jobs were never sent after the crash (lost): ${lost.slice(0, 5).join(', ')}… (${(error as Error).message})`,
      );
    });
    const counts = tally(log.sent.filter((e) => expected.has(e.id)));
    const twice = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
    expect(twice, 'e-mails sent more than once').toEqual([]);
  },
);
