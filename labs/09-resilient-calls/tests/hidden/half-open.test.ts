// The circuit breaker after its cooldown: one probe, then closed or open again. One app for both tests (RETRY_MAX 0,
// bulkhead out of the way with BULKHEAD_MAX 1000); each test opens the circuit itself, whatever state it found. The
// app reaches DHL through the test's proxy, which notes each request's tracking number as it is sent.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import { isFresh, newShipment, sleep, startTracking, track, type TrackingRun } from '../support.ts';

let t: TrackingRun;
beforeAll(async () => {
  t = await startTracking({ proxy: true, env: { RETRY_MAX: '0', BULKHEAD_MAX: '1000' } });
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => {
  t.control.clearFaults();
});

/** Did a request for this shipment go to DHL? */
const reached = (id: string) => t.sent().includes(id);

/**
 * With DHL failing, send requests until one is not sent to DHL: the circuit is open, and its cooldown has just begun.
 * When exactly it opens is the breaker-opens rule's business; a few requests more than BREAKER_THRESHOLD are allowed.
 */
async function openCircuit() {
  t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
  for (let i = 0; i < t.numbers.threshold + 3; i++) {
    const id = newShipment(t);
    await track(t, id);
    if (!reached(id)) return;
  }
  throw new Error(
    `the circuit never opened: ${t.numbers.threshold + 3} requests in a row failed at DHL and each was still sent`,
  );
}

graded(
  'After the cooldown one probe goes to DHL while other requests are not sent; a failed probe opens the circuit again',
  {
    rule: 'breaker-half-open',
    points: 2,
    hint: 'Half-open lets exactly one request through; the rest are not sent. A failed probe starts a new cooldown (note when it failed).',
  },
  async () => {
    await openCircuit();
    await sleep(t.numbers.cooldownMs + 100);
    t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503, latencyMs: 150 }); // still failing, and slow: the probe is out a while
    const ids = [newShipment(t), newShipment(t), newShipment(t)];
    await Promise.all(ids.map((id) => track(t, id)));
    expect(ids.filter(reached), 'of 3 requests at once after the cooldown, the ones sent to DHL').toHaveLength(1);
    const after = newShipment(t);
    const res = await track(t, after);
    expect(reached(after), `a request right after the probe failed was sent to DHL (${res.said})`).toBe(false);
  },
);

graded(
  'After the cooldown a probe that gets an answer closes the circuit: requests reach DHL again',
  {
    rule: 'breaker-half-open',
    points: 1,
    hint: 'When the probe succeeds, close the circuit and reset the count, so the next requests are sent as normal.',
  },
  async () => {
    await openCircuit();
    t.control.clearFaults();
    await sleep(t.numbers.cooldownMs + 100);
    for (let i = 1; i <= 3; i++) {
      const id = newShipment(t);
      const res = await track(t, id);
      expect(reached(id) && isFresh(res), `request ${i} after the cooldown, DHL healthy again: ${res.said}`).toBe(true);
    }
  },
);
