// HTTP plumbing every route shares: the error envelope and request ids.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type AppEnv = { Variables: { requestId: string } };
export type AppContext = Context<AppEnv>;

/** One error shape for every failure, so a client handles all of them in one place. */
export function sendError(c: AppContext, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message, details: [], request_id: c.get('requestId'), timestamp: new Date().toISOString() } }, status);
}

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = `req_${randomUUID()}`;
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};
