import { expect } from 'vitest';
import { graded, http } from '#testkit';
import { emit, gaps, letterFor, register, shown, sleep, waitForRequests, senderLab } from '../support.ts';

// Retries come after milliseconds here (5 min → 3 ms); the deadline per attempt is 1 s (long enough that a loaded
// machine's delay between the sender starting its clock and the receiver seeing the request stays well inside it).
const TIME_SCALE = 0.00001;
const DELIVERY_TIMEOUT_MS = 1000;

/** 5 min, 30 min, 2 h, 6 h, scaled, in ms: 3, 18, 72, 216. */
const SCHEDULE_MS = [300, 1800, 7200, 21600].map((s) => s * 1000 * TIME_SCALE);

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE), DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS) });

graded(
  'retries back off on the 5 m, 30 m, 2 h, 6 h schedule (scaled by TIME_SCALE)',
  {
    rule: 'retry-schedule',
    points: 2,
    hint: 'Wait RETRY_SCHEDULE[n] × 1000 × TIME_SCALE ms (± 20 % jitter) before retry n: 5 min, 30 min, 2 h, 6 h, 24 h.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    lab.receiver.script(endpoint.path, (nth) => ({ status: nth <= 4 ? 503 : 200 }));
    await emit(lab.run);
    const requests = await waitForRequests(lab.receiver, endpoint.path, 5, 5000);
    const waits = gaps(requests).slice(0, 4);
    const said = `waits before retries 1 to 4: ${waits.join(', ')} ms; expected about ${SCHEDULE_MS.join(', ')} ms (± 20 %)`;
    waits.forEach((ms, i) => {
      // Timers never fire early (2 ms for rounding to whole milliseconds); a loaded machine may make them late, hence
      // the wide upper bound (the schedule's mistakes, no growth or hours read as minutes, fail the lower one).
      expect(ms, `retry ${i + 1}: ${said}`).toBeGreaterThanOrEqual(SCHEDULE_MS[i]! * 0.75 - 2);
      expect(ms, `retry ${i + 1}: ${said}`).toBeLessThanOrEqual(SCHEDULE_MS[i]! * 1.25 + 1500);
    });
  },
);

graded(
  'a receiver that does not answer within DELIVERY_TIMEOUT_MS is retried',
  {
    rule: 'retry-failures',
    points: 2,
    hint: 'Give every attempt a deadline of DELIVERY_TIMEOUT_MS (AbortSignal.timeout); an attempt that runs out of time failed like a 5xx, so it is retried.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    // The first attempt would get its 200 only after 4 s: long after the 1 s deadline.
    lab.receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 200, hangMs: 4000 } : { status: 200 }));
    await emit(lab.run);
    // One event, so a second request at this path is its retry (that it keeps its webhook-id is another rule).
    const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 3500);
    // Measured at the receiver, which sees the first request a little after the sender's clock started (on a busy
    // machine up to a few hundred ms after), hence half the deadline as the bound.
    expect(second!.at - first!.at, 'the attempt was given up before DELIVERY_TIMEOUT_MS').toBeGreaterThanOrEqual(
      DELIVERY_TIMEOUT_MS / 2,
    );
  },
);

graded(
  'a connection that breaks without an answer is retried',
  {
    rule: 'retry-failures',
    points: 1,
    hint: 'fetch() throws when the connection fails (refused, reset, cut): that is a network error, and it is retried like a 5xx.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    lab.receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 200, drop: true } : { status: 200 }));
    await emit(lab.run);
    // One event, so a second request at this path is its retry (that it keeps its webhook-id is another rule).
    const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 3000);
    expect(JSON.parse(second!.body).data, `first: ${shown(first!)}; then: ${shown(second!)}`).toEqual(
      JSON.parse(first!.body).data,
    );
  },
);

graded(
  '429 is retried, but not before the Retry-After it gives',
  {
    rule: 'retry-after',
    points: 2,
    hint: '429 Too Many Requests is worth retrying; its Retry-After header (seconds of real time: do not scale it) is the earliest moment the receiver wants to hear from you again.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    lab.receiver.script(endpoint.path, (nth) =>
      nth === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    await emit(lab.run);
    const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 4000);
    expect(JSON.parse(second!.body).data, 'the retry of the same event').toEqual(JSON.parse(first!.body).data);
    expect(second!.at - first!.at, 'ms between the 429 with Retry-After: 1 and the retry').toBeGreaterThanOrEqual(950);
  },
);

graded(
  '410 Gone disables the endpoint: no retry, and no later events',
  {
    rule: 'gone-disables',
    points: 2,
    hint: '410 means the receiver is gone for good: mark the endpoint disabled (GET /v1/endpoints/:id shows status "disabled") and skip it from then on.',
  },
  async () => {
    const gone = await register(lab.run, lab.receiver);
    const alive = await register(lab.run, lab.receiver);
    lab.receiver.script(gone.path, () => ({ status: 410 }));
    await emit(lab.run);
    await waitForRequests(lab.receiver, gone.path, 1, 5000);
    await sleep(300); // retries would come after 3 ms and 18 ms
    expect(lab.receiver.requests(gone.path), 'no retry after 410').toHaveLength(1);
    const shownEndpoint = await http(`${lab.run.url}/v1/endpoints/${gone.id}`);
    expect(shownEndpoint.json?.status, shownEndpoint.said).toBe('disabled');
    await emit(lab.run);
    await waitForRequests(lab.receiver, alive.path, 2, 5000);
    await sleep(200);
    expect(lab.receiver.requests(gone.path), 'a disabled endpoint gets no new events').toHaveLength(1);
  },
);

graded(
  'a replay answers 404 for an unknown dead letter and 409 when its endpoint is disabled',
  {
    rule: 'replay-refusals',
    points: 1,
    hint: 'Look the dead letter up first (404 when there is none), then its endpoint: a disabled one cannot receive anything, so answer 409 instead of sending.',
  },
  async () => {
    const unknown = await http(`${lab.run.url}/v1/dead-letters/dl_does_not_exist/replay`, { method: 'POST' });
    expect(unknown.status, unknown.said).toBe(404);
    // A dead letter (after a 400), then the endpoint answers 410 to the next message and is disabled.
    const endpoint = await register(lab.run, lab.receiver);
    lab.receiver.script(endpoint.path, (_nth, request) => ({
      status: lab.receiver.requests(endpoint.path)[0] === request ? 400 : 410,
    }));
    await emit(lab.run);
    const letter = await letterFor(lab.run, endpoint.id, 3000);
    await emit(lab.run);
    await waitForRequests(lab.receiver, endpoint.path, 2, 5000);
    await sleep(100);
    const state = await http(`${lab.run.url}/v1/endpoints/${endpoint.id}`);
    // Dead-lettering a 400 and disabling on 410 are other rules: without them there is nothing to refuse here.
    if (!letter || state.json?.status !== 'disabled') return;
    const refused = await http(`${lab.run.url}/v1/dead-letters/${letter.id}/replay`, { method: 'POST' });
    expect(refused.status, refused.said).toBe(409);
    await sleep(100);
    expect(lab.receiver.requests(endpoint.path), 'nothing is sent to a disabled endpoint').toHaveLength(2);
  },
);
