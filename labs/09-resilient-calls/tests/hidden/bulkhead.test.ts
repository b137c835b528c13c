// The bulkhead, with the lab's BULKHEAD_MAX; the breaker is kept out of the way (BREAKER_THRESHOLD 1000), and the
// timeout is longer than DHL's 800 ms of latency below (CARRIER_TIMEOUT_MS 3000).
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import { dhlCalls, isFresh, newShipment, span, startTracking, track, type TrackingRun } from '../support.ts';

let t: TrackingRun;
beforeAll(async () => {
  t = await startTracking({ env: { BREAKER_THRESHOLD: '1000', CARRIER_TIMEOUT_MS: '3000' } });
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => {
  t.control.clearFaults();
});

/** The most calls DHL had in flight at one moment, from the spans it logged. */
function mostAtOnce(calls: { start: number; end: number }[]): number {
  const edges = calls
    .flatMap(
      (c) =>
        [
          [c.start, 1],
          [c.end, -1],
        ] as const,
    )
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) {
    now += step;
    most = Math.max(most, now);
  }
  return most;
}

graded(
  'At most BULKHEAD_MAX requests call DHL at once; the next is answered 503 at once, and failed calls free their place',
  {
    rule: 'bulkhead',
    points: 3,
    hint: 'Count calls in flight per carrier; refuse (do not queue) when full, and release the place in a finally, whatever the outcome.',
  },
  async () => {
    const { bulkheadMax } = t.numbers;
    // First some requests that fail: their places must come back.
    t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < bulkheadMax + 1; i++) await track(t, newShipment(t));
    t.control.clearFaults();

    t.control.setFaults('dhl', { latencyMs: 800 });
    const before = dhlCalls(t).length;
    const replies = await Promise.all(Array.from({ length: bulkheadMax + 3 }, () => track(t, newShipment(t))));
    const calls = dhlCalls(t).slice(before);
    const said = replies.map((r) => `${r.status} after ${Math.round(r.ms)} ms`).join(', ');
    expect(replies.filter(isFresh).length, `fresh answers among ${replies.length} requests at once: ${said}`).toBe(
      bulkheadMax,
    );
    for (const r of replies.filter((r) => !isFresh(r))) {
      expect(r.status, `a refused request for a shipment never tracked before: ${r.said}`).toBe(503);
      expect(r.ms, `a refused request is answered at once, not after DHL's 800 ms: ${said}`).toBeLessThan(600);
    }
    expect(calls.length, 'calls DHL saw').toBe(bulkheadMax);
    expect(mostAtOnce(calls.map(span)), 'calls DHL had in flight at once').toBeLessThanOrEqual(bulkheadMax);
  },
);
