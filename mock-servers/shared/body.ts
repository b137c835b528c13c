import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Reject request bodies over `maxBytes` before any handler reads them (checks Content-Length and counts streamed
 * bytes too). `onTooLarge` answers in the vendor's own error shape with status 413, with `Connection: close`: the rest
 * of the body was never read, so the connection cannot carry another request, and the client must be told so rather
 * than find a reset on its next request. What is still arriving is read and thrown away for a moment, so the client
 * can finish sending and read the answer instead of meeting a reset mid-upload.
 */
export function limitBody(
  maxBytes: number,
  onTooLarge: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: async (c) => {
      c.header('Connection', 'close');
      discardRest(c);
      return onTooLarge(c);
    },
  });
}

/** Keep reading (and dropping) the request body on Node's socket, up to a bound, so closing it sends FIN, not RST. */
function discardRest(c: Context): void {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.destroyed || incoming.readableEnded) return;
  let seen = 0;
  const stop = () => incoming.socket?.destroySoon?.();
  const timer = setTimeout(stop, 2000);
  timer.unref();
  incoming.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > 64 * 1024 * 1024) stop();
  });
  incoming.once('end', () => clearTimeout(timer));
  incoming.resume();
}

/** The media type of a request, lowercased, without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parse a JSON object body; an empty body is `{}`. Arrays, scalars and malformed JSON are errors, never exceptions. */
export function parseJsonObject(raw: string): ParseResult<Record<string, unknown>> {
  if (raw.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { ok: false, message: `Body is not valid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'Body must be a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** Names that reach an object's prototype when used as keys; refused in any part of a parameter name. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a form could not be read, and the parameter to blame (Stripe names it in `param`). */
export type FormParseResult =
  | { ok: true; value: Record<string, FormValue> }
  | { ok: false; message: string; param?: string; unknown?: true };

/**
 * Parse `application/x-www-form-urlencoded` with bracketed nesting the way Stripe reads it:
 * `metadata[order_id]=7`, `expand[]=customer`, `enabled_events[0]=*`, `items[0][price]=p_1`.
 * Indexed arrays become arrays; a shape conflict (`a=1&a[b]=2`) is an error, never an exception. A name with a part
 * `__proto__`, `constructor` or `prototype` is refused (it would reach a prototype, not a field); the objects are
 * built without prototypes anyway.
 */
export function parseNestedForm(raw: string): FormParseResult {
  const root: Record<string, FormValue> = Object.create(null);
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw);
  } catch {
    return { ok: false, message: 'Body is not valid form encoding' };
  }
  for (const [fullKey, value] of params) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(fullKey);
    if (!match) return { ok: false, message: `Invalid parameter name: ${fullKey}`, param: fullKey };
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    if (path.some((part) => PROTOTYPE_KEYS.has(part))) {
      return { ok: false, message: `Received unknown parameter: ${fullKey}`, param: fullKey, unknown: true };
    }
    const problem = assignPath(root, path, value);
    if (problem) return { ok: false, message: `${problem}: ${fullKey}`, param: fullKey };
  }
  return { ok: true, value: normaliseArrays(root) as Record<string, FormValue> };
}

// Arrays are collected as objects keyed by index (or '' for `[]`) and turned into arrays at the end.
function assignPath(container: Record<string, FormValue>, path: string[], value: string): string | undefined {
  let node: Record<string, FormValue> = container;
  for (let i = 0; i < path.length; i++) {
    let key = path[i]!;
    const last = i === path.length - 1;
    if (key === '') key = `\u0000${Object.keys(node).length}`; // `a[]`: append
    const existing = Object.hasOwn(node, key) ? node[key] : undefined;
    if (last) {
      if (existing !== undefined && typeof existing !== 'string') return 'Conflicting parameter';
      node[key] = value;
      return undefined;
    }
    if (existing === undefined) node[key] = Object.create(null) as Record<string, FormValue>;
    else if (typeof existing === 'string' || Array.isArray(existing)) return 'Conflicting parameter';
    node = node[key] as Record<string, FormValue>;
  }
  return undefined;
}

function normaliseArrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, normaliseArrays(value[k]!)] as const);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: parseNestedForm marks array indices with a NUL prefix
  const isArray = keys.length > 0 && keys.every((k) => /^\u0000?\d+$/.test(k));
  if (isArray) {
    return entries
      .sort((a, b) => Number(a[0].replace('\u0000', '')) - Number(b[0].replace('\u0000', '')))
      .map((e) => e[1]);
  }
  return Object.fromEntries(entries);
}
