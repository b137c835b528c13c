import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomId } from './ids.ts';

/** One field-level problem inside our error envelope. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** Our own error envelope (DESIGN.md, "Error shape of our own APIs"), used by every `/_control/…` route. */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    details: ErrorDetail[];
    request_id: string;
    timestamp: string;
  };
}

export function errorEnvelope(
  code: string,
  message: string,
  details: ErrorDetail[] = [],
  requestId = randomId('req_', 16),
): ErrorEnvelope {
  return { error: { code, message, details, request_id: requestId, timestamp: new Date().toISOString() } };
}

/**
 * Answer with our error envelope.
 * @example return controlError(c, 404, 'not_found', `No delivery ${id}`);
 */
export function controlError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: ErrorDetail[] = [],
): Response {
  return c.json(errorEnvelope(code, message, details), status);
}
