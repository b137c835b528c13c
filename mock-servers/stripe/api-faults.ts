import type { Context, MiddlewareHandler } from 'hono';
import { pause } from '../shared/index.ts';
import type { ErrorDetail } from '../shared/index.ts';

/*
 * Failures of Stripe's own API (not of webhook deliveries, which the engine's faults cover), for clients that must
 * survive them: `error` answers 500 `api_error` before anything happens, as during an incident, so a retry with the
 * same Idempotency-Key is safe; `hang_after` carries the request out (a charge made, a refund issued) and then holds
 * the answer back, so the client cannot tell whether it took effect and must ask again with the same key.
 */

export const API_FAULT_MODES = ['error', 'hang_after'] as const;
export type ApiFaultMode = (typeof API_FAULT_MODES)[number];

export interface ApiFault {
  id: string;
  mode: ApiFaultMode;
  /** Only requests whose path starts with this, e.g. `/v1/refunds`; every `/v1/` request without it. */
  path: string | null;
  /** Only requests of this method (`POST` unless said otherwise: reads are not what a client retries unsure). */
  method: string;
  /** How many more requests it takes. */
  remaining: number;
}

export function createApiFaults(nextId: () => string) {
  let rules: ApiFault[] = [];
  return {
    list: (): ApiFault[] => rules.map((r) => ({ ...r })),
    /** Checks and adds a rule; answers the problems instead when the input is not one. */
    add(input: Record<string, unknown>): { rule: ApiFault } | { errors: ErrorDetail[] } {
      const errors: ErrorDetail[] = [];
      const { mode, path, count = 1, method = 'POST' } = input;
      if (!API_FAULT_MODES.includes(mode as ApiFaultMode))
        errors.push({ field: 'mode', message: `must be one of ${API_FAULT_MODES.join(', ')}` });
      if (path !== undefined && (typeof path !== 'string' || !/^\/v1\/[a-z_/]*$/.test(path)))
        errors.push({ field: 'path', message: 'must be a path under /v1/, e.g. /v1/refunds' });
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000)
        errors.push({ field: 'count', message: 'must be a whole number from 1 to 1000' });
      if (!['GET', 'POST', 'DELETE'].includes(method as string))
        errors.push({ field: 'method', message: 'must be GET, POST or DELETE' });
      if (errors.length > 0) return { errors };
      const rule: ApiFault = {
        id: nextId(),
        mode: mode as ApiFaultMode,
        path: (path as string | undefined) ?? null,
        method: method as string,
        remaining: count as number,
      };
      rules.push(rule);
      return { rule: { ...rule } };
    },
    clear(): void {
      rules = [];
    },
    /** The rule a request meets, used up by one; undefined for most requests. */
    take(method: string, path: string): ApiFaultMode | undefined {
      const rule = rules.find((r) => r.method === method && (r.path === null || path.startsWith(r.path)));
      if (!rule) return undefined;
      rule.remaining -= 1;
      if (rule.remaining === 0) rules = rules.filter((r) => r !== rule);
      return rule.mode;
    },
  };
}
export type ApiFaults = ReturnType<typeof createApiFaults>;

/**
 * The middleware that applies them, outside authentication and idempotency: an `error` is answered before either;
 * a held answer is held after the request was recorded under its key, so a retry with that key replays it at once.
 */
export function applyApiFaults(
  faults: ApiFaults,
  options: { maxHangMs: number; closing: AbortSignal; fail: (c: Context) => Response },
): MiddlewareHandler {
  return async (c, next) => {
    const mode = faults.take(c.req.method, c.req.path);
    if (mode === 'error') return options.fail(c);
    await next();
    if (mode === 'hang_after' && !(await pause(options.maxHangMs, c.req.raw.signal, options.closing))) {
      // The client hung up (or the mock is closing): nobody reads this answer.
      c.res = new Response(null, { status: 499 });
    }
  };
}
