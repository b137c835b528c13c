import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, enqueueAll, existing, names, scratch, sentLog } from '../support.ts';

const SEND_DELAY_MS = 120;
let run: LabRun;
const files = scratch();
const extra: LabRun[] = [];
beforeAll(async () => {
  run = await startLab({ env: { SEND_DELAY_MS: String(SEND_DELAY_MS), SENT_LOG: files.file('a.jsonl') } });
});
afterAll(async () => {
  for (const r of [run, ...extra]) await r?.stop();
  for (const r of [run, ...extra]) if (r) await cleanup(r.prefix);
  files.remove();
});

graded(
  'every queue and exchange is named from NAME_PREFIX',
  {
    rule: 'names',
    points: 1,
    hint: 'Declare exactly NAME_PREFIX + ".emails" (the work queue), NAME_PREFIX + ".emails.dlx" (the dead-letter exchange) and NAME_PREFIX + ".emails.dead" (the dead-letter queue).',
  },
  async () => {
    const found = await existing(run.prefix);
    const { queue, dlx, dead } = names(run.prefix);
    expect(found, `which of ${queue}, ${dlx} (exchange) and ${dead} exist`).toEqual({
      queue: true,
      dlx: true,
      dead: true,
    });
  },
);

graded(
  'two workers share the queue fairly (prefetch)',
  {
    rule: 'prefetch-fair',
    points: 3,
    hint: 'Without channel.prefetch(n) the broker pushes every waiting job to the first worker at once, and a worker that starts later gets nothing. Set a small prefetch (at most 10) before consume().',
    timeout: 40_000,
  },
  async () => {
    const batch = `fair-${randomUUID().slice(0, 8)}`;
    const ids = Array.from({ length: 40 }, (_, i) => `${batch}-${i}`);
    await enqueueAll(
      run.url,
      ids.map((id) => ({ id, to: 'ana@example.com', subject: 'Newsletter' })),
    );
    // The second worker joins while most jobs are still waiting in the queue (the first needs 120 ms per e-mail).
    const second = await startLab({
      env: { NAME_PREFIX: run.prefix, SEND_DELAY_MS: String(SEND_DELAY_MS), SENT_LOG: files.file('b.jsonl') },
    });
    extra.push(second);
    try {
      const doneByFirst = (await sentLog(run.url)).sent.filter((e) => e.id.startsWith(batch)).length;
      const waiting = ids.length - doneByFirst;
      expect(
        waiting,
        'jobs still waiting when the second worker was up (the first must still be busy)',
      ).toBeGreaterThanOrEqual(8);
      const [a, b] = await waitFor(
        async () => {
          const logs = [await sentLog(run.url), await sentLog(second.url)];
          const done = new Set(logs.flatMap((l) => l.sent.map((e) => e.id)));
          return ids.every((id) => done.has(id)) ? logs : undefined;
        },
        { timeoutMs: 20_000, message: `all ${ids.length} jobs sent by the two workers` },
      );
      const byB = b!.sent.filter((e) => e.id.startsWith(batch)).length;
      const byA = a!.sent.filter((e) => e.id.startsWith(batch)).length;
      // Shared fairly, the second worker takes about half of what was waiting; a third of what the first did not
      // hold (a prefetch of up to 10) leaves room for timing.
      expect(
        byB,
        `the second worker sent ${byB} of the ${waiting} jobs waiting when it started (the first sent ${byA} of ${ids.length})`,
      ).toBeGreaterThanOrEqual(Math.max(1, Math.floor((waiting - 10) / 3)));
    } finally {
      await second.stop();
    }
  },
);
