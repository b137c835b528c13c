// The circuit breaker: when it opens. Every test starts an app of its own, so each begins with a closed circuit; the
// bulkhead is kept out of the way (BULKHEAD_MAX 1000).
import { expect } from 'vitest';
import { graded } from '#testkit';
import { breakerState, dhlCalls, newShipment, startTracking, track, type TrackingRun } from '../support.ts';

async function withApp(env: Record<string, string>, fn: (t: TrackingRun) => Promise<void>) {
  const t = await startTracking({ env: { BULKHEAD_MAX: '1000', ...env } });
  try {
    await fn(t);
  } finally {
    await t.stop();
  }
}

graded(
  'After BREAKER_THRESHOLD failed requests in a row the circuit opens: health says so, and DHL is not called',
  {
    rule: 'breaker-opens',
    points: 2,
    hint: 'Count failed requests (after their retries), not attempts; at the threshold, answer at once without calling DHL, and show the state in GET /health/dependencies.',
  },
  async () => {
    await withApp({}, async (t) => {
      const { threshold, retryMax } = t.numbers;
      const closed = await breakerState(t);
      expect(closed.res.status, closed.res.said).toBe(200);
      expect(closed.state, closed.res.said).toBe('closed');
      t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
      // Each failed request is one failure, however many attempts it made: each of them still reaches DHL.
      for (let i = 1; i <= threshold; i++) {
        const before = dhlCalls(t).length;
        const res = await track(t, newShipment(t));
        expect(
          dhlCalls(t).length - before,
          `calls DHL saw for failed request ${i} of ${threshold}, RETRY_MAX ${retryMax} (${res.said})`,
        ).toBeGreaterThan(0);
      }
      const open = await breakerState(t);
      expect(open.state, open.res.said).toBe('open');
      const before = dhlCalls(t).length;
      for (let i = 0; i < 3; i++) {
        const res = await track(t, newShipment(t));
        expect(res.ms, `an open circuit answers at once (${res.said})`).toBeLessThan(500);
      }
      expect(dhlCalls(t).length - before, 'calls DHL saw once the circuit was open').toBe(0);
    });
  },
);

graded(
  'A success starts the count of failures again: only failures in a row open the circuit',
  {
    rule: 'breaker-opens',
    points: 1,
    hint: 'Reset the failure count on every success, so BREAKER_THRESHOLD − 1 failures, a success, and more failures do not add up.',
  },
  async () => {
    await withApp({ RETRY_MAX: '0' }, async (t) => {
      const { threshold } = t.numbers;
      const id = newShipment(t);
      for (let round = 0; round < 2; round++) {
        t.control.setFaults('dhl', { failNext: threshold - 1, errorStatus: 503 });
        for (let i = 0; i < threshold - 1; i++) await track(t, id);
        const ok = await track(t, id);
        expect(
          ok.json?.stale,
          `after ${threshold - 1} failures the circuit is still closed and DHL answers: ${ok.said}`,
        ).toBe(false);
      }
      // Now the full count in a row: the circuit must open (so a service without a breaker does not pass this test).
      t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
      for (let i = 0; i < threshold; i++) await track(t, id);
      const before = dhlCalls(t).length;
      await track(t, id);
      expect(dhlCalls(t).length - before, `calls DHL saw after ${threshold} failures in a row`).toBe(0);
    });
  },
);
