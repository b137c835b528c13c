// Three ways to prove who you are: an API key (partners), HTTP Basic (the admin) and an OAuth 2.0 bearer JWT
// (applications), plus per-route scopes. Every failure is answered with the error envelope and the right challenge.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { sendError, type AppEnv } from './http.ts';

// #region safe-equal
/**
 * Compares two secrets in constant time. `===` stops at the first differing character, which leaks through timing how
 * much of a guess was right. timingSafeEqual needs equal lengths (it throws otherwise), so compare SHA-256 digests:
 * always 32 bytes, and they hide the real secret's length too.
 */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
// #endregion safe-equal

// #region api-key
/** X-API-Key for partners: any of the configured keys. The client id is the key's position, never the key itself. */
export function apiKeyAuth(keys: readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = c.req.header('X-API-Key');
    let match = -1;
    // Check every key, with no early exit, so the time taken does not tell which key (if any) was close.
    keys.forEach((key, index) => {
      if (presented !== undefined && safeEqual(presented, key)) match = index;
    });
    if (match < 0) {
      return sendError(c, 401, 'invalid_api_key', presented === undefined ? 'Send your API key in the X-API-Key header.' : 'The API key is not valid.');
    }
    c.set('clientId', `partner:${match + 1}`);
    await next();
  };
}
// #endregion api-key

// #region basic-auth
/** HTTP Basic for the admin. A 401 must say which scheme to use: WWW-Authenticate: Basic realm="…". */
export function basicAuth(expected: { user: string; password: string }, realm: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(c.req.header('Authorization') ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':'); // the password may contain ':', the user name may not
    const user = colon < 0 ? '' : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    // Both comparisons always run, so a wrong user name is not rejected faster than a wrong password.
    const userOk = safeEqual(user, expected.user);
    const passwordOk = safeEqual(password, expected.password);
    if (colon < 0 || !userOk || !passwordOk) {
      c.header('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      return sendError(c, 401, 'unauthenticated', 'Valid admin credentials are required (HTTP Basic).');
    }
    c.set('clientId', `admin:${user}`);
    await next();
  };
}
// #endregion basic-auth

// #region jwt-verifier
export type AccessClaims = jwt.JwtPayload & { scope?: string };

/** A token that is wrong (as opposed to an issuer we cannot reach): the caller gets 401. */
export class InvalidTokenError extends Error {}

/**
 * Verifies access tokens from the OAuth server: signature against the issuer's published keys (JWKS), RS256 only, and
 * the iss, aud, exp and nbf claims.
 */
export function createJwtVerifier(options: { jwksUri: string; issuer: string; audience: string }) {
  // jwks-rsa caches keys and refetches the JWKS when a token names a kid it has not seen (key rotation).
  const keys = jwksRsa({ jwksUri: options.jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5000 });
  return async function verifyAccessToken(token: string): Promise<AccessClaims> {
    // decode() checks nothing: it is used only to read which key the token claims to be signed with.
    const kid = jwt.decode(token, { complete: true })?.header.kid;
    if (!kid) throw new InvalidTokenError('the token has no key id (kid)');
    let publicKey: string;
    try {
      publicKey = (await keys.getSigningKey(kid)).getPublicKey();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'SigningKeyNotFoundError' || name === 'JwksRateLimitError') throw new InvalidTokenError('the token was signed by an unknown key');
      throw error; // the issuer is unreachable: not the caller's fault
    }
    try {
      // Pin the algorithm: the token's own header must never choose how it is checked (alg: none, HS256 with the
      // public key as the HMAC secret).
      const claims = jwt.verify(token, publicKey, {
        algorithms: ['RS256'],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: 5,
      });
      if (typeof claims === 'string') throw new InvalidTokenError('the token payload is not a JSON object');
      return claims;
    } catch (error) {
      if (error instanceof jwt.JsonWebTokenError) throw new InvalidTokenError(error.message);
      throw error;
    }
  };
}
// #endregion jwt-verifier

// #region require-bearer
const REALM = 'orders';

/**
 * 401 when there is no valid token ("who are you?"), with the RFC 6750 challenge. The verified token's subject becomes
 * the client id and its scopes are kept for requireScope.
 */
export function requireBearer(verify: (token: string) => Promise<AccessClaims>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = /^Bearer +(\S+)$/i.exec(c.req.header('Authorization') ?? '');
    if (!match?.[1]) {
      c.header('WWW-Authenticate', `Bearer realm="${REALM}"`);
      return sendError(c, 401, 'unauthenticated', 'Send an access token: Authorization: Bearer <token>.');
    }
    let claims: AccessClaims;
    try {
      claims = await verify(match[1]);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) {
        console.error('token verification failed:', error);
        return sendError(c, 503, 'auth_unavailable', 'Tokens cannot be checked right now; try again shortly.');
      }
      c.header('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token", error_description="${error.message.replaceAll('"', "'")}"`);
      return sendError(c, 401, 'invalid_token', `The access token is not valid: ${error.message}.`);
    }
    c.set('clientId', `token:${claims.sub ?? 'unknown'}`);
    c.set('scopes', (claims.scope ?? '').split(' ').filter((s) => s !== ''));
    await next();
  };
}
// #endregion require-bearer

// #region require-scope
/** 403 when the token is fine but does not allow this ("I know who you are, and no"). */
export function requireScope(needed: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get('scopes').includes(needed)) {
      c.header('WWW-Authenticate', `Bearer realm="${REALM}", error="insufficient_scope", scope="${needed}"`);
      return sendError(c, 403, 'insufficient_scope', `This needs the ${needed} scope.`);
    }
    await next();
  };
}
// #endregion require-scope
