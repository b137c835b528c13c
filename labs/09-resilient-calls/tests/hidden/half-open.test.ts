// The circuit breaker after its cooldown: one probe, then closed or open again. Each test starts an app of its own
// (bulkhead out of the way: BULKHEAD_MAX 1000).
import { expect } from 'vitest';
import { graded } from '#testkit';
import { dhlCalls, isFresh, newShipment, sleep, startTracking, track, type TrackingRun } from '../support.ts';

async function openCircuit(t: TrackingRun) {
  t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
  for (let i = 0; i < t.numbers.threshold; i++) await track(t, newShipment(t));
  const before = dhlCalls(t).length;
  await track(t, newShipment(t));
  // An app whose circuit does not open at all fails here (and the breaker-opens rule says why).
  expect(dhlCalls(t).length - before, 'calls DHL saw with the circuit open').toBe(0);
}

graded(
  'After the cooldown one probe goes to DHL while other requests are not sent; a failed probe opens the circuit again',
  {
    rule: 'breaker-half-open',
    points: 2,
    hint: 'Half-open lets exactly one request through; the rest are answered at once as if open. A failed probe starts a new cooldown.',
  },
  async () => {
    const t = await startTracking({ env: { RETRY_MAX: '0', BULKHEAD_MAX: '1000' } });
    try {
      await openCircuit(t);
      await sleep(t.numbers.cooldownMs + 100);
      t.control.setFaults('dhl', { latencyMs: 300 }); // still failing, and slow: the probe is in flight a while
      const before = dhlCalls(t).length;
      await Promise.all([0, 1, 2].map(() => track(t, newShipment(t))));
      expect(dhlCalls(t).length - before, 'calls DHL saw from 3 requests at once after the cooldown').toBe(1);
      await track(t, newShipment(t));
      expect(dhlCalls(t).length - before, 'calls DHL saw right after the probe failed').toBe(1);
    } finally {
      await t.stop();
    }
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
    const t = await startTracking({ env: { RETRY_MAX: '0', BULKHEAD_MAX: '1000' } });
    try {
      await openCircuit(t);
      t.control.clearFaults();
      await sleep(t.numbers.cooldownMs + 100);
      const before = dhlCalls(t).length;
      for (let i = 0; i < 3; i++) {
        const res = await track(t, newShipment(t));
        expect(isFresh(res), `request ${i + 1} after the cooldown, DHL healthy again: ${res.said}`).toBe(true);
      }
      expect(dhlCalls(t).length - before, 'calls DHL saw for 3 requests once it recovered').toBe(3);
    } finally {
      await t.stop();
    }
  },
);
