import { createHmac, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { generateRsaKey, type KeyStore, type RsaKey } from './keys.ts';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  nbf?: number;
  jti: string;
  client_id: string;
  scope: string;
  roles: string[];
  [extra: string]: unknown;
}

/** Signs claims the way the issuer signs every real token: RS256 with the current key's kid, or HS256. */
export function signAccessToken(keys: KeyStore, claims: AccessTokenClaims): string {
  if (keys.mode === 'HS256') {
    return jwt.sign(claims, keys.hmacSecret(), { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } });
  }
  const key = keys.currentRsaKey();
  return jwt.sign(claims, key.privateKey, {
    algorithm: 'RS256',
    header: { alg: 'RS256', typ: 'at+jwt', kid: key.kid },
  });
}

/**
 * Tokens graders throw at student code. Each one is wrong in exactly one way, so a test that accepts it names the
 * check the student forgot.
 */
export const TEST_TOKEN_VARIANTS = [
  'valid',
  'expired',
  'not-yet-valid',
  'wrong-audience',
  'wrong-issuer',
  'alg-none',
  'hs256-public-key',
  'unknown-key',
  'tampered',
] as const;
export type TestTokenVariant = (typeof TEST_TOKEN_VARIANTS)[number];

export function isTestTokenVariant(v: unknown): v is TestTokenVariant {
  return typeof v === 'string' && (TEST_TOKEN_VARIANTS as readonly string[]).includes(v);
}

export function newClaims(input: {
  issuer: string;
  audience: string;
  subject: string;
  scope: string[];
  roles: string[];
  ttlSeconds: number;
  now?: number;
}): AccessTokenClaims {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  return {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    iat,
    exp: iat + input.ttlSeconds,
    jti: randomUUID(),
    client_id: input.subject,
    scope: input.scope.join(' '),
    roles: input.roles,
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

// A throwaway key that is never published: tokens it signs look right but match no key in the JWKS.
let strangerKey: RsaKey | undefined;

/** Builds a test token of the given variant from otherwise valid claims. */
export function mintTestToken(keys: KeyStore, variant: TestTokenVariant, claims: AccessTokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  switch (variant) {
    case 'valid':
      return signAccessToken(keys, claims);
    case 'expired':
      return signAccessToken(keys, { ...claims, iat: now - 7200, exp: now - 3600 });
    case 'not-yet-valid':
      return signAccessToken(keys, { ...claims, nbf: now + 3600, exp: now + 7200 });
    case 'wrong-audience':
      return signAccessToken(keys, { ...claims, aud: 'https://some-other-api.example' });
    case 'wrong-issuer':
      return signAccessToken(keys, { ...claims, iss: 'https://evil-issuer.example' });
    case 'alg-none':
      // An unsigned JWT (RFC 7519 §6): empty signature. Built by hand because no honest library should emit it.
      return `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(claims)}.`;
    case 'hs256-public-key': {
      // The algorithm-confusion forgery: HMAC-SHA256 keyed with the issuer's *public* key PEM, which anyone can
      // download. A verifier that lets the token's `alg` pick the algorithm and passes the PEM as "the key" accepts it.
      if (keys.mode !== 'RS256') throw new RangeError('hs256-public-key needs an RS256 issuer');
      const key = keys.currentRsaKey();
      const signingInput = `${b64url({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${b64url(claims)}`;
      const signature = createHmac('sha256', key.publicPem).update(signingInput).digest('base64url');
      return `${signingInput}.${signature}`;
    }
    case 'unknown-key': {
      strangerKey ??= generateRsaKey();
      return jwt.sign(claims, strangerKey.privateKey, {
        algorithm: 'RS256',
        header: { alg: 'RS256', typ: 'at+jwt', kid: strangerKey.kid },
      });
    }
    case 'tampered': {
      // A genuine signature over different claims: the payload was edited afterwards to grant an admin role.
      const [header, , signature] = signAccessToken(keys, claims).split('.');
      return `${header}.${b64url({ ...claims, roles: [...claims.roles, 'admin'] })}.${signature}`;
    }
  }
}
