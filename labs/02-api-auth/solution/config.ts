// Everything secret or deployment-specific comes from the environment, never from the code.
export interface Config {
  port: number;
  /** Accepted X-API-Key values (PARTNER_API_KEYS, comma-separated). */
  partnerApiKeys: string[];
  admin: { user: string; password: string };
  oauth: { issuer: string; audience: string; jwksUri: string };
  rateLimit: { max: number; windowMs: number };
}

/** Reads the configuration; every problem is reported at once, and the service refuses to start without it. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) problems.push(`${name} must be a positive integer (got "${raw}")`);
    return n;
  };
  const issuer = text('OAUTH_ISSUER').replace(/\/+$/, '');
  const config: Config = {
    port: Number(env.PORT ?? 3000),
    partnerApiKeys: text('PARTNER_API_KEYS').split(',').map((k) => k.trim()).filter((k) => k !== ''),
    admin: { user: text('ADMIN_USER'), password: text('ADMIN_PASSWORD') },
    oauth: {
      issuer,
      audience: text('OAUTH_AUDIENCE'),
      // Real issuers publish jwks_uri in their metadata; this is where the course's OAuth mock serves it.
      jwksUri: env.OAUTH_JWKS_URI?.trim() || `${issuer}/.well-known/jwks.json`,
    },
    rateLimit: { max: positive('RATE_LIMIT_MAX', 100), windowMs: positive('RATE_LIMIT_WINDOW_MS', 60_000) },
  };
  if (problems.length) throw new Error(`configuration: ${problems.join('; ')}`);
  return config;
}
