// The guard around every call to one carrier: a bulkhead, a circuit breaker, retries with backoff and a timeout per
// attempt, stacked in that order (outermost first).
import type { ResilienceConfig } from './config.ts';
import { CarrierError } from './dhl.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** The guard refused to call: the circuit is open (or a probe is already out), or the bulkhead is full. */
export class NotCalled extends Error {
  readonly reason: 'circuit-open' | 'bulkhead-full';
  constructor(reason: 'circuit-open' | 'bulkhead-full') {
    super(reason === 'circuit-open' ? 'the circuit is open: the carrier is not called' : 'too many calls to the carrier in flight');
    this.name = 'NotCalled';
    this.reason = reason;
  }
}

// #region retryable
/** Worth another try: no answer at all (timeout, reset, refused), a 5xx, or 429. Any other 4xx will not change. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof CarrierError)) return false;
  if (error.status === undefined) return true;
  return error.status === 429 || error.status >= 500;
}
// #endregion retryable

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createCarrierGuard(settings: ResilienceConfig) {
  let inFlight = 0;
  let state: BreakerState = 'closed';
  let failures = 0; // failed requests in a row
  let openedAt = 0;

  // #region retries
  /** Up to retryMax + 1 attempts, each with its own timeout; waits grow exponentially, with jitter. */
  async function withRetries<T>(attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(AbortSignal.timeout(settings.timeoutMs)); // a fresh deadline for every attempt
      } catch (error) {
        if (!isRetryable(error) || retry >= settings.retryMax) throw error;
        const backoff = settings.retryBaseMs * 2 ** retry * (1 + Math.random());
        const hinted = (error as CarrierError).retryAfterMs;
        if (hinted !== undefined && hinted > settings.retryAfterMaxMs) throw error; // not worth waiting that long
        await sleep(Math.max(backoff, hinted ?? 0));
      }
    }
  }
  // #endregion retries

  // #region breaker
  /** Counts failed requests (all attempts spent); opens after breakerThreshold in a row; one probe when half-open. */
  async function throughBreaker<T>(call: () => Promise<T>): Promise<T> {
    if (state === 'half-open') throw new NotCalled('circuit-open'); // the probe is out: wait for its outcome
    if (state === 'open') {
      if (Date.now() - openedAt < settings.breakerCooldownMs) throw new NotCalled('circuit-open');
      state = 'half-open'; // this request is the probe
    }
    try {
      const result = await call();
      state = 'closed';
      failures = 0;
      return result;
    } catch (error) {
      if (!isRetryable(error)) {
        // The carrier answered (e.g. 404): it is up, whatever the answer.
        state = 'closed';
        failures = 0;
      } else {
        failures++;
        if (state === 'half-open' || failures >= settings.breakerThreshold) {
          state = 'open';
          openedAt = Date.now();
        }
      }
      throw error;
    }
  }
  // #endregion breaker

  return {
    get state(): BreakerState {
      return state;
    },
    // #region bulkhead
    /** At most bulkheadMax calls in flight; the next is refused at once instead of queueing behind a slow carrier. */
    async call<T>(attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
      if (inFlight >= settings.bulkheadMax) throw new NotCalled('bulkhead-full');
      inFlight++;
      try {
        return await throughBreaker(() => withRetries(attempt));
      } finally {
        inFlight--;
      }
    },
    // #endregion bulkhead
  };
}
