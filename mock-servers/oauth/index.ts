import { Hono } from 'hono';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { controlError, guardControl, limitBody, type ErrorDetail } from '../shared/index.ts';
import { createFieldChecker, readControlJson } from '../shared/index.ts';
import { createKeyStore, type SigningMode } from './keys.ts';
import { checkTokenRequest, oauthError, type OAuthClient } from './token-endpoint.ts';
import {
  isTestTokenVariant,
  mintTestToken,
  newClaims,
  signAccessToken,
  TEST_TOKEN_VARIANTS,
  type TestTokenVariant,
} from './tokens.ts';

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

export interface MintTokenRequest {
  variant?: TestTokenVariant;
  /** Take sub, scopes and roles from this registered client. */
  clientId?: string;
  subject?: string;
  scope?: string[];
  roles?: string[];
  audience?: string;
  issuer?: string;
  expiresInSeconds?: number;
  /** Extra claims merged into the payload. */
  claims?: Record<string, unknown>;
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

const MAX_BODY_BYTES = 16 * 1024;

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

  const issuer = () => options.issuer ?? baseUrl;

  const control = {
    issuer,
    audience: () => audience,
    /** What a lab's environment needs (the CLI prints it; also `GET /_control/secrets`). */
    secrets(): Record<string, unknown> {
      const first = clients.values().next().value;
      return {
        token_url: `${baseUrl}/oauth/token`,
        jwks_uri: `${baseUrl}/.well-known/jwks.json`,
        issuer: issuer(),
        audience,
        ...(first ? { client_id: first.id, client_secret: first.secret } : {}),
        ...(keys.mode === 'HS256' ? { hs256_secret: keys.hmacSecret() } : {}),
      };
    },
    listClients: (): OAuthClient[] => [...clients.values()].map((client) => ({ ...client })),
    /** Adds or replaces a client. */
    registerClient(client: OAuthClient): OAuthClient {
      clients.set(client.id, { ...client });
      return { ...client };
    },
    removeClient: (id: string): boolean => clients.delete(id),
    rotateKey: (keepPrevious = true) => keys.rotate(keepPrevious),
    keys: () => keys.describe(),
    /** The HS256 shared secret (throws in RS256 mode). */
    sharedSecret: () => keys.hmacSecret(),
    jwks: () => keys.jwks(),
    mintToken(request: MintTokenRequest = {}): { access_token: string; variant: TestTokenVariant } {
      const variant = request.variant ?? 'valid';
      const client = request.clientId === undefined ? undefined : clients.get(request.clientId);
      if (request.clientId !== undefined && !client) throw new RangeError(`unknown client "${request.clientId}"`);
      const claims = newClaims({
        issuer: request.issuer ?? issuer(),
        audience: request.audience ?? audience,
        subject: request.subject ?? client?.id ?? 'test-client',
        scope: request.scope ?? client?.defaultScopes ?? client?.scopes ?? [],
        roles: request.roles ?? client?.roles ?? [],
        ttlSeconds: request.expiresInSeconds ?? ttl,
      });
      return { access_token: mintTestToken(keys, variant, { ...claims, ...request.claims }), variant };
    },
    /** Clients back to the factory's list, retired keys dropped. */
    reset(): void {
      clients = new Map(initialClients.map((client) => [client.id, { ...client }]));
      keys.reset();
    },
  };

  const app = new Hono();
  const controlToken = guardControl(app, 'oauth', options.controlToken);

  // ---- vendor routes: RFC 6749 error JSON ----
  app.post(
    '/oauth/token',
    limitBody(MAX_BODY_BYTES, (c) =>
      oauthError(c, 'invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 413),
    ),
    async (c) => {
      const grant = await checkTokenRequest(c, (id) => clients.get(id));
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
  app.all('/oauth/token', (c) => {
    c.header('Allow', 'POST');
    return oauthError(c, 'invalid_request', 'The token endpoint accepts POST only.', 405);
  });

  app.get('/.well-known/jwks.json', (c) => {
    // Short caching like real issuers, so students see why a verifier must refetch on an unknown kid.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(keys.jwks());
  });
  const metadata = () => ({
    issuer: issuer(),
    token_endpoint: `${baseUrl}/oauth/token`,
    jwks_uri: `${baseUrl}/.well-known/jwks.json`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...new Set([...clients.values()].flatMap((client) => client.scopes))].sort(),
    access_token_signing_alg_values_supported: [keys.mode],
  });
  app.get('/.well-known/openid-configuration', (c) => c.json(metadata()));
  app.get('/.well-known/oauth-authorization-server', (c) => c.json(metadata()));

  // ---- control API: our own error envelope ----
  const ctl = new Hono();
  ctl.use(
    limitBody(64 * 1024, (c) => controlError(c, 413, 'payload_too_large', 'Control requests are limited to 64 KiB.')),
  );
  ctl.get('/secrets', (c) => c.json(control.secrets()));
  ctl.get('/clients', (c) => c.json({ clients: control.listClients() }));
  ctl.post('/clients', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const check = createFieldChecker(body.value);
    const id = check.optionalString('id');
    const secret = check.optionalString('secret');
    const scopes = check.optionalStringArray('scopes');
    const defaultScopes = check.optionalStringArray('defaultScopes');
    const roles = check.optionalStringArray('roles');
    if (id === undefined) check.problems.push({ field: 'id', message: 'is required' });
    if (secret === undefined) check.problems.push({ field: 'secret', message: 'is required' });
    if (defaultScopes?.some((s) => !(scopes ?? []).includes(s))) {
      check.problems.push({ field: 'defaultScopes', message: 'must be a subset of scopes' });
    }
    if (check.problems.length > 0 || id === undefined || secret === undefined) {
      return controlError(c, 422, 'validation_failed', 'The client is not valid.', check.problems);
    }
    if (clients.has(id)) return controlError(c, 409, 'client_exists', `Client "${id}" is already registered.`);
    const client = control.registerClient({
      id,
      secret,
      scopes: scopes ?? [],
      ...(defaultScopes ? { defaultScopes } : {}),
      ...(roles ? { roles } : {}),
    });
    return c.json(client, 201);
  });
  ctl.delete('/clients/:id', (c) => {
    const id = c.req.param('id');
    if (!control.removeClient(id)) return controlError(c, 404, 'not_found', `No client "${id}".`);
    return c.body(null, 204);
  });
  ctl.get('/keys', (c) => c.json(control.keys()));
  ctl.post('/keys/rotate', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const check = createFieldChecker(body.value);
    const keepPrevious = check.optionalBoolean('keepPrevious');
    if (check.problems.length > 0)
      return controlError(c, 422, 'validation_failed', 'Bad rotation request.', check.problems);
    control.rotateKey(keepPrevious ?? true);
    return c.json(control.keys());
  });
  ctl.post('/tokens', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const input = body.value;
    const check = createFieldChecker(input);
    if (input.variant !== undefined && !isTestTokenVariant(input.variant)) {
      check.problems.push({ field: 'variant', message: `must be one of ${TEST_TOKEN_VARIANTS.join(', ')}` });
    }
    const request: MintTokenRequest = {};
    const clientId = check.optionalString('clientId');
    const subject = check.optionalString('subject');
    const scope = check.optionalStringArray('scope');
    const roles = check.optionalStringArray('roles');
    const aud = check.optionalString('audience');
    const iss = check.optionalString('issuer');
    const expiresInSeconds = check.optionalNumber('expiresInSeconds', -31_536_000, 31_536_000);
    if (
      input.claims !== undefined &&
      (typeof input.claims !== 'object' || input.claims === null || Array.isArray(input.claims))
    ) {
      check.problems.push({ field: 'claims', message: 'must be an object' });
    }
    if (check.problems.length > 0)
      return controlError(c, 422, 'validation_failed', 'Bad token request.', check.problems);
    const badClaims = claimProblems(input.claims as Record<string, unknown> | undefined);
    if (badClaims.length > 0) {
      return controlError(
        c,
        400,
        'invalid_claims',
        `Bad claim: ${badClaims.map((p) => `${p.field} ${p.message}`).join('; ')}.`,
        badClaims,
      );
    }
    if (isTestTokenVariant(input.variant)) request.variant = input.variant;
    if (clientId !== undefined) {
      if (!clients.has(clientId)) return controlError(c, 404, 'not_found', `No client "${clientId}".`);
      request.clientId = clientId;
    }
    if (request.variant === 'hs256-public-key' && keys.mode !== 'RS256') {
      return controlError(c, 409, 'wrong_mode', 'The algorithm-confusion forgery needs an RS256 issuer.');
    }
    Object.assign(
      request,
      subject === undefined ? {} : { subject },
      scope === undefined ? {} : { scope },
      roles === undefined ? {} : { roles },
      aud === undefined ? {} : { audience: aud },
      iss === undefined ? {} : { issuer: iss },
      expiresInSeconds === undefined ? {} : { expiresInSeconds },
      input.claims === undefined ? {} : { claims: input.claims },
    );
    return c.json(control.mintToken(request), 201);
  });
  ctl.post('/reset', (c) => {
    control.reset();
    return c.json({ ok: true });
  });
  ctl.onError((err, c) => controlError(c, 500, 'internal', err.message));
  app.route('/_control', ctl);

  // Hono calls only the top-level app's notFound, so it picks the error shape by path.
  app.notFound((c) =>
    c.req.path === '/_control' || c.req.path.startsWith('/_control/')
      ? controlError(c, 404, 'not_found', `No control route ${c.req.method} ${c.req.path}.`)
      : oauthError(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`, 404),
  );
  app.onError((err, c) => oauthError(c, 'server_error', err.message, 500));

  const server: MockServer<typeof control> = {
    name: 'oauth',
    app,
    control,
    controlToken,
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/+$/, '');
    },
    async close() {
      // Nothing runs in the background: tokens and keys live only in memory.
    },
  };
  return server;
}

export type OAuthControl = ReturnType<typeof createOAuthMock>['control'];

/**
 * The registered claims a signed JWT must carry in a given type (RFC 7519 §4.1): `exp`, `iat`, `nbf` are NumericDate
 * (seconds since the epoch); `iss`, `sub`, `jti` strings; `aud` a string or an array of strings. A claim of another
 * type is the caller's mistake (400 naming it), never a signing failure (500).
 */
function claimProblems(claims: Record<string, unknown> | undefined): ErrorDetail[] {
  if (claims === undefined) return [];
  const problems: ErrorDetail[] = [];
  for (const field of ['exp', 'iat', 'nbf']) {
    const v = claims[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      problems.push({
        field: `claims.${field}`,
        message: 'must be a number of seconds since the epoch (a NumericDate)',
      });
    }
  }
  for (const field of ['iss', 'sub', 'jti']) {
    const v = claims[field];
    if (v !== undefined && typeof v !== 'string')
      problems.push({ field: `claims.${field}`, message: 'must be a string' });
  }
  const aud = claims.aud;
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  ) {
    problems.push({ field: 'claims.aud', message: 'must be a string or an array of strings' });
  }
  return problems;
}
