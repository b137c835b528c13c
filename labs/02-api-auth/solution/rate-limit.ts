// A fixed-window rate limit per client: at most `max` requests per `windowMs`, counted from the client's first request
// in the window. In memory, so it holds for one instance; several instances would share a store such as Redis.
import type { MiddlewareHandler } from 'hono';
import { sendError, type AppEnv } from './http.ts';

// #region rate-limiter
export function createRateLimiter({ max, windowMs }: { max: number; windowMs: number }) {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return function take(clientId: string, now = Date.now()): { allowed: boolean; remaining: number; retryAfterSeconds: number } {
    let window = windows.get(clientId);
    if (!window || now - window.startedAt >= windowMs) {
      window = { startedAt: now, count: 0 };
      windows.set(clientId, window);
    }
    const resetInMs = window.startedAt + windowMs - now;
    if (window.count >= max) return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
    window.count += 1;
    return { allowed: true, remaining: max - window.count, retryAfterSeconds: 0 };
  };
}

/** Runs after authentication, so it counts per client (the token's subject, the partner key, the admin user). */
export function rateLimit(take: ReturnType<typeof createRateLimiter>, max: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { allowed, remaining, retryAfterSeconds } = take(c.get('clientId'));
    c.header('RateLimit-Limit', String(max));
    c.header('RateLimit-Remaining', String(remaining));
    if (!allowed) {
      c.header('Retry-After', String(retryAfterSeconds));
      return sendError(c, 429, 'rate_limited', `Too many requests; retry in ${retryAfterSeconds} s.`);
    }
    await next();
  };
}
// #endregion rate-limiter
