// The resilience patterns of lesson 06 on an order service that asks an inventory service for stock: a timeout, retries
// with full-jitter backoff, a circuit breaker and a bulkhead, stacked around one call. It is a sketch for the lesson
// (Lab 09 asks for its own, stricter variants: another jitter range, one probe while half-open); the course's tests
// run it in-process against a stand-in inventory.

// #region timeout
export async function getStock(
  inventoryUrl: string,
  sku: string,
  timeoutMs = 800,
): Promise<{ sku: string; available: number }> {
  const res = await fetch(`${inventoryUrl}/stock/${encodeURIComponent(sku)}`, {
    // The whole exchange, headers and body, must finish within timeoutMs.
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new HttpError(res.status, retryAfterMs(res.headers.get('retry-after')));
  return (await res.json()) as { sku: string; available: number };
}
// #endregion timeout

// #region retry
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export class HttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, retryAfterMs?: number) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Retry-After holds seconds or an HTTP date. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof HttpError) return RETRYABLE_STATUS.has(err.status);
  // AbortSignal.timeout rejects with TimeoutError; network failures in fetch are TypeErrors.
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'TypeError');
}

export interface RetryOptions {
  attempts: number; // total tries, including the first
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter: a random wait between 0 and min(maxDelayMs, baseDelayMs * 2^retry). */
export function backoffDelay(retry: number, { baseDelayMs, maxDelayMs }: RetryOptions): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= options.attempts || !isRetryable(err)) throw err;
      const hinted = err instanceof HttpError ? err.retryAfterMs : undefined;
      await new Promise((resolve) => setTimeout(resolve, hinted ?? backoffDelay(attempt - 1, options)));
    }
  }
}
// #endregion retry

// #region breaker
type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitOpenError extends Error {
  constructor() {
    super('circuit open: failing fast');
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  readonly #failureThreshold: number;
  readonly #resetAfterMs: number;

  constructor(options: { failureThreshold: number; resetAfterMs: number }) {
    this.#failureThreshold = options.failureThreshold;
    this.#resetAfterMs = options.resetAfterMs;
  }

  get state(): BreakerState {
    return this.#state;
  }

  async call<T>(action: () => Promise<T>): Promise<T> {
    if (this.#state === 'open') {
      if (Date.now() - this.#openedAt < this.#resetAfterMs) throw new CircuitOpenError();
      this.#state = 'half-open'; // the open period is over: let a trial call through
    }
    try {
      const result = await action();
      this.#state = 'closed';
      this.#failures = 0;
      return result;
    } catch (err) {
      this.#failures++;
      if (this.#state === 'half-open' || this.#failures >= this.#failureThreshold) {
        this.#state = 'open';
        this.#openedAt = Date.now();
      }
      throw err;
    }
  }
}
// #endregion breaker

// #region bulkhead
export class Bulkhead {
  #active = 0;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async run<T>(action: () => Promise<T>): Promise<T> {
    // Reject instead of queueing: a full bulkhead means the dependency is already slow.
    if (this.#active >= this.#limit) throw new Error('bulkhead full');
    this.#active++;
    try {
      return await action();
    } finally {
      this.#active--;
    }
  }
}
// #endregion bulkhead

// #region stack
/** One guard per dependency: bulkhead outside, then the breaker, then the retries, each attempt with its timeout. */
export function inventoryClient(
  inventoryUrl: string,
  options: { concurrency: number; retry: RetryOptions; breaker: { failureThreshold: number; resetAfterMs: number } },
) {
  const bulkhead = new Bulkhead(options.concurrency);
  const breaker = new CircuitBreaker(options.breaker);
  return {
    breaker,
    stock: (sku: string) =>
      bulkhead.run(() => breaker.call(() => withRetry(() => getStock(inventoryUrl, sku), options.retry))),
  };
}
// #endregion stack
