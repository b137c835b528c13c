import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, waitFor, type LabRun } from '#testkit';
import { appliedEventIds, cleanup, postLifecycles, projection, scratch } from '../support.ts';

let run: LabRun;
const files = scratch();
beforeAll(async () => {
  run = await startLab({ env: { PROCESS_DELAY_MS: '150', PROJECTION_FILE: files.file('a.jsonl') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

graded('after a crash, the restarted consumer re-reads uncommitted events: none lost, none counted twice', {
  points: 4,
  hint: 'Commit an offset only after projection.apply() has run for that message (autoCommit: false, commitOffsets after the work), and skip events the projection already has.',
  timeout: 90_000,
}, async () => {
  const orderIds = Array.from({ length: 10 }, (_, i) => `c${i}-${randomUUID().slice(0, 6)}`);
  const eventIds = await postLifecycles(run.url, orderIds);
  const ours = (ids: string[]) => ids.filter((id) => eventIds.includes(id));
  await waitFor(async () => ours(await appliedEventIds([run.url])).length >= 6, { timeoutMs: 30_000, message: '6 events applied' });
  // Land the crash inside the next (slow, 150 ms) processing step rather than between two of them.
  await new Promise((r) => setTimeout(r, 40));
  run.app.kill('SIGKILL');
  await run.app.restart();
  const applied = await waitFor(async () => {
    const ids = ours(await appliedEventIds([run.url]));
    return new Set(ids).size === eventIds.length ? ids : undefined;
  }, { timeoutMs: 45_000, message: 'all 30 events in the projection after the restart' }).catch(async (error) => {
    const have = new Set(await appliedEventIds([run.url]));
    const lost = eventIds.filter((id) => !have.has(id));
    throw new Error(`${lost.length} of 30 events never reached the projection after the crash (lost: committed before they were processed?): ${lost.slice(0, 3).join(', ')} (${(error as Error).message})`);
  });
  expect(applied.length - new Set(applied).size, 'events applied twice').toBe(0);
  const views = await projection(run.url);
  for (const id of orderIds) expect(views.get(id)?.status, id).toBe('shipped');
});
