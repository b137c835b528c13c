// How long the service waits between attempts: exponential backoff, jitter, and Retry-After after a 429. The breaker
// and the bulkhead are kept out of the way (BREAKER_THRESHOLD and BULKHEAD_MAX 1000).
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
  t.control.setRateLimit(1_000_000, 60);
});

/** The waits between the calls of one request that fails every attempt: [before retry 1, before retry 2, …]. */
async function waitsOfOneFailingRequest(): Promise<number[]> {
  const id = newShipment(t);
  t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
  const before = dhlCalls(t).length;
  const res = await track(t, id);
  t.control.clearFaults();
  const calls = dhlCalls(t).slice(before).map(span);
  expect(calls.length, `calls DHL saw for one request that failed every time (${res.said})`).toBeGreaterThan(1);
  return calls.slice(1).map((c, i) => c.start - calls[i]!.end);
}

graded(
  'Before retry n the service waits at least RETRY_BASE_MS × 2^(n−1), and less than twice that',
  {
    rule: 'backoff',
    points: 2,
    hint: 'Exponential backoff: the wait doubles with every retry (RETRY_BASE_MS, then 2×, …), and jitter keeps it below twice that.',
  },
  async () => {
    const { retryBaseMs } = t.numbers;
    for (let round = 0; round < 3; round++) {
      const waits = await waitsOfOneFailingRequest();
      waits.forEach((wait, i) => {
        const floor = retryBaseMs * 2 ** i;
        // A few ms of slack below (the mock logs whole ms); generous above, for a loaded machine.
        expect(wait, `wait before retry ${i + 1} (all waits: ${waits.join(', ')} ms)`).toBeGreaterThanOrEqual(
          floor - 3,
        );
        expect(wait, `wait before retry ${i + 1} (all waits: ${waits.join(', ')} ms)`).toBeLessThan(2 * floor + 150);
      });
    }
  },
);

graded(
  'The waits between retries are random, not the same every time',
  {
    rule: 'jitter',
    points: 1,
    hint: 'Multiply each wait by a fresh random factor between 1 and 2 (Math.random() on every wait, not once at start-up).',
  },
  async () => {
    const { retryBaseMs } = t.numbers;
    // Each wait divided by its exponential floor: with jitter these spread over [1, 2); without, they all sit near 1.
    const factors: number[] = [];
    while (factors.length < 8) {
      const waits = await waitsOfOneFailingRequest();
      factors.push(...waits.map((wait, i) => wait / (retryBaseMs * 2 ** i)));
    }
    const spread = Math.max(...factors) - Math.min(...factors);
    // 8 factors drawn uniformly from [1, 2) spread less than 0.2 with a chance of about 1 in 10 000.
    expect(spread, `waits ÷ their floor: ${factors.map((f) => f.toFixed(2)).join(', ')}`).toBeGreaterThan(0.2);
  },
);

graded(
  'After a 429 with Retry-After the next attempt waits that long, then gets the fresh answer',
  {
    rule: 'retry-after',
    points: 1,
    hint: 'CarrierError.retryAfterMs holds the Retry-After: wait at least that long before the next attempt, instead of the shorter backoff.',
  },
  async () => {
    const first = newShipment(t);
    const id = newShipment(t);
    t.control.setRateLimit(1, 1); // one call per second; the second gets 429 with Retry-After: 1
    const before = dhlCalls(t).length;
    await track(t, first); // spends the window (what it answers is not this rule's business)
    const res = await track(t, id, 10_000);
    const calls = dhlCalls(t).slice(before);
    expect(calls[1]?.status, 'the second call DHL saw should be the one it refused with 429').toBe(429);
    expect(isFresh(res), `after waiting out Retry-After the retry gets through: ${res.said}`).toBe(true);
    const wait = span(calls[2]!).start - span(calls[1]!).end;
    expect(wait, 'ms between the 429 and the next attempt').toBeGreaterThanOrEqual(1000 - 3);
  },
);

graded(
  'A Retry-After longer than RETRY_AFTER_MAX_MS ends the retries at once',
  {
    rule: 'retry-after',
    points: 1,
    hint: 'A carrier that asks you to come back in 5 s while your caller waits: do not wait, and do not retry sooner either.',
    timeout: 20_000,
  },
  async () => {
    const { retryAfterMaxMs } = t.numbers;
    const first = newShipment(t);
    const id = newShipment(t);
    const windowSeconds = Math.ceil(retryAfterMaxMs / 1000) + 3;
    t.control.setRateLimit(1, windowSeconds); // Retry-After will be about windowSeconds
    await track(t, first);
    const before = dhlCalls(t).length;
    const res = await track(t, id, 15_000);
    const calls = dhlCalls(t).slice(before);
    expect(
      calls.map((c) => c.status),
      `calls DHL saw (${res.said})`,
    ).toEqual([429]);
    expect(
      res.ms,
      `ms until the answer after a 429 with Retry-After: ${windowSeconds - 1}+ s (${res.said})`,
    ).toBeLessThan(1000);
  },
);
