import { Hono } from 'hono';
import { limitBody } from '../shared/index.ts';
import type { KeyStore } from './keys.ts';
import { checkTokenRequest, oauthError, type OAuthClient } from './token-endpoint.ts';
import { newClaims, signAccessToken } from './tokens.ts';

/** What the route modules and the control routes get from `createOAuthMock` (one object, built once per mock). */
export interface OAuthRoutesContext {
  keys: KeyStore;
  /** The registered clients by id; `reset` replaces the map, so read it on every request. */
  clients(): Map<string, OAuthClient>;
  /** `iss` claim: `options.issuer`, or the base URL the mock listens on. */
  issuer(): string;
  /** The base URL the mock listens on, without a trailing slash. */
  baseUrl(): string;
  /** `aud` claim. */
  audience: string;
  /** Lifetime of issued tokens, in seconds. */
  ttl: number;
}

const MAX_BODY_BYTES = 16 * 1024;

/** `/oauth/token`: the client-credentials grant (RFC 6749 §4.4), RFC 6749 error JSON. Mounted at `/oauth`. */
export function tokenRoutes({ keys, clients, issuer, audience, ttl }: OAuthRoutesContext): Hono {
  const app = new Hono();
  app.post(
    '/token',
    limitBody(MAX_BODY_BYTES, (c) =>
      oauthError(c, 'invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 413),
    ),
    async (c) => {
      const grant = await checkTokenRequest(c, (id) => clients().get(id));
      if (grant instanceof Response) return grant;
      const claims = newClaims({
        issuer: issuer(),
        audience,
        subject: grant.client.id,
        scope: grant.scopes,
        roles: grant.client.roles ?? [],
        ttlSeconds: ttl,
      });
      c.header('Cache-Control', 'no-store');
      c.header('Pragma', 'no-cache');
      return c.json({
        access_token: signAccessToken(keys, claims),
        token_type: 'Bearer',
        expires_in: ttl,
        scope: claims.scope,
      });
    },
  );
  app.all('/token', (c) => {
    c.header('Allow', 'POST');
    return oauthError(c, 'invalid_request', 'The token endpoint accepts POST only.', 405);
  });
  return app;
}

/** `/.well-known/…`: the JWKS and the discovery documents. Mounted at `/.well-known`. */
export function wellKnownRoutes({ keys, clients, issuer, baseUrl }: OAuthRoutesContext): Hono {
  const app = new Hono();
  app.get('/jwks.json', (c) => {
    // Short caching like real issuers, so students see why a verifier must refetch on an unknown kid.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(keys.jwks());
  });
  /**
   * Authorization server metadata (RFC 8414 §2) and, at the OIDC path, the same document with OpenID Connect
   * Discovery 1.0 §3's required fields. Only the client-credentials grant is served, which never uses the
   * authorization endpoint: so there is no `authorization_endpoint` (RFC 8414: "REQUIRED unless no grant types are
   * supported that use the authorization endpoint") and `response_types_supported` (response types of that endpoint)
   * is empty. Tokens are issued for clients, identified as themselves: `subject_types_supported: ["public"]`.
   */
  const metadata = () => ({
    issuer: issuer(),
    token_endpoint: `${baseUrl()}/oauth/token`,
    jwks_uri: `${baseUrl()}/.well-known/jwks.json`,
    response_types_supported: [],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...new Set([...clients().values()].flatMap((client) => client.scopes))].sort(),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [keys.mode],
    access_token_signing_alg_values_supported: [keys.mode],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'roles'],
  });
  app.get('/openid-configuration', (c) => c.json(metadata()));
  app.get('/oauth-authorization-server', (c) => c.json(metadata()));
  return app;
}
