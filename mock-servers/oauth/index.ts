import { Hono } from 'hono';
import { controlError, createControlApi, isControlPath } from '../shared/index.ts';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { createOAuthControl, mountOAuthControl, type OAuthControl } from './control.ts';
import { createKeyStore, type SigningMode } from './keys.ts';
import { type OAuthRoutesContext, tokenRoutes, wellKnownRoutes } from './routes.ts';
import { oauthError, type OAuthClient } from './token-endpoint.ts';

export type { MintTokenRequest, OAuthControl } from './control.ts';
export type { OAuthClient } from './token-endpoint.ts';
export { TEST_TOKEN_VARIANTS, type TestTokenVariant } from './tokens.ts';

export interface OAuthMockOptions extends CommonMockOptions {
  /** Registered clients; default: `lab-client` and `lab-admin` (see README). */
  clients?: OAuthClient[];
  /** Lifetime of issued tokens; default 3600. */
  tokenTtlSeconds?: number;
  /** RS256 (RSA key, JWKS) or HS256 (shared secret, read it from the control API); default RS256. */
  mode?: SigningMode;
  /** `iss` claim; default: the base URL the mock listens on. */
  issuer?: string;
  /** `aud` claim; default `integration-lab-api`. */
  audience?: string;
  /** How long a key retired by rotation stays in the JWKS; default `tokenTtlSeconds`. */
  keyRetentionSeconds?: number;
}

export const DEFAULT_CLIENTS: readonly OAuthClient[] = [
  {
    id: 'lab-client',
    secret: 'lab-client-secret',
    scopes: ['shipments:read', 'shipments:write', 'tracking:read'],
    defaultScopes: ['shipments:read'],
    roles: ['dispatcher'],
  },
  {
    id: 'lab-admin',
    secret: 'lab-admin-secret',
    scopes: ['shipments:read', 'shipments:write', 'tracking:read', 'admin'],
    roles: ['admin'],
  },
];

/**
 * An OAuth 2.0 authorization server for the client-credentials grant that issues JWT access tokens, plus a control
 * API that mints deliberately broken tokens for graders.
 *
 * @example
 * const oauth = createOAuthMock({ mode: 'RS256' });
 * serve({ fetch: oauth.app.fetch, port: 4100, hostname: '127.0.0.1' });
 * oauth.setBaseUrl('http://127.0.0.1:4100');
 */
export function createOAuthMock(options: OAuthMockOptions = {}) {
  const ttl = options.tokenTtlSeconds ?? 3600;
  const audience = options.audience ?? 'integration-lab-api';
  const initialClients = (options.clients ?? DEFAULT_CLIENTS).map((client) => ({ ...client }));
  const keys = createKeyStore({
    mode: options.mode ?? 'RS256',
    retainMs: (options.keyRetentionSeconds ?? ttl) * 1000,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  let baseUrl = 'http://127.0.0.1';
  let clients = new Map(initialClients.map((client) => [client.id, { ...client }]));

  const ctx: OAuthRoutesContext = {
    keys,
    clients: () => clients,
    issuer: () => options.issuer ?? baseUrl,
    baseUrl: () => baseUrl,
    audience,
    ttl,
  };
  const control = createOAuthControl(ctx, () => {
    clients = new Map(initialClients.map((client) => [client.id, { ...client }]));
  });

  const app = new Hono();
  const ctl = createControlApi(app, 'oauth', options.controlToken);

  // ---- vendor routes: RFC 6749 error JSON, one module each (`routes.ts`), sharing one context ----
  app.route('/oauth', tokenRoutes(ctx));
  app.route('/.well-known', wellKnownRoutes(ctx));

  // ---- Control API: the shared routes plus OAuth's own (`control.ts`) ----
  mountOAuthControl(ctl, ctx, control);
  ctl.mount({ secrets: control.secrets, reset: control.reset });

  // Hono calls only the top-level app's notFound, so it picks the error shape by path.
  app.notFound((c) =>
    isControlPath(c.req.path)
      ? controlError(c, 404, 'not_found', `No control route ${c.req.method} ${c.req.path}.`)
      : oauthError(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`, 404),
  );
  app.onError((err, c) => oauthError(c, 'server_error', err.message, 500));

  const server: MockServer<OAuthControl> = {
    name: 'oauth',
    app,
    control,
    controlToken: ctl.token,
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/+$/, '');
    },
    async close() {
      // Nothing runs in the background: tokens and keys live only in memory.
    },
  };
  return server;
}
