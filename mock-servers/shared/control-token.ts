import { randomBytes } from 'node:crypto';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { safeEqual } from './crypto.ts';
import { controlError } from './errors.ts';

/*
 * The control token: `/_control/…` and `/_inspector` answer only whoever started the mock (the lab tests, `lab
 * start`, the person at the keyboard), never the app under test, which is given the mock's URL and its vendor
 * credentials only. One token per mock start, random, never derived from a seed, a port or a secret.
 */

/** The header a person or a test sends the token in. Also accepted: `Authorization: Bearer <token>`, `?token=<token>`. */
export const CONTROL_TOKEN_HEADER = 'X-Control-Token';

/** A token passed in options must be at least this long, so a guessable one ("test") can never be the key. */
const MIN_TOKEN_LENGTH = 16;

/** A fresh control token: `ctl_` and 256 random bits. */
export function newControlToken(): string {
  return `ctl_${randomBytes(32).toString('base64url')}`;
}

/** The shell variable `lab mock`, `lab start` and `npm start` print for a mock's token, e.g. `STRIPE_CONTROL_TOKEN`. */
export const controlTokenVariable = (mock: string): string => `${mock.toUpperCase()}_CONTROL_TOKEN`;

/** Every token the request presents (header, bearer, query); a wrong one in one place does not hide a right one. */
function presentedTokens(c: Context): string[] {
  const found: string[] = [];
  const header = c.req.header(CONTROL_TOKEN_HEADER);
  if (header !== undefined) found.push(header.trim());
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (bearer) found.push(bearer[1]!);
  found.push(...(c.req.queries('token') ?? []));
  return found;
}

/**
 * Put `/_control/…` and `/_inspector` of a mock behind its control token. Call it right after creating the app,
 * before any route: Hono runs handlers in the order they were added, and the guard goes through the same router as
 * the routes it protects, so every path that reaches a control route (`/%5Fcontrol/…` too) meets it first.
 * Returns the token (`options.controlToken`, or a fresh one).
 * @example const controlToken = guardControl(app, 'stripe', options.controlToken);
 */
export function guardControl<E extends Env>(app: Hono<E>, mock: string, given?: string): string {
  if (given !== undefined && (typeof given !== 'string' || given.length < MIN_TOKEN_LENGTH)) {
    throw new RangeError(`controlToken must be a string of at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const token = given ?? newControlToken();
  const howToGetIt =
    `This is the ${mock} mock's control API: only whoever started the mock holds its control token. Send it as ` +
    `'${CONTROL_TOKEN_HEADER}: <token>', 'Authorization: Bearer <token>' or '?token=<token>'. ` +
    `'npm start' and 'npm run lab -- mock ${mock}' (or 'lab start') print it as ${controlTokenVariable(mock)} with a ` +
    `curl example and the inspector link; in code it is the started mock's controlToken.`;
  const guard: MiddlewareHandler = async (c, next) => {
    const presented = presentedTokens(c);
    // Compare every presented value in constant time, so timing tells nothing about which one was tried.
    let accepted = false;
    for (const candidate of presented) accepted = safeEqual(candidate, token) || accepted;
    if (accepted) return next();
    c.header('WWW-Authenticate', `Bearer realm="${mock} mock control API"`);
    return presented.length === 0
      ? controlError(c, 401, 'control_token_required', `No control token. ${howToGetIt}`)
      : controlError(c, 401, 'control_token_invalid', `Wrong control token. ${howToGetIt}`);
  };
  // `/x/*` also matches `/x` itself.
  app.use('/_control/*', guard);
  app.use('/_inspector/*', guard);
  return token;
}

/**
 * `fetch` a mock's control API with its token (tests, `lab start`).
 * @example const secrets = await (await controlFetch(started, '/_control/secrets')).json();
 */
export function controlFetch(
  mock: { url: string; controlToken: string },
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(CONTROL_TOKEN_HEADER, mock.controlToken);
  return fetch(`${mock.url}${path}`, { ...init, headers });
}
