// HTTP plumbing every route shares: the error envelope, request ids, reading a JSON body, ETags and 405.
import { createHash, randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type AppEnv = { Variables: { requestId: string } };
export type AppContext = Context<AppEnv>;

export interface FieldError {
  field: string;
  message: string;
}

// #region error-envelope
/** One error shape for every failure, so a client handles all of them in one place. */
export function sendError(
  c: AppContext,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: FieldError[] = [],
): Response {
  return c.json(
    { error: { code, message, details, request_id: c.get('requestId'), timestamp: new Date().toISOString() } },
    status,
  );
}

/** Every request gets an id: in the error body, in the X-Request-Id header and (in a real service) in the logs. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = `req_${randomUUID()}`;
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};
// #endregion error-envelope

// #region read-json
/**
 * Reads a JSON request body: 415 when it is not declared as JSON, 400 when it does not parse. Returns the parsed
 * value, or the error response to send.
 */
export async function readJson(c: AppContext): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const mediaType = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  // application/json, and the +json family (application/merge-patch+json for PATCH, for example).
  if (!/^application\/([\w.-]+\+)?json$/.test(mediaType)) {
    return {
      ok: false,
      response: sendError(c, 415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.'),
    };
  }
  try {
    return { ok: true, value: JSON.parse(await c.req.text()) };
  } catch {
    return { ok: false, response: sendError(c, 400, 'malformed_json', 'The request body is not valid JSON.') };
  }
}
// #endregion read-json

// #region etag
/** A strong ETag: a fingerprint of the representation, so it changes exactly when the JSON the client sees changes. */
export function etagOf(resource: object): string {
  return `"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url').slice(0, 27)}"`;
}

/**
 * Does an If-None-Match / If-Match header match this ETag? The header may list several tags or be `*`.
 * If-None-Match compares weakly (W/"x" matches "x"); If-Match compares strongly (a weak tag never matches).
 */
export function etagMatches(header: string, etag: string, comparison: 'weak' | 'strong'): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    if (tag.startsWith('W/')) return comparison === 'weak' && tag.slice(2) === etag;
    return tag === etag;
  });
}

/** Sends one resource with its ETag; a GET whose If-None-Match still matches gets 304 and no body. */
export function sendResource(c: AppContext, resource: object, status: 200 | 201 = 200): Response {
  const etag = etagOf(resource);
  c.header('ETag', etag);
  const ifNoneMatch = c.req.header('If-None-Match');
  if (c.req.method === 'GET' && ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag, 'weak')) {
    return c.body(null, 304);
  }
  return c.json(resource, status);
}

/** Optimistic concurrency: a write that names a stale version in If-Match is refused with 412. */
export function staleIfMatch(c: AppContext, current: object): Response | undefined {
  const ifMatch = c.req.header('If-Match');
  if (ifMatch === undefined || etagMatches(ifMatch, etagOf(current), 'strong')) return undefined;
  return sendError(c, 412, 'precondition_failed', 'The resource changed since you read it: GET it again, then retry.');
}
// #endregion etag

// #region method-not-allowed
/** For a path that exists: any other method gets 405, and HTTP requires the Allow header to list what works. */
export function methodNotAllowed(allowed: string[]) {
  return (c: AppContext) => {
    c.header('Allow', allowed.join(', '));
    return sendError(c, 405, 'method_not_allowed', `${c.req.method} is not supported here; use ${allowed.join(', ')}.`);
  };
}
// #endregion method-not-allowed
