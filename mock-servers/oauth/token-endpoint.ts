import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { mediaType, safeEqual } from '../shared/index.ts';

/** A registered client: the confidential clients this issuer knows, with what they may ask for. */
export interface OAuthClient {
  id: string;
  secret: string;
  /** Every scope the client may request. */
  scopes: string[];
  /** Granted when the request names no scope; defaults to all of `scopes`. */
  defaultScopes?: string[];
  /** Copied into the token's `roles` claim. */
  roles?: string[];
}

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

/**
 * An RFC 6749 §5.2 error. 401 with a `WWW-Authenticate` challenge when the client tried HTTP Basic (the RFC makes that
 * a MUST) or sent no credentials at all (so the client learns which scheme to use); 400 otherwise.
 */
export function oauthError(
  c: Context,
  error: OAuthErrorCode | 'not_found' | 'server_error',
  description: string,
  status: 400 | 401 | 404 | 405 | 413 | 500 = 400,
): Response {
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  if (status === 401) c.header('WWW-Authenticate', 'Basic realm="integration-lab-oauth", charset="UTF-8"');
  return c.json({ error, error_description: description }, status);
}

// RFC 6749 §A.4: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function sameSecret(given: string, expected: string): boolean {
  // Hash first so both sides have one length: then not even the secret's length leaks through timing.
  const digest = (s: string) => createHash('sha256').update(s).digest('hex');
  return safeEqual(digest(given), digest(expected));
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. Undefined when malformed. */
function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replaceAll('+', ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

export interface TokenGrant {
  client: OAuthClient;
  scopes: string[];
}

/**
 * Validates a client-credentials token request. Returns the grant, or the RFC 6749 error response to send.
 * Order: shape of the request, then who the client is, then what it asks for.
 */
export async function checkTokenRequest(
  c: Context,
  findClient: (id: string) => OAuthClient | undefined,
): Promise<TokenGrant | Response> {
  if (mediaType(c) !== 'application/x-www-form-urlencoded') {
    return oauthError(c, 'invalid_request', 'Send the token request as application/x-www-form-urlencoded.');
  }
  const params = new URLSearchParams(await c.req.text());
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) return oauthError(c, 'invalid_request', `Parameter "${name}" appears more than once.`);
    seen.add(name);
  }

  const authorization = c.req.header('authorization');
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  let credentials: { id: string; secret: string } | undefined;
  const viaBasic = authorization !== undefined;
  if (viaBasic) {
    if (bodyId !== null || bodySecret !== null) {
      return oauthError(
        c,
        'invalid_request',
        'Use one client authentication method: HTTP Basic or client_id/client_secret in the body, not both.',
      );
    }
    credentials = parseBasic(authorization);
    if (!credentials) {
      return oauthError(
        c,
        'invalid_client',
        'The Authorization header must be Basic base64(client_id:client_secret).',
        401,
      );
    }
  } else {
    if (bodyId === null && bodySecret !== null) {
      return oauthError(c, 'invalid_request', 'client_secret was sent without client_id.');
    }
    if (bodyId === null) {
      return oauthError(
        c,
        'invalid_client',
        'Client authentication is required (HTTP Basic or client_id/client_secret).',
        401,
      );
    }
    if (bodySecret === null) {
      return oauthError(c, 'invalid_client', 'client_secret is missing: every client of this server is confidential.');
    }
    credentials = { id: bodyId, secret: bodySecret };
  }

  const grantType = params.get('grant_type');
  if (grantType === null || grantType === '') return oauthError(c, 'invalid_request', 'grant_type is required.');

  const client = findClient(credentials.id);
  if (!client || !sameSecret(credentials.secret, client.secret)) {
    return oauthError(c, 'invalid_client', 'Unknown client or wrong client secret.', viaBasic ? 401 : 400);
  }
  if (grantType !== 'client_credentials') {
    return oauthError(c, 'unsupported_grant_type', `This server only issues tokens for grant_type=client_credentials.`);
  }

  const requested = (params.get('scope') ?? '').split(' ').filter((s) => s !== '');
  if (requested.length === 0) return { client, scopes: client.defaultScopes ?? client.scopes };
  const malformed = requested.find((s) => !SCOPE_TOKEN.test(s));
  if (malformed !== undefined)
    return oauthError(c, 'invalid_scope', `Scope "${malformed}" has characters a scope cannot have.`);
  const notAllowed = requested.filter((s) => !client.scopes.includes(s));
  if (notAllowed.length > 0) {
    return oauthError(c, 'invalid_scope', `Client "${client.id}" may not request: ${notAllowed.join(' ')}.`);
  }
  return { client, scopes: [...new Set(requested)] };
}
