import type { ControlApi, ErrorDetail } from '../shared/index.ts';
import { controlError, createFieldChecker } from '../shared/index.ts';
import type { OAuthRoutesContext } from './routes.ts';
import type { OAuthClient } from './token-endpoint.ts';
import { isTestTokenVariant, mintTestToken, newClaims, TEST_TOKEN_VARIANTS, type TestTokenVariant } from './tokens.ts';

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

/**
 * The in-process handle (`oauth.control`): clients, keys, minted test tokens, secrets, reset. `resetClients` puts the
 * factory's client list back (the map `ctx.clients()` answers is replaced).
 */
export function createOAuthControl(ctx: OAuthRoutesContext, resetClients: () => void) {
  const { keys, clients, issuer, baseUrl, audience, ttl } = ctx;
  return {
    issuer,
    audience: () => audience,
    /** What a lab's environment needs (the CLI prints it; also `GET /_control/secrets`). */
    secrets(): Record<string, unknown> {
      const first = clients().values().next().value;
      return {
        token_url: `${baseUrl()}/oauth/token`,
        jwks_uri: `${baseUrl()}/.well-known/jwks.json`,
        issuer: issuer(),
        audience,
        ...(first ? { client_id: first.id, client_secret: first.secret } : {}),
        ...(keys.mode === 'HS256' ? { hs256_secret: keys.hmacSecret() } : {}),
      };
    },
    listClients: (): OAuthClient[] => [...clients().values()].map((client) => ({ ...client })),
    /** Adds or replaces a client. */
    registerClient(client: OAuthClient): OAuthClient {
      clients().set(client.id, { ...client });
      return { ...client };
    },
    removeClient: (id: string): boolean => clients().delete(id),
    rotateKey: (keepPrevious = true) => keys.rotate(keepPrevious),
    keys: () => keys.describe(),
    /** The HS256 shared secret (throws in RS256 mode). */
    sharedSecret: () => keys.hmacSecret(),
    jwks: () => keys.jwks(),
    mintToken(request: MintTokenRequest = {}): { access_token: string; variant: TestTokenVariant } {
      const variant = request.variant ?? 'valid';
      const client = request.clientId === undefined ? undefined : clients().get(request.clientId);
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
      resetClients();
      keys.reset();
    },
  };
}

export type OAuthControl = ReturnType<typeof createOAuthControl>;

/** OAuth's own control routes, our error envelope: `/_control/clients`, `/_control/keys`, `/_control/tokens`. */
export function mountOAuthControl(ctl: ControlApi, ctx: OAuthRoutesContext, control: OAuthControl): void {
  const { routes } = ctl;
  const { keys, clients } = ctx;
  routes.get('/clients', (c) => c.json({ clients: control.listClients() }));
  routes.post('/clients', async (c) => {
    const body = await ctl.readJson(c);
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
    if (clients().has(id)) return controlError(c, 409, 'client_exists', `Client "${id}" is already registered.`);
    const client = control.registerClient({
      id,
      secret,
      scopes: scopes ?? [],
      ...(defaultScopes ? { defaultScopes } : {}),
      ...(roles ? { roles } : {}),
    });
    return c.json(client, 201);
  });
  routes.delete('/clients/:id', (c) => {
    const id = c.req.param('id');
    if (!control.removeClient(id)) return controlError(c, 404, 'not_found', `No client "${id}".`);
    return c.body(null, 204);
  });
  routes.get('/keys', (c) => c.json(control.keys()));
  routes.post('/keys/rotate', async (c) => {
    const body = await ctl.readJson(c);
    if (!body.ok) return body.response;
    const check = createFieldChecker(body.value);
    const keepPrevious = check.optionalBoolean('keepPrevious');
    if (check.problems.length > 0)
      return controlError(c, 422, 'validation_failed', 'Bad rotation request.', check.problems);
    control.rotateKey(keepPrevious ?? true);
    return c.json(control.keys());
  });
  routes.post('/tokens', async (c) => {
    const body = await ctl.readJson(c);
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
      if (!clients().has(clientId)) return controlError(c, 404, 'not_found', `No client "${clientId}".`);
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
}

/**
 * The registered claims a signed JWT must carry in a given type (RFC 7519 §4.1): `exp`, `iat`, `nbf` are NumericDate
 * (seconds since the epoch); `iss`, `sub`, `jti` strings; `aud` a string or an array of strings. A claim of another
 * type is the caller's mistake (400 naming it), never a signing failure (500).
 */
function claimProblems(claims: Record<string, unknown> | undefined): ErrorDetail[] {
  if (claims === undefined) return [];
  const problems: ErrorDetail[] = [];
  // jsonwebtoken looks claim names up in a plain object of its own, so `valueOf`, `toString`, … would crash it.
  for (const field of Object.keys(claims)) {
    if (field in Object.prototype) {
      problems.push({
        field: `claims.${field}`,
        message: 'is a name this mock cannot sign: choose another claim name',
      });
    }
  }
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
