// HTTP plumbing every route shares: a request id on every answer, and one shape for every error.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type AppEnv = { Variables: { requestId: string } };

export interface FieldProblem {
  field: string;
  message: string;
}

/** `{ "error": { code, message, details, request_id, timestamp } }`, the course's error envelope. */
export function sendError(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: FieldProblem[] = [],
): Response {
  const error = { code, message, details, request_id: c.get('requestId'), timestamp: new Date().toISOString() };
  return c.json({ error }, status);
}

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = `req_${randomUUID()}`;
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};
