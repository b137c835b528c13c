import type { Context, Env, Hono as HonoType } from 'hono';
import { Hono } from 'hono';
import { limitBody } from './body.ts';
import { readControlJson } from './control-input.ts';
import { guardControl } from './control-token.ts';
import { controlError, type ErrorDetail } from './errors.ts';

/*
 * The one `/_control` API every mock has: the same token guard, body limit, JSON reading, error envelope, `GET
 * /_control` (the routes), `GET /_control/secrets`, `POST /_control/reset` and 404 for an unknown control route.
 * A mock adds its own routes to `routes` (relative to `/_control`), then calls `mount()` once, after them.
 */

/** Thrown by a control handler (or a mock's trigger) to answer with a 4xx in our envelope. */
export class ControlInputError extends Error {
  readonly status: 400 | 404 | 409 | 422;
  readonly code: string;
  readonly details: ErrorDetail[];
  constructor(status: 400 | 404 | 409 | 422, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const isControlPath = (path: string): boolean => path === '/_control' || path.startsWith('/_control/');

/** The largest control request body (413 in our envelope above it, with `Connection: close`). */
const CONTROL_BODY_LIMIT = 1024 * 1024;

/** What `POST /_control/reset` answers on every mock. */
const RESET_ANSWER = { reset: true } as const;

export interface ControlApi {
  /** The control token (`options.controlToken`, or a fresh one). */
  readonly token: string;
  /** The mock's own control routes, relative to `/_control` (`routes.get('/clients', …)` is `GET /_control/clients`). */
  readonly routes: HonoType;
  /** Read a JSON object body: empty is `{}`, another media type 415, bad JSON or not an object 400 (our envelope). */
  readJson: typeof readControlJson;
  /** Also run on `POST /_control/reset`, before the mock's own reset (the delivery engine registers itself here). */
  onReset(reset: () => void): void;
  /** Also listed by `GET /_control` (routes outside `/_control`, e.g. `GET /_inspector`). */
  listAlso(route: string): void;
  /** Add the shared routes and mount everything at `/_control`. Call once, after the mock's own routes. */
  mount(parts: { secrets(): Record<string, unknown>; reset(): void }): void;
}

/**
 * Start a mock's control API: puts `/_control/…` and `/_inspector` behind the control token at once (so call it right
 * after creating the app, before any route), and gives the sub-app the mock's own control routes go into.
 * @example
 * const ctl = createControlApi(app, 'oauth', options.controlToken);
 * ctl.routes.get('/clients', (c) => c.json({ clients }));
 * ctl.mount({ secrets: control.secrets, reset: control.reset });
 */
export function createControlApi<E extends Env>(app: HonoType<E>, mock: string, controlToken?: string): ControlApi {
  const token = guardControl(app, mock, controlToken);
  const routes = new Hono();
  const resets: Array<() => void> = [];
  const extra: string[] = [];
  let mounted = false;
  routes.use(
    limitBody(CONTROL_BODY_LIMIT, (c) =>
      controlError(c, 413, 'payload_too_large', `Control requests are limited to ${CONTROL_BODY_LIMIT} bytes (1 MiB).`),
    ),
  );
  return {
    token,
    routes,
    readJson: readControlJson,
    onReset: (reset) => void resets.push(reset),
    listAlso: (route) => void extra.push(route),
    mount({ secrets, reset }) {
      if (mounted) throw new Error('the control API is mounted already');
      mounted = true;
      routes.get('/secrets', (c) => c.json(secrets()));
      routes.post('/reset', (c) => {
        for (const r of resets) r();
        reset();
        return c.json(RESET_ANSWER);
      });
      const listed = () => [
        'GET /_control',
        ...routes.routes
          .filter((r) => r.method !== 'ALL')
          .map((r) => `${r.method} /_control${r.path === '/' ? '' : r.path}`),
        ...extra,
      ];
      routes.get('/', (c) => c.json({ mock, routes: [...new Set(listed())] }));
      routes.all('*', (c: Context) =>
        controlError(c, 404, 'not_found', `No control route ${c.req.method} ${c.req.path}; GET /_control lists them.`),
      );
      routes.onError((err, c) =>
        err instanceof ControlInputError
          ? controlError(c, err.status, err.code, err.message, err.details)
          : controlError(c, 500, 'internal', `Mock internal error: ${err.message}`),
      );
      app.route('/_control', routes);
    },
  };
}
