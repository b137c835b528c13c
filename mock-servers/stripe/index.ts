import { Hono } from 'hono';
import type { Context } from 'hono';
import { createDeliveryEngine, mountEngineControl, newSigningSecret } from '../engine/index.ts';
import type { DeliveryEngine } from '../engine/index.ts';
import {
  controlError,
  createControlApi,
  createIdFactory,
  isControlPath,
  limitBody,
  mediaType,
  parseJsonObject,
  parseNestedForm,
  safeEqual,
} from '../shared/index.ts';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { applyApiFaults, createApiFaults } from './api-faults.ts';
import type { ApiFaults } from './api-faults.ts';
import type { StripeRoutesContext, Vars } from './context.ts';
import { createStripeControl, mountStripeControl } from './control.ts';
import { StripeError, unknownParam } from './errors.ts';
import type { StripeErrorBody } from './errors.ts';
import { charges, refunds } from './routes/charges-refunds.ts';
import { customers } from './routes/customers.ts';
import { events } from './routes/events.ts';
import { paymentIntents } from './routes/payment-intents.ts';
import { threeDSecure } from './routes/three-d-secure.ts';
import { webhookEndpoints } from './routes/webhook-endpoints.ts';
import { createStripeStore, STRIPE_API_VERSION } from './store.ts';
import type { StripeStore } from './store.ts';

export interface StripeMockOptions extends CommonMockOptions {
  /** The only API key accepted. Default: any `sk_test_…` key (the one printed by `lab mock stripe` works). */
  apiKey?: string;
  /** Signing secret of endpoints added through `POST /_control/endpoints` (like `stripe listen`). */
  webhookSecret?: string;
  /** Request bodies over this size get 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** Extra time each write takes (real ms), so concurrent requests with one idempotency key can meet. */
  apiLatencyMs?: number;
  /** Seconds before each webhook retry (default: Stripe-like, about three days, scaled by `timeScale`). */
  retrySchedule?: readonly number[];
  /** Per-attempt webhook timeout in real ms (default 10 s). */
  deliveryTimeoutMs?: number;
  /** The longest a `hang_after` API fault holds an answer back before sending it late (default 120 000 ms). */
  maxHangMs?: number;
}

/** The in-process handle: the same operations as the control API. */
export interface StripeControl {
  engine: DeliveryEngine;
  store: StripeStore;
  /** Failures of the API itself (`/_control/api-faults`): `error` before a request, `hang_after` after it. */
  apiFaults: ApiFaults;
  apiKey: string;
  webhookSecret: string;
  /** Register an endpoint signed with `webhookSecret` (what `stripe listen --forward-to URL` does). */
  addEndpoint(url: string, events?: string[]): { id: string; url: string; secret: string };
  /**
   * The customer finishes 3-D Secure for a PaymentIntent in `requires_action` (what the mock's authentication page
   * does): `complete` succeeds, `fail` fails authentication (`POST /_control/payment_intents/:id/authenticate`).
   */
  authenticate(paymentIntentId: string, outcome: 'complete' | 'fail'): unknown;
  /** Like `stripe trigger TYPE`: make the objects that lead to the event (see README). */
  trigger(body: Record<string, unknown>): unknown;
  secrets(): Record<string, unknown>;
  reset(): void;
}

const DOCS_HINT = 'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.';

/**
 * A stateful Stripe subset for labs: customers, payment intents, refunds, webhook endpoints and events,
 * form-encoded like the real API, with Stripe's idempotency, errors and signed webhooks.
 * @example
 * const mock = createStripeMock({ timeScale: 0.0001 });
 * serve({ fetch: mock.app.fetch, port: 12111 });
 */
export function createStripeMock(options: StripeMockOptions = {}): MockServer<StripeControl> {
  const ids = createIdFactory(options.seed);
  // Always drawn, so a seed gives the same webhook secret whether or not an API key is passed in.
  const generatedKey = ids.id('sk_test_', 24);
  const apiKey = options.apiKey ?? generatedKey;
  const webhookSecret = options.webhookSecret ?? newSigningSecret('stripe', ids);
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const engine = createDeliveryEngine({
    scheme: 'stripe',
    ids,
    timeScale: options.timeScale ?? 1,
    userAgent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    ...(options.retrySchedule ? { retrySchedule: options.retrySchedule } : {}),
    ...(options.deliveryTimeoutMs ? { timeoutMs: options.deliveryTimeoutMs } : {}),
  });
  const store = createStripeStore({ ids, engine });
  const idempotency = new Map<string, { fingerprint: string; done: boolean; status: number; body: string }>();
  const apiFaults = createApiFaults(() => ids.id('apif_', 14));
  const closing = new AbortController();
  const app = new Hono<Vars>();
  let baseUrl = 'http://127.0.0.1:12111';
  const ctl = createControlApi(app, 'stripe', options.controlToken);

  const fail = (c: Context, status: StripeError['status'], body: StripeErrorBody) => c.json({ error: body }, status);

  app.onError((err, c) => {
    if (err instanceof StripeError) return fail(c, err.status, err.body);
    // A bug in the mock: still answer in Stripe's shape, and say so.
    console.error('stripe mock:', err);
    return c.json({ error: { type: 'api_error', message: `Mock internal error: ${err.message}` } }, 500);
  });
  app.notFound((c) =>
    isControlPath(c.req.path)
      ? controlError(c, 404, 'not_found', `No control route ${c.req.method} ${c.req.path}`)
      : fail(c, 404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${c.req.method}: ${c.req.path}). ${DOCS_HINT}`,
        }),
  );

  app.use('/v1/*', async (c, next) => {
    c.set('requestId', ids.id('req_', 14));
    c.header('Request-Id', c.get('requestId'));
    c.header('Stripe-Version', c.req.header('stripe-version') ?? STRIPE_API_VERSION);
    await next();
  });
  app.use(
    '/v1/*',
    limitBody(maxBody, (c) =>
      fail(c, 413, { type: 'invalid_request_error', message: `Request body is too large (limit ${maxBody} bytes).` }),
    ),
  );

  app.use(
    '/v1/*',
    applyApiFaults(apiFaults, {
      maxHangMs: options.maxHangMs ?? 120_000,
      closing: closing.signal,
      fail: (c) =>
        c.json({ error: { type: 'api_error', message: 'An unknown error occurred (injected outage).' } }, 500),
    }),
  );

  // Authentication: `Authorization: Bearer sk_test_…` (or Basic with the key as user name, as curl -u sends).
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    let key = '';
    if (/^bearer /i.test(header)) key = header.slice(7).trim();
    else if (/^basic /i.test(header))
      key = Buffer.from(header.slice(6).trim(), 'base64').toString().split(':')[0] ?? '';
    if (!key) {
      return fail(c, 401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
    }
    const accepted = options.apiKey ? safeEqual(key, options.apiKey) : /^sk_test_[A-Za-z0-9_]{8,}$/.test(key);
    if (!accepted) {
      return fail(c, 401, {
        type: 'invalid_request_error',
        message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, Math.min(key.length, 30) - 12))}${key.slice(-4)}`,
      });
    }
    c.set('apiKey', key);
    await next();
  });

  // Parameters: form-encoded bodies for writes, the query string for reads (same nesting rules).
  app.use('/v1/*', async (c, next) => {
    let raw: string;
    if (c.req.method === 'GET' || c.req.method === 'DELETE') {
      raw = new URL(c.req.url).search.slice(1);
    } else {
      raw = await c.req.text();
      if (raw.trim() !== '' && mediaType(c) !== 'application/x-www-form-urlencoded') {
        return fail(c, 400, {
          type: 'invalid_request_error',
          message: `Invalid request: unsupported Content-Type ${mediaType(c) || '(none)'}. If error persists and you need assistance, please contact support@stripe.com.`,
        });
      }
    }
    const parsed = parseNestedForm(raw);
    if (!parsed.ok) {
      if (parsed.unknown && parsed.param) throw unknownParam(parsed.param);
      return fail(c, 400, {
        type: 'invalid_request_error',
        message: `Invalid request: ${parsed.message}`,
        ...(parsed.param ? { param: parsed.param } : {}),
      });
    }
    c.set('params', parsed.value);
    c.set('idempotencyKey', c.req.header('idempotency-key') ?? null);
    await next();
  });

  // Idempotency: a key remembers the first response for those exact parameters (POST only, per API key).
  app.use('/v1/*', async (c, next) => {
    const key = c.get('idempotencyKey');
    if (c.req.method !== 'POST' || key === null) return next();
    if (key.length > 255)
      return fail(c, 400, {
        type: 'invalid_request_error',
        message: 'Idempotency-Key must be at most 255 characters long.',
      });
    const scope = `${c.get('apiKey')}\u0000${key}`;
    const fingerprint = `${c.req.method} ${c.req.path} ${JSON.stringify(sortDeep(c.get('params')))}`;
    const saved = idempotency.get(scope);
    if (saved && saved.fingerprint !== fingerprint) {
      return fail(c, 400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (saved && !saved.done) {
      return fail(c, 409, {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message:
          'There is currently another in-progress request using this Stripe idempotent key (that probably means you submitted twice, and the other request is still going through). Please try again later.',
      });
    }
    if (saved) {
      c.header('Idempotent-Replayed', 'true');
      c.header('Idempotency-Key', key);
      return c.body(saved.body, saved.status as 200, { 'Content-Type': 'application/json' });
    }
    const entry = { fingerprint, done: false, status: 0, body: '' };
    idempotency.set(scope, entry);
    try {
      await next();
    } finally {
      // As on Stripe, a result is saved only once the endpoint started executing: a crash or a request whose
      // parameters failed validation leaves the key free for a corrected retry.
      const body = await c.res.clone().text();
      const parsed = c.res.status >= 400 ? parseJsonObject(body) : undefined;
      const code = parsed?.ok ? String((parsed.value.error as { code?: string } | undefined)?.code ?? '') : '';
      if (c.res.status >= 500 || code.startsWith('parameter_') || code === 'resource_missing')
        idempotency.delete(scope);
      else Object.assign(entry, { done: true, status: c.res.status, body });
    }
    c.header('Idempotency-Key', key);
  });

  const latency = async () => {
    if (options.apiLatencyMs) await new Promise((r) => setTimeout(r, options.apiLatencyMs));
  };

  // ---- The API's resources, one module each (`routes/`), sharing one context ----
  const ctx: StripeRoutesContext = {
    store,
    ids,
    latency,
    // The mock's own 3-D Secure page (`routes/three-d-secure.ts`), at the address the mock was told it has.
    authenticationUrl: (pi) =>
      `${baseUrl}/3d_secure_2/hosted/${pi.id}?client_secret=${encodeURIComponent(pi.client_secret)}`,
  };
  // Mounted after the `/v1/*` middleware above: Hono runs a parent's middleware on a sub-app's routes only when it was
  // registered before the `app.route()` call.
  app.route('/v1/customers', customers(ctx));
  app.route('/v1/payment_intents', paymentIntents(ctx));
  app.route('/v1/charges', charges(ctx));
  app.route('/v1/refunds', refunds(ctx));
  app.route('/v1/webhook_endpoints', webhookEndpoints(ctx));
  app.route('/v1/events', events(ctx));
  app.route('/3d_secure_2', threeDSecure(ctx));

  // ---- Control API: the shared routes plus Stripe's own (`control.ts`) ----
  const control = createStripeControl({
    engine,
    store,
    apiFaults,
    apiKey,
    fixedKey: Boolean(options.apiKey),
    webhookSecret,
    clearIdempotency: () => idempotency.clear(),
  });
  mountStripeControl(ctl, control);
  const closeStreams = mountEngineControl(ctl, app, { title: 'Stripe mock', engine, trigger: control.trigger });
  ctl.mount({ secrets: control.secrets, reset: control.reset });

  return {
    name: 'stripe',
    app: app as unknown as Hono,
    control,
    controlToken: ctl.token,
    setBaseUrl: (url) => {
      baseUrl = url.replace(/\/+$/, '');
    },
    async close() {
      closing.abort(); // answers held back by a hang_after fault
      closeStreams();
      await engine.close();
    },
  };
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortDeep(v)]),
    );
  }
  return value;
}
