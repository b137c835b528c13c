import { afterAll, beforeAll, expect } from 'vitest';
import { graded, startLab, type LabRun } from '#testkit';
import { startReceiver, type Receiver } from '../receiver.ts';
import { emit, register, waitForRequests } from '../support.ts';

// A slower clock here, so that jitter (a share of the wait) is much larger than timer noise: 5 min → 1.5 s.
const TIME_SCALE = 0.005;
const FIRST_WAIT_MS = 300 * 1000 * TIME_SCALE;
const MESSAGES = 8;

let run: LabRun;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  run = await startLab({ env: { TIME_SCALE: String(TIME_SCALE) } });
});
afterAll(async () => {
  await run?.stop();
  await receiver?.close();
});

graded('retries are spread by jitter, not all at the same moment', {
  points: 1,
  hint: 'Multiply each wait by a random factor (e.g. 0.8 to 1.2): messages that failed together must not all come back in the same instant.',
}, async () => {
  const endpoint = await register(run, receiver);
  receiver.script(endpoint.path, (nth) => ({ status: nth === 1 ? 503 : 200 }));
  for (let i = 0; i < MESSAGES; i++) await emit(run);
  const requests = await waitForRequests(receiver, endpoint.path, 2 * MESSAGES, 15_000);
  const byId = Map.groupBy(requests, (r) => r.headers['webhook-id']);
  const waits = [...byId.values()].map((rs) => rs[1]!.at - rs[0]!.at);
  expect(waits).toHaveLength(MESSAGES);
  for (const ms of waits) expect(ms, `waits: ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(FIRST_WAIT_MS * 0.7);
  const spread = Math.max(...waits) - Math.min(...waits);
  expect(spread, `waits of ${MESSAGES} messages that failed together: ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(150);
});
