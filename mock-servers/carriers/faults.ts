import type { Chooser } from './shipments.ts';

/** The APIs faults are set for, each on its own: DHL tracking, the postal service, and DHL's shipping (booking) API. */
export const FAULT_APIS = ['dhl', 'postal', 'dhl-shipping'] as const;
export type FaultApi = (typeof FAULT_APIS)[number];

/** Failures a grader (or a student practising resilience) switches on for one API. */
export interface FaultSettings {
  /** Added to every response, in real milliseconds (not scaled: it is what a client's timeout sees). */
  latencyMs: number;
  /** Share of requests, 0..1, answered with `errorStatus`. */
  errorRate: number;
  /** The status of injected errors. */
  errorStatus: 500 | 503;
  /** The next N requests fail with `errorStatus`, then the API recovers. */
  failNext: number;
  /** The next N requests never answer (until the client gives up, the mock closes, or `maxHangMs` passes). */
  hangNext: number;
  /**
   * The next N requests are carried out (a parcel booked, a booking cancelled), then their answers are held back the
   * same way: the client cannot tell whether its request took effect. After `maxHangMs` the answer goes out late.
   */
  hangAfterNext: number;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 503,
  failNext: 0,
  hangNext: 0,
  hangAfterNext: 0,
};

export type FaultOutcome =
  | { kind: 'ok' }
  | { kind: 'error'; status: 500 | 503 }
  | { kind: 'hang' }
  | { kind: 'hang-after' };

export function createFaultBook(choose: Chooser) {
  const settings = new Map<FaultApi, FaultSettings>();
  const get = (api: FaultApi): FaultSettings => settings.get(api) ?? { ...NO_FAULTS };
  return {
    get,
    set(api: FaultApi, change: Partial<FaultSettings>): FaultSettings {
      const next = { ...get(api), ...change };
      settings.set(api, next);
      return next;
    },
    clear(api?: FaultApi): void {
      if (api) settings.delete(api);
      else settings.clear();
    },
    /** Decides what happens to one request, using up one-shot faults; hangs win over errors. */
    decide(api: FaultApi): FaultOutcome {
      const s = get(api);
      if (s.hangNext > 0) {
        settings.set(api, { ...s, hangNext: s.hangNext - 1 });
        return { kind: 'hang' };
      }
      if (s.hangAfterNext > 0) {
        settings.set(api, { ...s, hangAfterNext: s.hangAfterNext - 1 });
        return { kind: 'hang-after' };
      }
      if (s.failNext > 0) {
        settings.set(api, { ...s, failNext: s.failNext - 1 });
        return { kind: 'error', status: s.errorStatus };
      }
      if (s.errorRate > 0 && choose.unit() < s.errorRate) return { kind: 'error', status: s.errorStatus };
      return { kind: 'ok' };
    },
  };
}

export interface SeenRequest {
  at: string;
  api: FaultApi | 'control' | 'other';
  method: string;
  path: string;
  /** The query string as sent, with its `?` (`''` when there was none). */
  query: string;
  /**
   * The request's headers, names in lower case, so a test can see what a client sent (`traceparent`, `user-agent`,
   * `idempotency-key`, …); credentials (`dhl-api-key`, `authorization`) are recorded as `[redacted]`.
   */
  headers: Record<string, string>;
  status: number;
  durationMs: number;
  /** The injected fault, if any. */
  fault?: 'error' | 'hang' | 'hang-after' | 'rate-limited';
}

/** The last `max` requests, newest last. Bounded so a long-running mock cannot grow without end. */
export function createRequestLog(max = 1000) {
  let entries: SeenRequest[] = [];
  return {
    add(entry: SeenRequest): void {
      entries.push(entry);
      if (entries.length > max) entries = entries.slice(-max);
    },
    list: (api?: SeenRequest['api']): SeenRequest[] => (api ? entries.filter((e) => e.api === api) : [...entries]),
    clear(): void {
      entries = [];
    },
  };
}

/** DHL's published default for its Unified Tracking API: 1 call per second and 250 calls per day per key. */
export const DHL_PUBLISHED_RATE_LIMIT = { limit: 1, windowMs: 1000, perDay: 250 } as const;

const DAY_MS = 86_400_000;

/**
 * A fixed-window limit per API key: `limit` requests per `windowMs` (real time) and, when `perDay` is set, that many
 * requests per day as well (a fixed window of 24 h from the key's first request). A request the short window refuses
 * does not count against the day.
 */
export function createRateLimiter(
  initial: { limit: number; windowMs: number; perDay?: number },
  now: () => number = Date.now,
) {
  let config = { ...initial };
  const windows = new Map<string, { startedAt: number; count: number }>();
  const days = new Map<string, { startedAt: number; count: number }>();
  const windowOf = (map: typeof windows, key: string, t: number, length: number) => {
    let w = map.get(key);
    if (!w || t - w.startedAt >= length) {
      w = { startedAt: t, count: 0 };
      map.set(key, w);
    }
    return w;
  };
  return {
    config: () => ({ ...config }),
    configure(next: { limit: number; windowMs: number; perDay?: number }): void {
      config = { ...next };
      windows.clear();
      days.clear();
    },
    /**
     * Counts one request; says whether it is allowed, the limit and remaining count of the window that decides, and
     * how long until that window resets.
     */
    take(key: string): { allowed: boolean; limit: number; remaining: number; resetInMs: number } {
      const t = now();
      const w = windowOf(windows, key, t, config.windowMs);
      w.count += 1;
      const short = {
        allowed: w.count <= config.limit,
        limit: config.limit,
        remaining: Math.max(0, config.limit - w.count),
        resetInMs: w.startedAt + config.windowMs - t,
      };
      if (config.perDay === undefined || !short.allowed) return short;
      const d = windowOf(days, key, t, DAY_MS);
      d.count += 1;
      const daily = {
        allowed: d.count <= config.perDay,
        limit: config.perDay,
        remaining: Math.max(0, config.perDay - d.count),
        resetInMs: d.startedAt + DAY_MS - t,
      };
      return daily.allowed && daily.remaining >= short.remaining ? short : daily;
    },
    reset(): void {
      windows.clear();
      days.clear();
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
