import { expect } from 'vitest';
import { graded } from '#testkit';
import { emit, register, waitForRequests, senderLab } from '../support.ts';

// A slower clock here, so that jitter (a share of the wait) is much larger than timer noise: 5 min → 2.4 s.
const TIME_SCALE = 0.008;
const FIRST_WAIT_MS = 300 * 1000 * TIME_SCALE;
const MESSAGES = 8;

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE) });

graded('retries are spread by jitter, not all at the same moment', {
  points: 1,
  hint: 'Multiply each wait by a random factor (e.g. 0.8 to 1.2): messages that failed together must not all come back in the same instant.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  lab.receiver.script(endpoint.path, (nth) => ({ status: nth === 1 ? 503 : 200 }));
  for (let i = 0; i < MESSAGES; i++) await emit(lab.run);
  const requests = await waitForRequests(lab.receiver, endpoint.path, 2 * MESSAGES, 15_000);
  const byId = Map.groupBy(requests, (r) => r.headers['webhook-id']);
  const waits = [...byId.values()].map((rs) => rs[1]!.at - rs[0]!.at);
  expect(waits).toHaveLength(MESSAGES);
  for (const ms of waits) expect(ms, `waits: ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(FIRST_WAIT_MS * 0.7);
  // The middle six of eight: on a loaded machine one timer can fire late on its own, which is not jitter; jitter of
  // ±20 % spreads them all (about 530 ms expected between the 2nd and 7th of eight here).
  const middle = [...waits].sort((a, b) => a - b).slice(1, -1);
  const spread = middle.at(-1)! - middle[0]!;
  expect(spread, `waits of ${MESSAGES} messages that failed together: ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(200);
});
