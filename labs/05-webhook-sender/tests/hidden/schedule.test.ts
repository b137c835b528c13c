import { expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { verify } from '../receiver.ts';
import { deadLetters, emit, gaps, register, sleep, waitForRequests, senderLab } from '../support.ts';

const TIME_SCALE = 0.0001;
/** 5 min, 30 min, 2 h, 6 h, 24 h, scaled, in ms: 30, 180, 720, 2160, 8640. */
const SCHEDULE_MS = [300, 1800, 7200, 21600, 86400].map((s) => s * 1000 * TIME_SCALE);

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE) });

graded('retries back off on the 5 m, 30 m, 2 h, 6 h schedule (scaled by TIME_SCALE)', {
  points: 2,
  hint: 'Wait RETRY_SCHEDULE[n] × 1000 × TIME_SCALE ms (± jitter) before retry n: 5 min, 30 min, 2 h, 6 h, 24 h.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  lab.receiver.script(endpoint.path, (nth) => ({ status: nth <= 4 ? 503 : 200 }));
  await emit(lab.run);
  const requests = await waitForRequests(lab.receiver, endpoint.path, 5, 15_000);
  const waits = gaps(requests);
  waits.forEach((ms, i) => {
    expect(ms, `wait before retry ${i + 1}: ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(SCHEDULE_MS[i]! * 0.7);
    expect(ms, `wait before retry ${i + 1}: ${waits.join(', ')} ms`).toBeLessThanOrEqual(SCHEDULE_MS[i]! * 1.3 + 600);
  });
});

graded('after the last retry the message is dead-lettered, and a replay sends it again with the same webhook-id', {
  points: 3,
  hint: 'One attempt plus five retries, then the dead-letter list (GET /v1/dead-letters). POST /v1/dead-letters/:id/replay sends the same message (same webhook-id and body), freshly signed.',
  timeout: 45_000,
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  let down = true;
  lab.receiver.script(endpoint.path, () => ({ status: down ? 500 : 200 }));
  await emit(lab.run);
  const letter = await waitFor(async () => (await deadLetters(lab.run)).find((d) => d.endpoint_id === endpoint.id), {
    timeoutMs: 25_000, message: 'a dead letter for the endpoint',
  });
  expect(lab.receiver.requests(endpoint.path), 'one attempt and five retries').toHaveLength(6);
  await sleep(500);
  expect(lab.receiver.requests(endpoint.path), 'nothing is sent after the message was dead-lettered').toHaveLength(6);
  down = false;
  const replay = await http(`${lab.run.url}/v1/dead-letters/${letter.id}/replay`, { method: 'POST' });
  expect(replay.status).toBeGreaterThanOrEqual(200);
  expect(replay.status).toBeLessThan(300);
  const requests = await waitForRequests(lab.receiver, endpoint.path, 7);
  expect(requests[6]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id']);
  expect(() => verify(endpoint.secret, requests[6]!)).not.toThrow();
  await waitFor(async () => !(await deadLetters(lab.run)).some((d) => d.id === letter.id), { message: 'the replayed letter to leave the list' });
});
