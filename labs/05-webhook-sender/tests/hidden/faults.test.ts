import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { startReceiver, verify, type Receiver } from '../receiver.ts';
import { emit, register, sleep, waitForRequests } from '../support.ts';

const TIME_SCALE = 0.0001;
const DELIVERY_TIMEOUT_MS = 800;

let run: LabRun;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  run = await startLab({ env: { TIME_SCALE: String(TIME_SCALE), DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS) } });
});
afterAll(async () => {
  await run?.stop();
  await receiver?.close();
});

graded('a receiver that does not answer within DELIVERY_TIMEOUT_MS is retried', {
  points: 2,
  hint: 'Give every attempt a deadline (AbortSignal.timeout(DELIVERY_TIMEOUT_MS)); a timeout is a failure like a 5xx, so it is retried.',
}, async () => {
  const endpoint = await register(run, receiver);
  receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 200, hangMs: 6000 } : { status: 200 }));
  await emit(run);
  const [first, second] = await waitForRequests(receiver, endpoint.path, 2, 5000);
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(second!.at - first!.at).toBeGreaterThanOrEqual(DELIVERY_TIMEOUT_MS - 50);
});

graded('429 is retried, but not before the Retry-After it gives', {
  points: 2,
  hint: '429 Too Many Requests is worth retrying; its Retry-After header (seconds) is the earliest moment the receiver wants to hear from you again.',
}, async () => {
  const endpoint = await register(run, receiver);
  receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
  await emit(run);
  const [first, second] = await waitForRequests(receiver, endpoint.path, 2, 8000);
  expect(second!.at - first!.at, 'the retry came before Retry-After: 2').toBeGreaterThanOrEqual(1900);
  expect(() => verify(endpoint.secret, second!)).not.toThrow();
});

graded('410 Gone disables the endpoint: no retry, and no later events', {
  points: 2,
  hint: '410 means the receiver is gone for good: mark the endpoint disabled (GET /v1/endpoints/:id shows status "disabled") and skip it from then on.',
}, async () => {
  const gone = await register(run, receiver);
  const alive = await register(run, receiver);
  receiver.script(gone.path, () => ({ status: 410 }));
  await emit(run);
  await waitForRequests(receiver, gone.path, 1);
  await sleep(500);
  expect(receiver.requests(gone.path), 'no retry after 410').toHaveLength(1);
  const shown = await http(`${run.url}/v1/endpoints/${gone.id}`);
  expect(shown.json?.status).toBe('disabled');
  await emit(run);
  await waitForRequests(receiver, alive.path, 2);
  await sleep(300);
  expect(receiver.requests(gone.path), 'a disabled endpoint gets no new events').toHaveLength(1);
});
