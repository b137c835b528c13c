import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Helpers for the `/_control/…` API of a mock, which answers errors in *our* envelope (DESIGN.md, "Error shape of our
 * own APIs"), unlike the vendor routes. Used by the OAuth and carriers mocks; it belongs in `mock-servers/shared/`
 * once that module exists.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export function controlError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: FieldProblem[] = [],
): Response {
  const body = {
    error: { code, message, details, request_id: `req_${randomUUID()}`, timestamp: new Date().toISOString() },
  };
  return c.json(body, status);
}

/**
 * Reads a JSON object from a control request. An empty body counts as `{}` so that `POST /_control/reset` and the
 * like work from a bare `curl -X POST`. Anything else that is not a JSON object is answered with 415 or 400.
 */
export async function readControlJson(
  c: Context,
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: {} };
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    return {
      ok: false,
      response: controlError(c, 415, 'unsupported_media_type', 'Send the control request as application/json.'),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, response: controlError(c, 400, 'invalid_json', 'The request body is not valid JSON.') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, response: controlError(c, 400, 'invalid_json', 'The request body must be a JSON object.') };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Collects field problems while a control handler checks its input; `problems` empty means valid. */
export function createFieldChecker(input: Record<string, unknown>) {
  const problems: FieldProblem[] = [];
  return {
    problems,
    optionalString(field: string): string | undefined {
      const v = input[field];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v === '') problems.push({ field, message: 'must be a non-empty string' });
      return typeof v === 'string' ? v : undefined;
    },
    optionalNumber(field: string, min: number, max: number): number | undefined {
      const v = input[field];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
        problems.push({ field, message: `must be a number from ${min} to ${max}` });
        return undefined;
      }
      return v;
    },
    optionalStringArray(field: string): string[] | undefined {
      const v = input[field];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '')) {
        problems.push({ field, message: 'must be an array of non-empty strings' });
        return undefined;
      }
      return v as string[];
    },
    optionalBoolean(field: string): boolean | undefined {
      const v = input[field];
      if (v === undefined) return undefined;
      if (typeof v !== 'boolean') problems.push({ field, message: 'must be true or false' });
      return typeof v === 'boolean' ? v : undefined;
    },
  };
}
