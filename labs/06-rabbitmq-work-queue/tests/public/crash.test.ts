import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, drain, names, postEmail, scratch, sentLog, tally } from '../support.ts';

let run: LabRun;
const files = scratch();
beforeAll(async () => {
  run = await startLab({ env: { SEND_DELAY_MS: '100', SENT_LOG: files.file('sent.jsonl') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

graded('a worker killed mid-batch loses no job and sends none twice', {
  points: 4,
  hint: 'Ack a job only after mailer.send() has finished (never before), and skip ids that GET /sent already shows as sent: after a crash, unacked jobs come back.',
  timeout: 60_000,
}, async () => {
  const batch = `batch-${randomUUID().slice(0, 8)}`;
  const good = Array.from({ length: 20 }, (_, i) => `${batch}-${i}`);
  const poison = [`${batch}-poison-a`, `${batch}-poison-b`];
  for (const id of [...good.slice(0, 10), poison[0]!, ...good.slice(10), poison[1]!]) {
    const to = id.includes('poison') ? 'gone@fail.test' : 'ana@example.com';
    const res = await postEmail(run.url, { id, to, subject: 'Your invoice' });
    expect(res.status, `POST /emails status for ${id}`).toBe(202);
  }
  // Crash in the middle: some e-mails sent, most still waiting or in flight.
  await waitFor(async () => (await sentLog(run.url)).sent.filter((e) => e.id.startsWith(batch)).length >= 4, {
    timeoutMs: 10_000,
    message: 'the first 4 e-mails of the batch to be sent',
  });
  run.app.kill('SIGKILL');
  await run.app.restart();

  const expected = new Set(good);
  const log = await waitFor(async () => {
    const l = await sentLog(run.url);
    const done = new Set(l.sent.map((e) => e.id));
    return good.every((id) => done.has(id)) ? l : undefined;
  }, { timeoutMs: 30_000, message: 'all 20 jobs sent after the restart (jobs acked before they were sent are lost)' }).catch(async (error) => {
    const done = new Set((await sentLog(run.url)).sent.map((e) => e.id));
    const lost = good.filter((id) => !done.has(id));
    throw new Error(`${lost.length} of 20 jobs were never sent after the crash (lost): ${lost.slice(0, 5).join(', ')}… (${(error as Error).message})`);
  });
  const counts = tally(log.sent.filter((e) => expected.has(e.id)));
  const twice = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
  expect(twice, 'e-mails sent more than once').toEqual([]);
  const found: string[] = []; // drain() takes messages out, so keep what each poll saw
  const dead = await waitFor(async () => {
    found.push(...(await drain(names(run.prefix).dead)).map((m) => JSON.parse(m.content.toString()).id as string));
    return poison.every((id) => found.includes(id)) ? found : undefined;
  }, { timeoutMs: 15_000, message: 'both poison jobs in the dead-letter queue' });
  expect(dead.filter((id) => expected.has(id)), 'good jobs must not be dead-lettered').toEqual([]);
});
