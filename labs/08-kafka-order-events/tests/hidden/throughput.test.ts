import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { cleanup, names, scratch, topicSize } from '../support.ts';

let run: LabRun;
const files = scratch();
beforeAll(async () => {
  run = await startLab({ env: { PROJECTION_FILE: files.file('load.jsonl') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

graded('POST /load produces 20 000 events in batches within 20 s', {
  points: 2,
  hint: 'One send() per event is a network round trip each: put thousands of messages in one send() (and compress them), and answer { count, ms } when all are acknowledged.',
  timeout: 40_000,
}, async () => {
  const { topic } = names(run.prefix);
  const before = await topicSize(topic);
  const started = Date.now();
  const res = await http(`${run.url}/load`, { method: 'POST', json: { count: 20_000 }, signal: AbortSignal.timeout(30_000) });
  const elapsed = Date.now() - started;
  expect(res.status, res.text.slice(0, 200)).toBe(200);
  expect(res.json?.count).toBe(20_000);
  expect(await topicSize(topic) - before, 'messages added to the topic').toBe(20_000);
  expect(elapsed, 'milliseconds for 20 000 events').toBeLessThan(20_000);
});
