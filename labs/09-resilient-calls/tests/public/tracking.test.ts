// Tracking through DHL: the answer's shape, what is retried and what is not, how often, and the timeout per attempt.
// The breaker and the bulkhead are kept out of the way here (BREAKER_THRESHOLD and BULKHEAD_MAX 1000): their own
// tests start apps of their own.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded, waitFor } from '#testkit';
import { dhlCalls, isFresh, newShipment, startTracking, track, type TrackingRun } from '../support.ts';

let t: TrackingRun;
beforeAll(async () => {
  t = await startTracking({ proxy: true, env: { BREAKER_THRESHOLD: '1000', BULKHEAD_MAX: '1000' } });
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => {
  t.control.clearFaults();
});

graded(
  "GET /shipments/{id}/tracking answers DHL's newest status with carrier, description, updated_at and stale: false",
  {
    rule: 'tracking',
    points: 2,
    hint: 'DHL lists events newest first, and `status` in its answer is the newest one; map statusCode → status and timestamp → updated_at.',
  },
  async () => {
    const id = newShipment(t, 'delivered');
    const res = await track(t, id);
    expect(res.status, res.said).toBe(200);
    expect(res.json, res.said).toMatchObject({ id, carrier: 'dhl', status: 'delivered', stale: false });
    expect(res.json.description, res.said).toMatch(/delivered/i);
    expect(Date.parse(res.json.updated_at), `updated_at: ${res.said}`).not.toBeNaN();
    const unknown = await track(t, 'NOSUCH0001');
    expect(unknown.status, unknown.said).toBe(404);
  },
);

graded(
  "DHL's 404 is answered 404 after one call, never retried",
  {
    rule: 'not-retried',
    points: 1,
    hint: 'Which failures can a second attempt change? A 404 will be a 404 again.',
  },
  async () => {
    const before = dhlCalls(t).length;
    const res = await track(t, 'NOSUCH0002');
    // Which status comes back is the tracking rule's business; here only how often DHL was asked.
    expect(dhlCalls(t).length - before, `calls DHL saw for one unknown shipment (${res.said})`).toBe(1);
  },
);

graded(
  'A 500 and a 503 from DHL are retried and the request still gets a fresh answer',
  {
    rule: 'retryable',
    points: 1,
    hint: 'A 5xx is a server-side fault, often brief: retry it (all of 500–599, not only 503).',
  },
  async () => {
    for (const errorStatus of [500, 503] as const) {
      const id = newShipment(t);
      t.control.setFaults('dhl', { failNext: 1, errorStatus });
      const before = dhlCalls(t).length;
      const res = await track(t, id);
      expect(isFresh(res), `after one ${errorStatus}: ${res.said}`).toBe(true);
      expect(dhlCalls(t).length - before, `calls DHL saw (one ${errorStatus}, then the retry)`).toBe(2);
    }
  },
);

graded(
  'A connection reset is retried and the request still gets a fresh answer',
  {
    rule: 'retryable',
    points: 1,
    hint: 'A reset or refused connection rejects fetch without any status (CarrierError.status is undefined): that is retryable too.',
  },
  async () => {
    const id = newShipment(t);
    const before = dhlCalls(t).length;
    t.resetNext(1);
    const res = await track(t, id);
    expect(t.resets(), 'connections the proxy reset').toBeGreaterThan(0);
    expect(isFresh(res), `after a reset: ${res.said}`).toBe(true);
    expect(dhlCalls(t).length - before, 'calls that reached DHL after the reset').toBe(1);
  },
);

graded(
  'A request makes at most RETRY_MAX + 1 attempts, and retries only as many as it needs',
  {
    rule: 'retry-bound',
    points: 2,
    hint: 'Count attempts, not retries: RETRY_MAX retries means RETRY_MAX + 1 calls at most, and stop at the first success.',
  },
  async () => {
    const { retryMax } = t.numbers;
    const ok = newShipment(t);
    t.control.setFaults('dhl', { failNext: retryMax, errorStatus: 503 });
    let before = dhlCalls(t).length;
    const res = await track(t, ok);
    expect(isFresh(res), `after ${retryMax} failures: ${res.said}`).toBe(true);
    expect(dhlCalls(t).length - before, `calls for ${retryMax} failures then a success`).toBe(retryMax + 1);

    const failing = newShipment(t);
    t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
    before = dhlCalls(t).length;
    const failed = await track(t, failing);
    expect(isFresh(failed), `DHL failing every call, the answer cannot be fresh: ${failed.said}`).toBe(false);
    expect(dhlCalls(t).length - before, 'calls for one request while DHL fails every call').toBe(retryMax + 1);
  },
);

graded(
  'An attempt that hangs is abandoned after CARRIER_TIMEOUT_MS and retried with a deadline of its own',
  {
    rule: 'timeout',
    points: 2,
    hint: 'fetchDhlShipment takes a signal: give each attempt its own AbortSignal.timeout(CARRIER_TIMEOUT_MS), made inside the retry loop.',
  },
  async () => {
    const { timeoutMs } = t.numbers;
    const id = newShipment(t);
    const before = dhlCalls(t).length;
    t.control.setFaults('dhl', { hangNext: 1 });
    const res = await track(t, id, 10_000);
    // DHL logs a call when it ends; the hung one ends when the app gives up on it, which it may see a moment later.
    const hung = await waitFor(
      () =>
        dhlCalls(t)
          .slice(before)
          .find((c) => c.fault === 'hang'),
      {
        timeoutMs: 5000,
        message: `DHL to log the hung call (${res.said})`,
      },
    );
    expect(
      hung.durationMs,
      `the hung call lasted ${hung.durationMs} ms at DHL; CARRIER_TIMEOUT_MS is ${timeoutMs}`,
    ).toBeGreaterThanOrEqual(timeoutMs - 100);
    expect(
      hung.durationMs,
      `the hung call lasted ${hung.durationMs} ms at DHL; CARRIER_TIMEOUT_MS is ${timeoutMs}`,
    ).toBeLessThan(timeoutMs + 1000);
    expect(isFresh(res), `after one hung attempt the retry should answer: ${res.said}`).toBe(true);
  },
);
