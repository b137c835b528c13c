// A parcel-tracking API for the security lesson: couriers post scans with an API key, the operations team reads a
// dashboard with HTTP Basic, and shop applications read parcels with OAuth 2.0 bearer tokens. It shows the lesson's
// techniques on another service than Lab 02's orders. `createTrackingApp` takes its configuration as arguments, so the
// course's tests run it in-process with keys they generate.
import {
  createHmac,
  createPublicKey,
  randomBytes,
  timingSafeEqual,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import jwt from 'jsonwebtoken';

type Env = { Variables: { clientId: string; scopes: string[] } };

function sendError(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json(
    {
      error: {
        code,
        message,
        details: [],
        request_id: `req_${crypto.randomUUID()}`,
        timestamp: new Date().toISOString(),
      },
    },
    status,
  );
}

// #region safe-equal
// An HMAC under a key made at start-up turns any two strings into 32 bytes each: timingSafeEqual (which throws on
// buffers of different lengths) can then compare them, and the time taken says nothing about the secret's length.
const compareKey = randomBytes(32);
const mac = (s: string) => createHmac('sha256', compareKey).update(s, 'utf8').digest();
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(mac(given), mac(expected));
// #endregion safe-equal

// #region api-key
/** Couriers send X-Courier-Key; `keys` maps a courier's name to its key, e.g. { dhl: '…', ups: '…' }. */
export function courierKey(keys: Record<string, string>): MiddlewareHandler<Env> {
  return async (c, next) => {
    const given = c.req.header('X-Courier-Key') ?? '';
    let courier: string | undefined;
    // Every key is compared, even after a match, so the time taken does not tell which courier's key was close.
    for (const [name, key] of Object.entries(keys)) if (sameSecret(given, key)) courier = name;
    if (given === '' || courier === undefined)
      return sendError(c, 401, 'invalid_courier_key', 'Send a valid key in X-Courier-Key.');
    c.set('clientId', `courier:${courier}`); // a name for logs and limits, never the key itself
    await next();
  };
}
// #endregion api-key

// #region basic-auth
/** The user and password of an `Authorization: Basic …` header, or undefined when it is not one. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^basic +([a-z0-9+/]+={0,2})$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':'); // the first colon: a password may contain more of them
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function opsLogin(expected: { user: string; password: string }): MiddlewareHandler<Env> {
  return async (c, next) => {
    const given = parseBasic(c.req.header('Authorization')) ?? { user: '', password: '' };
    const userOk = sameSecret(given.user, expected.user); // both compared, whatever the first one says
    const passwordOk = sameSecret(given.password, expected.password);
    if (!userOk || !passwordOk || given.user === '') {
      c.header('WWW-Authenticate', 'Basic realm="tracking ops", charset="UTF-8"');
      return sendError(c, 401, 'unauthenticated', 'Log in with the operations account.');
    }
    c.set('clientId', `ops:${given.user}`);
    await next();
  };
}
// #endregion basic-auth

// #region jwt-verifier
export class BadToken extends Error {}
type Jwks = { keys: (JsonWebKey & { kid?: string })[] };

/**
 * Verifies RS256 access tokens against the issuer's JWKS, kept in memory. A kid it does not know makes it fetch the
 * set again (that is how a rotated key arrives), at most once every `refetchAfterMs`, so made-up kids cannot flood
 * the issuer.
 */
export function jwksVerifier(options: {
  fetchJwks: () => Promise<Jwks>;
  issuer: string;
  audience: string;
  refetchAfterMs?: number;
}) {
  let keys = new Map<string, KeyObject>();
  let fetchedAt = -Infinity;
  async function keyFor(kid: string): Promise<KeyObject> {
    const known = keys.get(kid);
    if (known) return known;
    if (Date.now() - fetchedAt < (options.refetchAfterMs ?? 10_000)) throw new BadToken(`unknown key ${kid}`);
    fetchedAt = Date.now();
    const set = await options.fetchJwks(); // throws when the issuer is down: not the caller's fault
    keys = new Map(set.keys.filter((k) => k.kid).map((k) => [k.kid!, createPublicKey({ key: k, format: 'jwk' })]));
    const fresh = keys.get(kid);
    if (!fresh) throw new BadToken(`unknown key ${kid}`);
    return fresh;
  }
  return async (token: string): Promise<jwt.JwtPayload> => {
    const kid = jwt.decode(token, { complete: true })?.header.kid; // decode() verifies nothing: it only reads kid
    if (!kid) throw new BadToken('no kid in the token header');
    const key = await keyFor(kid);
    try {
      // The algorithm is pinned here, never taken from the token: alg "none" and HS256 forgeries fail.
      const claims = jwt.verify(token, key, {
        algorithms: ['RS256'],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: 5,
      });
      if (typeof claims === 'string') throw new BadToken('the payload is not an object');
      return claims;
    } catch (error) {
      throw error instanceof jwt.JsonWebTokenError ? new BadToken(error.message) : error;
    }
  };
}
// #endregion jwt-verifier

// #region bearer
/** 401 with the RFC 6750 challenge when there is no valid token; 503 when tokens cannot be checked at all. */
export function bearer(verify: (token: string) => Promise<jwt.JwtPayload>): MiddlewareHandler<Env> {
  return async (c, next) => {
    const token = /^bearer +(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer realm="tracking"');
      return sendError(c, 401, 'unauthenticated', 'Send Authorization: Bearer <token>.');
    }
    try {
      const claims = await verify(token);
      c.set('clientId', `app:${claims.sub}`);
      c.set('scopes', typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
    } catch (error) {
      if (!(error instanceof BadToken))
        return sendError(c, 503, 'auth_unavailable', 'Tokens cannot be checked right now.');
      c.header(
        'WWW-Authenticate',
        `Bearer realm="tracking", error="invalid_token", error_description="${error.message.replaceAll('"', "'")}"`,
      );
      return sendError(c, 401, 'invalid_token', `The token is not valid: ${error.message}.`);
    }
    await next();
  };
}

/** 403 when the token is valid but lacks the scope; scope names are compared whole, never as substrings. */
export const needScope =
  (scope: string): MiddlewareHandler<Env> =>
  async (c, next) => {
    if (!c.get('scopes').includes(scope)) {
      c.header('WWW-Authenticate', `Bearer realm="tracking", error="insufficient_scope", scope="${scope}"`);
      return sendError(c, 403, 'insufficient_scope', `This needs the ${scope} scope.`);
    }
    await next();
  };
// #endregion bearer

// #region rate-limiter
/**
 * A sliding-window log: remember when each of a client's last requests came, and allow one more only while fewer than
 * `max` of them fall within the last `windowMs`. Smoother than a fixed window, at the cost of up to `max`
 * timestamps per client.
 */
export function slidingWindow({ max, windowMs }: { max: number; windowMs: number }) {
  const log = new Map<string, number[]>();
  return (clientId: string, now = Date.now()) => {
    const recent = (log.get(clientId) ?? []).filter((t) => t > now - windowMs);
    log.set(clientId, recent);
    if (recent.length >= max) {
      // Free again once the oldest request in the window has slid out of it.
      return {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + windowMs - now) / 1000)),
      };
    }
    recent.push(now);
    return { allowed: true, remaining: max - recent.length, retryAfterSeconds: 0 };
  };
}

/** Counts per authenticated client, so it runs after the authentication middleware. */
export function limit(take: ReturnType<typeof slidingWindow>): MiddlewareHandler<Env> {
  return async (c, next) => {
    const verdict = take(c.get('clientId'));
    c.header('RateLimit-Remaining', String(verdict.remaining));
    if (!verdict.allowed) {
      c.header('Retry-After', String(verdict.retryAfterSeconds));
      return sendError(c, 429, 'rate_limited', `Slow down; retry in ${verdict.retryAfterSeconds} s.`);
    }
    await next();
  };
}
// #endregion rate-limiter

export interface TrackingConfig {
  courierKeys: Record<string, string>;
  ops: { user: string; password: string };
  verify: (token: string) => Promise<jwt.JwtPayload>;
  rateLimit: { max: number; windowMs: number };
}

export function createTrackingApp(config: TrackingConfig) {
  const app = new Hono<Env>();
  const scans = new Map<string, { parcel: string; status: string; at: string }[]>();

  // #region wiring
  const limited = limit(slidingWindow(config.rateLimit));
  app.use('/v1/scans', courierKey(config.courierKeys), limited); // couriers: an API key
  app.use('/v1/ops/*', opsLogin(config.ops), limited); // the operations team: HTTP Basic
  app.use('/v1/parcels/*', bearer(config.verify), limited); // shop applications: OAuth 2.0 tokens

  // Each route names its own scope, right next to its handler.
  app.get('/v1/parcels/:id', needScope('parcels:read'), (c) => {
    const history = scans.get(c.req.param('id'));
    return history ? c.json({ id: c.req.param('id'), history }) : sendError(c, 404, 'not_found', 'No such parcel.');
  });
  app.delete('/v1/parcels/:id', needScope('parcels:admin'), (c) => {
    return scans.delete(c.req.param('id')) ? c.body(null, 204) : sendError(c, 404, 'not_found', 'No such parcel.');
  });
  // #endregion wiring

  app.post('/v1/scans', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { parcel?: unknown; status?: unknown };
    if (typeof body.parcel !== 'string' || typeof body.status !== 'string')
      return sendError(c, 400, 'validation_failed', 'Send parcel and status.');
    const history = scans.get(body.parcel) ?? [];
    history.push({ parcel: body.parcel, status: body.status, at: new Date().toISOString() });
    scans.set(body.parcel, history);
    return c.json({ recorded: true, by: c.get('clientId') }, 201);
  });
  app.get('/v1/ops/summary', (c) => c.json({ parcels: scans.size }));
  return app;
}
