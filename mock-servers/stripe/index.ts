import { Hono } from 'hono';
import type { Context } from 'hono';
import {
  createDeliveryEngine,
  isControlPath,
  mountControl,
  newSigningSecret,
  ControlInputError,
} from '../engine/index.ts';
import type { DeliveryEngine } from '../engine/index.ts';
import {
  controlError,
  createIdFactory,
  guardControl,
  limitBody,
  mediaType,
  parseJsonObject,
  parseNestedForm,
  readControlJson,
  safeEqual,
} from '../shared/index.ts';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { applyApiFaults, createApiFaults } from './api-faults.ts';
import type { ApiFaults } from './api-faults.ts';
import { invalid, noSuch, StripeError, unknownParam } from './errors.ts';
import type { StripeErrorBody } from './errors.ts';
import { allowOnly, bool, currency, int, mergeMetadata, oneOf, str, strArray } from './params.ts';
import type { Params } from './params.ts';
import { checkPaymentMethod, createStripeStore, STRIPE_API_VERSION } from './store.ts';
import type { RequestInfo, StripeStore, WebhookEndpointObject } from './store.ts';

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
  /** Like `stripe trigger TYPE`: make the objects that lead to the event (see README). */
  trigger(body: Record<string, unknown>): unknown;
  secrets(): Record<string, unknown>;
  reset(): void;
}

type Vars = { Variables: { requestId: string; params: Params; idempotencyKey: string | null; apiKey: string } };

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
  const controlToken = guardControl(app, 'stripe', options.controlToken);

  const fail = (c: Context, status: StripeError['status'], body: StripeErrorBody) => c.json({ error: body }, status);
  const requestInfo = (c: Context<Vars>): RequestInfo => ({
    id: c.get('requestId'),
    idempotency_key: c.get('idempotencyKey'),
  });

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

  // ---- Customers ----
  const customerFields = ['email', 'name', 'description', 'phone', 'metadata'];
  app.post('/v1/customers', async (c) => {
    const p = c.get('params');
    allowOnly(p, [...customerFields, 'payment_method']);
    await latency();
    return c.json(
      store.createCustomer(
        {
          email: str(p, 'email') ?? null,
          name: str(p, 'name') ?? null,
          description: str(p, 'description') ?? null,
          phone: str(p, 'phone') ?? null,
          metadata: mergeMetadata({}, p),
        },
        requestInfo(c),
      ),
    );
  });
  app.get('/v1/customers', (c) =>
    c.json(
      list(
        c,
        [...store.customers.values()],
        '/v1/customers',
        (x) => !c.get('params').email || x.email === c.get('params').email,
      ),
    ),
  );
  app.get('/v1/customers/:id', (c) => c.json(store.getOr404(store.customers, 'customer', c.req.param('id'))));
  app.post('/v1/customers/:id', async (c) => {
    const p = c.get('params');
    allowOnly(p, customerFields);
    const customer = store.getOr404(store.customers, 'customer', c.req.param('id'));
    await latency();
    const changes: Record<string, unknown> = { metadata: mergeMetadata(customer.metadata, p) };
    for (const field of ['email', 'name', 'description', 'phone'])
      if (p[field] !== undefined) changes[field] = str(p, field) ?? null;
    return c.json(store.updateCustomer(customer, changes, requestInfo(c)));
  });
  app.delete('/v1/customers/:id', (c) => {
    const customer = store.getOr404(store.customers, 'customer', c.req.param('id'));
    store.customers.delete(customer.id);
    store.emit('customer.deleted', customer, requestInfo(c));
    return c.json({ id: customer.id, object: 'customer', deleted: true });
  });

  // ---- Payment intents ----
  const IGNORED_PI_PARAMS = [
    'return_url',
    'off_session',
    'setup_future_usage',
    'statement_descriptor',
    'automatic_payment_methods',
    'payment_method_types',
    'capture_method',
    'confirmation_method',
    'mandate_data',
    'payment_method_options',
    'shipping',
  ];
  app.post('/v1/payment_intents', async (c) => {
    const p = c.get('params');
    allowOnly(p, [
      'amount',
      'currency',
      'customer',
      'description',
      'metadata',
      'payment_method',
      'receipt_email',
      'confirm',
      ...IGNORED_PI_PARAMS,
    ]);
    const amount = int(p, 'amount', true);
    const cur = currency(p, true);
    if (amount < 1)
      throw invalid('This value must be greater than or equal to 1.', 'parameter_invalid_integer', 'amount');
    if (amount < 50) throw invalid('Amount must be at least 50 cents', 'amount_too_small', 'amount');
    if (amount > 99_999_999) throw invalid('Amount must be no more than 999,999.99', 'amount_too_large', 'amount');
    if (oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual']) === 'manual') {
      throw invalid('This mock supports capture_method=automatic only.', 'parameter_invalid_string', 'capture_method');
    }
    const customer = str(p, 'customer');
    if (customer !== undefined && !store.customers.has(customer)) throw noSuch('customer', customer, 'customer');
    const confirm = bool(p, 'confirm');
    // Every check before the PaymentIntent exists: a request that fails them creates nothing and sends no event.
    const method = str(p, 'payment_method');
    if (method !== undefined) checkPaymentMethod(method);
    if (confirm && method === undefined) {
      throw invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_xxx, specify a payment method attached to this customer along with the customer ID.",
        'payment_intent_unexpected_state',
        'payment_method',
      );
    }
    str(p, 'description');
    str(p, 'receipt_email');
    mergeMetadata({}, p);
    await latency();
    const pi = store.createPaymentIntent(
      {
        amount,
        currency: cur,
        customer: customer ?? null,
        description: str(p, 'description') ?? null,
        metadata: mergeMetadata({}, p),
        payment_method: str(p, 'payment_method') ?? null,
        receipt_email: str(p, 'receipt_email') ?? null,
      },
      requestInfo(c),
    );
    if (confirm) store.confirmPaymentIntent(pi, undefined, requestInfo(c));
    return c.json(pi);
  });
  app.get('/v1/payment_intents', (c) => {
    const customer = c.get('params').customer;
    return c.json(
      list(c, [...store.intents.values()], '/v1/payment_intents', (x) => !customer || x.customer === customer),
    );
  });
  app.get('/v1/payment_intents/:id', (c) => c.json(store.getOr404(store.intents, 'payment_intent', c.req.param('id'))));
  app.post('/v1/payment_intents/:id', async (c) => {
    const p = c.get('params');
    allowOnly(p, [
      'amount',
      'currency',
      'customer',
      'description',
      'metadata',
      'payment_method',
      'receipt_email',
      ...IGNORED_PI_PARAMS,
    ]);
    const pi = store.getOr404(store.intents, 'payment_intent', c.req.param('id'));
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      throw invalid(
        `You cannot update this PaymentIntent because it has a status of ${pi.status}.`,
        'payment_intent_unexpected_state',
      );
    }
    // Read and check every parameter first, then change the PaymentIntent: a rejected update changes nothing.
    const amount = int(p, 'amount') ?? pi.amount;
    const cur = currency(p) ?? pi.currency;
    const description = str(p, 'description') ?? pi.description;
    const receiptEmail = str(p, 'receipt_email') ?? pi.receipt_email;
    const metadata = mergeMetadata(pi.metadata, p);
    const method = str(p, 'payment_method');
    if (method) checkPaymentMethod(method);
    await latency();
    Object.assign(pi, { amount, currency: cur, description, receipt_email: receiptEmail, metadata });
    if (method) Object.assign(pi, { payment_method: method, status: 'requires_confirmation' });
    return c.json(pi);
  });
  app.post('/v1/payment_intents/:id/confirm', async (c) => {
    const p = c.get('params');
    allowOnly(p, [
      'payment_method',
      'receipt_email',
      'return_url',
      'off_session',
      'mandate_data',
      'payment_method_options',
      'setup_future_usage',
      'shipping',
    ]);
    const pi = store.getOr404(store.intents, 'payment_intent', c.req.param('id'));
    await latency();
    return c.json(store.confirmPaymentIntent(pi, str(p, 'payment_method'), requestInfo(c)));
  });
  app.post('/v1/payment_intents/:id/cancel', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['cancellation_reason']);
    const pi = store.getOr404(store.intents, 'payment_intent', c.req.param('id'));
    const reason = oneOf(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']);
    await latency();
    return c.json(store.cancelPaymentIntent(pi, reason, requestInfo(c)));
  });

  // ---- Charges (read-only: they come from confirmed payment intents) and refunds ----
  app.get('/v1/charges', (c) => {
    const pi = c.get('params').payment_intent;
    return c.json(list(c, [...store.charges.values()], '/v1/charges', (x) => !pi || x.payment_intent === pi));
  });
  app.get('/v1/charges/:id', (c) => c.json(store.getOr404(store.charges, 'charge', c.req.param('id'))));
  app.post('/v1/refunds', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'instructions_email']);
    const piId = str(p, 'payment_intent');
    const chargeId = str(p, 'charge');
    if (!piId && !chargeId)
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
        'parameter_missing',
      );
    let charge;
    if (chargeId) charge = store.getOr404(store.charges, 'charge', chargeId, 'charge');
    else {
      const pi = store.getOr404(store.intents, 'payment_intent', piId!, 'payment_intent');
      if (pi.status !== 'succeeded' || !pi.latest_charge) {
        throw invalid(
          `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
          'charge_not_refundable',
          'payment_intent',
        );
      }
      charge = store.getOr404(store.charges, 'charge', pi.latest_charge, 'payment_intent');
    }
    const reason = oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']);
    const amount = int(p, 'amount');
    await latency();
    return c.json(
      store.refund(charge, amount, { reason: reason ?? null, metadata: mergeMetadata({}, p) }, requestInfo(c)),
    );
  });
  app.get('/v1/refunds', (c) => {
    const pi = c.get('params').payment_intent;
    return c.json(list(c, [...store.refunds.values()], '/v1/refunds', (x) => !pi || x.payment_intent === pi));
  });
  app.get('/v1/refunds/:id', (c) => c.json(store.getOr404(store.refunds, 'refund', c.req.param('id'))));

  // ---- Webhook endpoints: the secret is shown once, on creation (as on Stripe) ----
  const withoutSecret = (e: WebhookEndpointObject): WebhookEndpointObject => {
    const copy = { ...e };
    delete copy.secret;
    return copy;
  };
  const checkUrl = (url: string) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid(`Invalid URL: ${url}`, 'url_invalid', 'url');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw invalid('Invalid URL: must be http or https', 'url_invalid', 'url');
    return url;
  };
  const checkEvents = (events: string[]) => {
    const bad = events.find((e) => e !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(e));
    if (bad !== undefined)
      throw invalid(
        `Invalid enabled_events: ${bad} is not an event type`,
        'parameter_invalid_string',
        'enabled_events',
      );
    if (events.length === 0)
      throw invalid('enabled_events must not be empty', 'parameter_invalid_array', 'enabled_events');
    return events;
  };
  app.post('/v1/webhook_endpoints', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect']);
    const url = checkUrl(str(p, 'url', true));
    const events = checkEvents(strArray(p, 'enabled_events', true)!);
    await latency();
    return c.json(
      store.createEndpoint(
        {
          url,
          enabled_events: events,
          description: str(p, 'description') ?? null,
          metadata: mergeMetadata({}, p),
          api_version: str(p, 'api_version') ?? null,
        },
        newSigningSecret('stripe', ids),
      ),
    );
  });
  app.get('/v1/webhook_endpoints', (c) =>
    c.json(list(c, [...store.endpoints.values()].map(withoutSecret), '/v1/webhook_endpoints')),
  );
  app.get('/v1/webhook_endpoints/:id', (c) =>
    c.json(withoutSecret(store.getOr404(store.endpoints, 'webhook_endpoint', c.req.param('id')))),
  );
  app.post('/v1/webhook_endpoints/:id', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['url', 'enabled_events', 'description', 'metadata', 'disabled']);
    const endpoint = store.getOr404(store.endpoints, 'webhook_endpoint', c.req.param('id'));
    const url = str(p, 'url');
    const events = strArray(p, 'enabled_events');
    const disabled = bool(p, 'disabled');
    // Every check first, then the change: a rejected update leaves the endpoint as it was.
    const changes = {
      ...(url !== undefined ? { url: checkUrl(url) } : {}),
      ...(events !== undefined ? { enabled_events: checkEvents(events) } : {}),
      ...(disabled !== undefined ? { status: disabled ? ('disabled' as const) : ('enabled' as const) } : {}),
      description: str(p, 'description') ?? endpoint.description,
      metadata: mergeMetadata(endpoint.metadata, p),
    };
    Object.assign(endpoint, changes);
    return c.json(withoutSecret(endpoint));
  });
  app.delete('/v1/webhook_endpoints/:id', (c) => {
    const endpoint = store.getOr404(store.endpoints, 'webhook_endpoint', c.req.param('id'));
    store.endpoints.delete(endpoint.id);
    return c.json({ id: endpoint.id, object: 'webhook_endpoint', deleted: true });
  });

  // ---- Events ----
  app.get('/v1/events', (c) => {
    const p = c.get('params');
    const type = typeof p.type === 'string' ? p.type : undefined;
    const types = Array.isArray(p.types) ? p.types : undefined;
    const matches = (t: string) =>
      (!type || (type.endsWith('.*') ? t.startsWith(type.slice(0, -1)) : t === type)) && (!types || types.includes(t));
    return c.json(list(c, [...store.events.values()], '/v1/events', (e) => matches(e.type)));
  });
  app.get('/v1/events/:id', (c) => c.json(store.getOr404(store.events, 'event', c.req.param('id'))));

  // ---- Control API: the shared routes plus endpoints signed with the mock's fixed secret ----
  const control: StripeControl = {
    engine,
    store,
    apiFaults,
    apiKey,
    webhookSecret,
    addEndpoint(url, events = ['*']) {
      const endpoint = store.createEndpoint(
        {
          url,
          enabled_events: events,
          description: 'added through /_control/endpoints',
          metadata: {},
          api_version: null,
        },
        webhookSecret,
      );
      return { id: endpoint.id, url, secret: webhookSecret };
    },
    trigger: (body) => triggerEvent(store, body),
    secrets: () => ({
      api_key: apiKey,
      api_key_rule: options.apiKey ? 'exactly this key' : 'any sk_test_… key',
      webhook_secret: webhookSecret,
      endpoints: [...store.endpoints.values()].map((e) => ({ id: e.id, url: e.url, secret: e.secret })),
    }),
    reset: () => {
      store.reset();
      idempotency.clear();
      apiFaults.clear();
    },
  };
  app.get('/_control/api-faults', (c) => c.json({ data: apiFaults.list() }));
  app.post('/_control/api-faults', async (c) => {
    const body = await readControlJson(c);
    if (!body.ok) return body.response;
    const result = apiFaults.add(body.value);
    if ('errors' in result) return controlError(c, 422, 'invalid_fault', 'The API fault is not valid', result.errors);
    return c.json(result.rule, 201);
  });
  app.delete('/_control/api-faults', (c) => {
    apiFaults.clear();
    return c.json({ data: [] });
  });
  app.post('/_control/endpoints', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const url = body?.url;
    const events = body?.enabled_events ?? ['*'];
    let problem: string | undefined;
    if (typeof url !== 'string') problem = 'url is required';
    else {
      try {
        checkUrl(url);
        checkEvents(events as string[]);
      } catch (err) {
        problem = (err as Error).message;
      }
      if (!Array.isArray(events) || !events.every((e) => typeof e === 'string'))
        problem = 'enabled_events must be a list of event types';
    }
    if (problem)
      return controlError(c, 400, 'invalid_endpoint', problem, [
        { field: typeof url === 'string' ? 'enabled_events' : 'url', message: problem },
      ]);
    return c.json(control.addEndpoint(url as string, events as string[]), 201);
  });
  const closeStreams = mountControl(app as unknown as Hono, {
    title: 'Stripe mock',
    engine,
    trigger: control.trigger,
    secrets: control.secrets,
    reset: control.reset,
  });

  return {
    name: 'stripe',
    app: app as unknown as Hono,
    control,
    controlToken,
    setBaseUrl: () => {},
    async close() {
      closing.abort(); // answers held back by a hang_after fault
      closeStreams();
      await engine.close();
    },
  };
}

/** A Stripe list page: newest first, `limit` (1–100, default 10), `starting_after`, `ending_before`. */
function list<T extends { id: string; created: number }>(
  c: Context<Vars>,
  items: T[],
  url: string,
  keep: (item: T) => boolean = () => true,
) {
  const p = c.get('params');
  const limit = int(p, 'limit') ?? 10;
  if (limit < 1 || limit > 100)
    throw invalid('This value must be between 1 and 100.', 'parameter_invalid_integer', 'limit');
  let rows = items.filter(keep).reverse(); // Maps keep insertion order: reversed is newest first
  const after = str(p, 'starting_after');
  const before = str(p, 'ending_before');
  if (after) {
    const at = rows.findIndex((r) => r.id === after);
    if (at < 0) throw noSuch('object', after, 'starting_after');
    rows = rows.slice(at + 1);
  } else if (before) {
    const at = rows.findIndex((r) => r.id === before);
    if (at < 0) throw noSuch('object', before, 'ending_before');
    rows = rows.slice(Math.max(0, at - limit), at);
  }
  return { object: 'list', data: rows.slice(0, limit), has_more: rows.length > limit, url };
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

/**
 * `POST /_control/events`, like `stripe trigger`: `{ "type": "payment_intent.succeeded" }` creates and confirms a
 * payment intent (so every event of that flow is sent); other known types likewise; any other type needs
 * `data.object` and is sent as given.
 */
function triggerEvent(store: StripeStore, body: Record<string, unknown>): unknown {
  const type = body.type;
  if (typeof type !== 'string' || !/^[a-z_]+(\.[a-z_]+)+$/.test(type)) {
    throw new ControlInputError(400, 'invalid_event', 'type is required, e.g. "payment_intent.succeeded"', [
      { field: 'type', message: 'missing or malformed' },
    ]);
  }
  const nobody: RequestInfo = { id: null, idempotency_key: null };
  const amount =
    typeof body.amount === 'number' && Number.isInteger(body.amount) && body.amount >= 50 ? body.amount : 2000;
  const before = new Set(store.events.keys());
  const newPaymentIntent = (method: string) =>
    store.createPaymentIntent(
      {
        amount,
        currency: 'usd',
        customer: null,
        description: '(created by POST /_control/events)',
        metadata: {},
        payment_method: method,
        receipt_email: null,
      },
      nobody,
    );
  switch (type) {
    case 'payment_intent.created':
      newPaymentIntent('pm_card_visa');
      break;
    case 'payment_intent.succeeded':
    case 'charge.succeeded':
      store.confirmPaymentIntent(newPaymentIntent('pm_card_visa'), undefined, nobody);
      break;
    case 'payment_intent.payment_failed':
    case 'charge.failed':
      try {
        store.confirmPaymentIntent(newPaymentIntent('pm_card_chargeDeclined'), undefined, nobody);
      } catch (err) {
        if (!(err instanceof StripeError)) throw err;
      }
      break;
    case 'payment_intent.canceled':
      store.cancelPaymentIntent(newPaymentIntent('pm_card_visa'), 'requested_by_customer', nobody);
      break;
    case 'charge.refunded':
    case 'refund.created': {
      const pi = store.confirmPaymentIntent(newPaymentIntent('pm_card_visa'), undefined, nobody);
      store.refund(
        store.charges.get(pi.latest_charge!)!,
        undefined,
        { reason: 'requested_by_customer', metadata: {} },
        nobody,
      );
      break;
    }
    case 'customer.created':
      store.createCustomer(
        { email: 'jenny.rosen@example.com', name: 'Jenny Rosen', description: null, phone: null, metadata: {} },
        nobody,
      );
      break;
    default: {
      const data = body.data as { object?: unknown } | undefined;
      const object = data?.object;
      if (
        !object ||
        typeof object !== 'object' ||
        Array.isArray(object) ||
        typeof (object as { id?: unknown }).id !== 'string'
      ) {
        throw new ControlInputError(
          422,
          'unknown_event_type',
          `No built-in flow for ${type}: send data.object (with an id) to emit it as given`,
          [{ field: 'data.object', message: 'required for this type' }],
        );
      }
      store.emit(type, { created: Math.floor(Date.now() / 1000), ...(object as { id: string }) }, nobody);
    }
  }
  const events = [...store.events.values()].filter((e) => !before.has(e.id));
  return { events: events.map((e) => ({ id: e.id, type: e.type })) };
}
