import { createHash, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';

export type SigningMode = 'RS256' | 'HS256';

export interface RsaKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as SPKI PEM: what an algorithm-confusion attacker feeds to HMAC. */
  publicPem: string;
  jwk: JsonWebKey;
  /** Set when a rotation retires the key; it stays in the JWKS until `retiredAt + retainMs`. */
  retiredAt?: number;
}

export function generateRsaKey(): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    // The RFC 7638 thumbprint: a kid that names the key itself, so it never collides after rotation.
    kid: jwkThumbprint(jwk),
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk,
  };
}

function jwkThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

function newHmacSecret(seed: string | undefined, generation: number): string {
  if (seed === undefined) return randomBytes(32).toString('base64url');
  return createHash('sha256').update(`oauth-hs256:${seed}:${generation}`).digest('base64url');
}

/**
 * The issuer's signing material: in RS256 mode a current RSA key plus recently retired ones (still published so that
 * tokens signed before a rotation keep verifying); in HS256 mode one shared secret.
 */
export function createKeyStore(options: { mode: SigningMode; retainMs: number; seed?: string }) {
  const { mode, retainMs, seed } = options;
  let current = mode === 'RS256' ? generateRsaKey() : undefined;
  let retired: RsaKey[] = [];
  let secretGeneration = 0;
  let hmacSecret = mode === 'HS256' ? newHmacSecret(seed, secretGeneration) : undefined;

  function pruneRetired(now: number): void {
    retired = retired.filter((k) => (k.retiredAt ?? now) + retainMs > now);
  }

  return {
    mode,
    currentRsaKey(): RsaKey {
      if (!current) throw new Error('RSA keys exist only in RS256 mode');
      return current;
    },
    hmacSecret(): string {
      if (hmacSecret === undefined) throw new Error('the shared secret exists only in HS256 mode');
      return hmacSecret;
    },
    /** Public keys as a JWKS document (empty in HS256 mode: a shared secret is never published). */
    jwks(now = Date.now()): { keys: JsonWebKey[] } {
      pruneRetired(now);
      const published = current ? [current, ...retired] : [];
      return { keys: published.map((k) => ({ ...k.jwk, kid: k.kid, alg: 'RS256', use: 'sig' })) };
    },
    /** Replaces the signing key; the old RSA key stays in the JWKS for `retainMs` unless `keepPrevious` is false. */
    rotate(keepPrevious = true): { kid?: string; previousKid?: string } {
      if (mode === 'HS256') {
        secretGeneration += 1;
        hmacSecret = newHmacSecret(seed, secretGeneration);
        return {};
      }
      const previous = current;
      current = generateRsaKey();
      // Retired from the moment the new key exists (generating it can take a while on a busy machine).
      if (previous && keepPrevious) retired.unshift({ ...previous, retiredAt: Date.now() });
      return { kid: current.kid, previousKid: previous?.kid };
    },
    /** Drops retired keys (the current key stays, so tokens already handed out by the running mock still verify). */
    reset(): void {
      retired = [];
    },
    describe(now = Date.now()) {
      pruneRetired(now);
      return mode === 'RS256'
        ? {
            mode,
            currentKid: current?.kid,
            retiredKids: retired.map((k) => ({ kid: k.kid, retiredAt: new Date(k.retiredAt ?? now).toISOString() })),
          }
        : { mode, secret: hmacSecret };
    },
  };
}

export type KeyStore = ReturnType<typeof createKeyStore>;
