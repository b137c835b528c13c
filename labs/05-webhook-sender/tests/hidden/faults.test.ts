import { expect } from 'vitest';
import { graded, http } from '#testkit';
import { verify } from '../receiver.ts';
import { emit, register, sleep, waitForRequests, senderLab } from '../support.ts';

const TIME_SCALE = 0.0001;
const DELIVERY_TIMEOUT_MS = 800;

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE), DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS) });

graded('a receiver that does not answer within DELIVERY_TIMEOUT_MS is retried', {
  points: 2,
  hint: 'Give every attempt a deadline (AbortSignal.timeout(DELIVERY_TIMEOUT_MS)); a timeout is a failure like a 5xx, so it is retried.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  lab.receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 200, hangMs: 6000 } : { status: 200 }));
  await emit(lab.run);
  const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 5000);
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  // Measured at the receiver, which sees the first request a little after the sender's clock started.
  expect(second!.at - first!.at).toBeGreaterThanOrEqual(DELIVERY_TIMEOUT_MS / 2);
});

graded('429 is retried, but not before the Retry-After it gives', {
  points: 2,
  hint: '429 Too Many Requests is worth retrying; its Retry-After header (seconds) is the earliest moment the receiver wants to hear from you again.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  lab.receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
  await emit(lab.run);
  const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 8000);
  expect(second!.at - first!.at, 'the retry came before Retry-After: 2').toBeGreaterThanOrEqual(1900);
  expect(() => verify(endpoint.secret, second!)).not.toThrow();
});

graded('410 Gone disables the endpoint: no retry, and no later events', {
  points: 2,
  hint: '410 means the receiver is gone for good: mark the endpoint disabled (GET /v1/endpoints/:id shows status "disabled") and skip it from then on.',
}, async () => {
  const gone = await register(lab.run, lab.receiver);
  const alive = await register(lab.run, lab.receiver);
  lab.receiver.script(gone.path, () => ({ status: 410 }));
  await emit(lab.run);
  await waitForRequests(lab.receiver, gone.path, 1);
  await sleep(500);
  expect(lab.receiver.requests(gone.path), 'no retry after 410').toHaveLength(1);
  const shown = await http(`${lab.run.url}/v1/endpoints/${gone.id}`);
  expect(shown.json?.status).toBe('disabled');
  await emit(lab.run);
  await waitForRequests(lab.receiver, alive.path, 2);
  await sleep(300);
  expect(lab.receiver.requests(gone.path), 'a disabled endpoint gets no new events').toHaveLength(1);
});
