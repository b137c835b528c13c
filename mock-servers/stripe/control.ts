import type { DeliveryEngine } from '../engine/index.ts';
import { ControlInputError, controlError } from '../shared/index.ts';
import type { ControlApi } from '../shared/index.ts';
import type { ApiFaults } from './api-faults.ts';
import { StripeError } from './errors.ts';
import type { StripeControl } from './index.ts';
import { checkEvents, checkUrl } from './routes/webhook-endpoints.ts';
import type { RequestInfo, StripeStore } from './store.ts';

/** What the control handle works on (built by `createStripeMock`). */
interface StripeControlParts {
  engine: DeliveryEngine;
  store: StripeStore;
  apiFaults: ApiFaults;
  apiKey: string;
  /** True when `options.apiKey` was given: then only that key is accepted. */
  fixedKey: boolean;
  webhookSecret: string;
  /** Forget every saved idempotency key (on reset). */
  clearIdempotency(): void;
}

/** The in-process handle: endpoints signed with the mock's fixed secret, 3-D Secure, triggers, secrets, reset. */
export function createStripeControl(parts: StripeControlParts): StripeControl {
  const { engine, store, apiFaults, apiKey, fixedKey, webhookSecret, clearIdempotency } = parts;
  return {
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
    authenticate(id, outcome) {
      const pi = store.intents.get(id);
      if (!pi) throw new ControlInputError(404, 'not_found', `No PaymentIntent ${id}`);
      if (pi.status !== 'requires_action') {
        throw new ControlInputError(
          409,
          'not_awaiting_authentication',
          `PaymentIntent ${id} has a status of ${pi.status}: only one in requires_action awaits authentication`,
        );
      }
      return store.authenticatePaymentIntent(pi, outcome, { id: null, idempotency_key: null });
    },
    trigger: (body) => triggerEvent(store, body),
    secrets: () => ({
      api_key: apiKey,
      api_key_rule: fixedKey ? 'exactly this key' : 'any sk_test_… key',
      webhook_secret: webhookSecret,
      endpoints: [...store.endpoints.values()].map((e) => ({ id: e.id, url: e.url, secret: e.secret })),
    }),
    reset: () => {
      engine.reset();
      store.reset();
      clearIdempotency();
      apiFaults.clear();
    },
  };
}

/** Stripe's own control routes: `/_control/api-faults`, `…/payment_intents/:id/authenticate`, `…/endpoints`. */
export function mountStripeControl(ctl: ControlApi, control: StripeControl): void {
  const { routes } = ctl;
  const { apiFaults } = control;
  routes.get('/api-faults', (c) => c.json({ data: apiFaults.list() }));
  routes.post('/api-faults', async (c) => {
    const body = await ctl.readJson(c);
    if (!body.ok) return body.response;
    const result = apiFaults.add(body.value);
    if ('errors' in result) return controlError(c, 422, 'invalid_fault', 'The API fault is not valid', result.errors);
    return c.json(result.rule, 201);
  });
  routes.delete('/api-faults', (c) => {
    apiFaults.clear();
    return c.json({ data: [] });
  });
  routes.post('/payment_intents/:id/authenticate', async (c) => {
    const body = await ctl.readJson(c);
    if (!body.ok) return body.response;
    const outcome = body.value.outcome;
    if (outcome !== 'complete' && outcome !== 'fail') {
      return controlError(c, 422, 'invalid_outcome', 'outcome must be "complete" or "fail"', [
        { field: 'outcome', message: 'must be complete or fail' },
      ]);
    }
    return c.json(control.authenticate(c.req.param('id'), outcome));
  });
  routes.post('/endpoints', async (c) => {
    const body = await ctl.readJson(c);
    if (!body.ok) return body.response;
    const url = body.value.url;
    const events = body.value.enabled_events ?? ['*'];
    let problem: string | undefined;
    if (typeof url !== 'string') problem = 'url is required';
    else if (!Array.isArray(events) || !events.every((e) => typeof e === 'string'))
      problem = 'enabled_events must be a list of event types';
    else {
      try {
        checkUrl(url);
        checkEvents(events);
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    if (problem)
      return controlError(c, 400, 'invalid_endpoint', problem, [
        { field: typeof url === 'string' ? 'enabled_events' : 'url', message: problem },
      ]);
    return c.json(control.addEndpoint(url as string, events as string[]), 201);
  });
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
    case 'payment_intent.requires_action':
      store.confirmPaymentIntent(newPaymentIntent('pm_card_threeDSecure2Required'), undefined, nobody);
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
