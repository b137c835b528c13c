// The bulkhead, the fallback, and 4xx answers other than 404. The breaker is kept out of the way (BREAKER_THRESHOLD
// 1000) and, but for the bulkhead's own test and app, the bulkhead too (BULKHEAD_MAX 1000).
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import { dhlCalls, isFresh, newShipment, span, startTracking, track, type TrackingRun } from '../support.ts';

let t: TrackingRun;
beforeAll(async () => {
  t = await startTracking({ env: { BREAKER_THRESHOLD: '1000', BULKHEAD_MAX: '1000' } });
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
    // An app of its own with the lab's BULKHEAD_MAX, and a timeout longer than DHL's 800 ms below.
    const t = await startTracking({ env: { BREAKER_THRESHOLD: '1000', CARRIER_TIMEOUT_MS: '3000' } });
    try {
      const { bulkheadMax } = t.numbers;
      // First some calls that fail: their places must come back.
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
      const refused = replies.filter((r) => !isFresh(r));
      for (const r of refused) {
        expect(r.status, `a refused request for a shipment never tracked before: ${r.said}`).toBe(503);
        expect(r.ms, `a refused request is answered at once, not after DHL's 800 ms: ${said}`).toBeLessThan(400);
      }
      expect(calls.length, 'calls DHL saw').toBe(bulkheadMax);
      expect(mostAtOnce(calls.map(span)), 'calls DHL had in flight at once').toBeLessThanOrEqual(bulkheadMax);
    } finally {
      await t.stop();
    }
  },
);

graded(
  'When DHL cannot answer, the last status of that shipment is answered with stale: true',
  {
    rule: 'fallback',
    points: 1,
    hint: 'Keep the last fresh status per shipment (keyed by its id); when every attempt failed, answer it with stale: true.',
  },
  async () => {
    const delivered = newShipment(t, 'delivered');
    const unknown = newShipment(t, 'unknown');
    const fresh = await track(t, delivered);
    const freshOther = await track(t, unknown);
    expect(isFresh(fresh), fresh.said).toBe(true);
    expect(isFresh(freshOther), freshOther.said).toBe(true);
    t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
    const stale = await track(t, delivered);
    expect(stale.status, stale.said).toBe(200);
    expect(stale.json, stale.said).toMatchObject({
      id: delivered,
      status: fresh.json.status,
      updated_at: fresh.json.updated_at,
      stale: true,
    });
    const staleOther = await track(t, unknown);
    expect(staleOther.json, staleOther.said).toMatchObject({
      id: unknown,
      status: freshOther.json.status,
      stale: true,
    });
  },
);

graded(
  'When DHL cannot answer for a shipment never tracked before, the answer is 503',
  {
    rule: 'fallback',
    points: 1,
    hint: 'Without a last known status there is nothing to fall back on: 503 with the error envelope.',
  },
  async () => {
    t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
    const res = await track(t, newShipment(t));
    expect(res.status, res.said).toBe(503);
    expect(res.json?.error?.code, res.said).toBeTruthy();
  },
);

graded(
  'Any 4xx other than 404 and 429 (a wrong API key) is answered 502 after one call',
  {
    rule: 'not-retried',
    points: 1,
    hint: 'A 401 means our request is wrong, not that DHL is down: one call, no retry, 502.',
  },
  async () => {
    const wrong = await startTracking({ env: { DHL_API_KEY: 'not-the-key' } });
    try {
      const res = await track(wrong, newShipment(wrong));
      expect(res.status, res.said).toBe(502);
      expect(
        dhlCalls(wrong).map((c) => c.status),
        'calls DHL saw',
      ).toEqual([401]);
    } finally {
      await wrong.stop();
    }
  },
);
