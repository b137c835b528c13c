// How long the service waits between attempts (exponential backoff, jitter, Retry-After after a 429), what it answers
// when DHL cannot (the fallback), and DHL's other 4xx. The breaker and the bulkhead are kept out of the way
// (BREAKER_THRESHOLD and BULKHEAD_MAX 1000); RETRY_BASE_MS is 100 here, so that a busy machine's few ms of delay are
// small next to the waits. The app reaches DHL through the test's proxy, which notes when each request was sent.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import {
  dhlCalls,
  dhlCallsFor,
  isFresh,
  newShipment,
  sleep,
  span,
  startTracking,
  track,
  type TrackingRun,
} from '../support.ts';

let t: TrackingRun;
beforeAll(async () => {
  t = await startTracking({
    proxy: true,
    env: { BREAKER_THRESHOLD: '1000', BULKHEAD_MAX: '1000', RETRY_BASE_MS: '100' },
  });
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => {
  t.control.clearFaults();
  t.control.setRateLimit(1_000_000, 60);
});

/**
 * Requests for `count` shipments while DHL fails every call, each started `staggerMs` after the one before (so that
 * retries without jitter do not all fall due at once and queue up in the app); for each, the ms between its attempts.
 */
async function waitsOfFailingRequests(count: number, staggerMs = 0): Promise<number[][]> {
  const ids = Array.from({ length: count }, () => newShipment(t));
  t.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
  const replies = await Promise.all(
    ids.map(async (id, i) => {
      await sleep(i * staggerMs);
      return track(t, id);
    }),
  );
  t.control.clearFaults();
  return ids.map((id, i) => {
    const waits = t.waitsBetweenSends(id);
    expect(waits.length, `retries for one request while DHL failed every call (${replies[i]!.said})`).toBeGreaterThan(
      0,
    );
    return waits;
  });
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
    // Measured at the proxy, where a busy machine can only add time: the floor holds with a few ms of slack, every
    // time. The ceiling is generous (no mistake of the schedule is caught by it alone: a wait that does not grow fails
    // the floor), and a machine that stalls for a second can still push a wait past it: waits over the ceiling are
    // measured again, up to three rounds, and fail only if every round had one.
    const ceilingMisses: string[] = [];
    for (let round = 1; round <= 3; round++) {
      const over: string[] = [];
      for (const waits of await waitsOfFailingRequests(8)) {
        waits.forEach((wait, i) => {
          const floor = retryBaseMs * 2 ** i;
          expect(wait, `wait before retry ${i + 1} (all waits: ${waits.join(', ')} ms)`).toBeGreaterThanOrEqual(
            floor - 5,
          );
          if (wait >= 2 * floor + 800) over.push(`retry ${i + 1}: ${wait} ms (all waits: ${waits.join(', ')} ms)`);
        });
      }
      if (over.length === 0) return;
      ceilingMisses.push(`round ${round}: ${over.join('; ')}`);
    }
    expect(ceilingMisses, 'waits far over twice their floor in every round').toEqual([]);
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
    // The wait before retry 2 of 20 requests, divided by its floor (2 × RETRY_BASE_MS). With jitter these
    // spread over [1, 2); without it (or with one random factor for all), they bunch up at one value, a little above
    // it by what the machine adds. (Retry 2, not 1: both ends of that wait are timers, so the machine adds little.)
    const floor = retryBaseMs * 2;
    // How many lie within 7.5 % of their median: without jitter nearly all of them (a busy machine only pushes some
    // waits out, and an odd one out in either direction moves the median little). Relative to the median, so that a
    // wait on another schedule (the backoff rule's business) is judged the same: 15 or more of 20 waits drawn
    // uniformly from [w, 2w) within ±7.5 % of their median has a chance of about 1 in 300 000. A machine busy enough to
    // add more than 15 ms to most waits can spread even a fixed wait that far, so three rounds are measured and a
    // bunch in any of them means no jitter (a false alarm for real jitter: about 1 in 100 000).
    const rounds: string[] = [];
    for (let round = 1; round <= 3; round++) {
      const factors = (await waitsOfFailingRequests(20, 25)).flatMap((w) => (w[1] === undefined ? [] : [w[1] / floor]));
      expect(factors.length, 'requests that made a second retry').toBeGreaterThan(0);
      const median = [...factors].sort((a, b) => a - b)[Math.floor(factors.length / 2)]!;
      const bunched = factors.filter((f) => Math.abs(f - median) < 0.075 * median).length;
      rounds.push(
        `round ${round}: ${factors.map((f) => f.toFixed(2)).join(', ')} (${bunched} within 7.5 % of ${median.toFixed(2)})`,
      );
      expect(
        bunched,
        `waits before retry 2 ÷ ${floor} ms, how many within 7.5 % of their median; ${rounds.join('; ')}`,
      ).toBeLessThan(15);
    }
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
    // One call per 2 s (a second that a busy machine spends on the first request still leaves id's call refused):
    // it gets 429 with Retry-After: 1 or 2.
    t.control.setRateLimit(1, 2);
    await track(t, first); // spends the window (what it answers is not this rule's business)
    const res = await track(t, id, 10_000);
    const calls = dhlCallsFor(t, id);
    const statuses = `statuses DHL answered for ${id}: ${calls.map((c) => c.status).join(', ')}`;
    expect(calls[0]?.status, `${statuses}; the first should be the 429`).toBe(429);
    expect(calls.length, `${statuses}; a retry should follow the 429`).toBeGreaterThanOrEqual(2);
    expect(isFresh(res), `after waiting out Retry-After the retry gets through: ${res.said}`).toBe(true);
    const wait = span(calls[1]!).start - span(calls[0]!).end;
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
    const res = await track(t, id, 15_000);
    const calls = dhlCallsFor(t, id);
    expect(
      calls.map((c) => c.status),
      `calls DHL saw (${res.said})`,
    ).toEqual([429]);
    expect(
      res.ms,
      `ms until the answer after a 429 with Retry-After: ${windowSeconds - 1}+ s (${res.said})`,
    ).toBeLessThan(1500);
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
  "Any 4xx other than 404 and 429 (DHL's 400 for a malformed number) is answered 502 after one call",
  {
    rule: 'not-retried',
    points: 1,
    hint: 'A 400 or 401 means our request is wrong, not that DHL is down: one call, no retry, 502.',
  },
  async () => {
    const before = dhlCalls(t).length;
    const res = await track(t, 'AB_C12'); // DHL takes letters, digits and dashes only: it answers 400
    expect(res.status, res.said).toBe(502);
    expect(
      dhlCalls(t)
        .slice(before)
        .map((c) => c.status),
      'calls DHL saw',
    ).toEqual([400]);
  },
);
