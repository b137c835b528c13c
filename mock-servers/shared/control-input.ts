import type { Context } from 'hono';
import { mediaType, parseJsonObject } from './body.ts';
import { controlError, type ErrorDetail } from './errors.ts';

/* Input checks for the `/_control/…` APIs (used by the OAuth and carriers mocks). */

/**
 * Reads a JSON object from a control request. An empty body counts as `{}` so that `POST /_control/reset` and the
 * like work from a bare `curl -X POST`. Anything else that is not a JSON object is answered with 415 or 400.
 */
export async function readControlJson(
  c: Context,
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: {} };
  if (!/^application\/(.+\+)?json$/.test(mediaType(c))) {
    return {
      ok: false,
      response: controlError(c, 415, 'unsupported_media_type', 'Send the control request as application/json.'),
    };
  }
  const parsed = parseJsonObject(text);
  return parsed.ok ? parsed : { ok: false, response: controlError(c, 400, 'invalid_json', parsed.message) };
}

/** Collects field problems while a control handler checks its input; `problems` empty means valid. */
export function createFieldChecker(input: Record<string, unknown>) {
  const problems: ErrorDetail[] = [];
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
