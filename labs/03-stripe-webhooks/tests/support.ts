// Helpers for this lab's tests: the Stripe side of the conversation (what a browser and Stripe would do).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { http, startLab, waitFor, type LabRun, type StartLabOptions } from '#testkit';
import type { StripeControl } from '../../../mock-servers/index.ts';

export interface CheckoutRun {
  run: LabRun;
  control: StripeControl;
  /** The SDK as the tests use it: confirm payments (what Stripe.js does in a browser), refund them. */
  stripe: Stripe;
  endpointId: string;
  secret: string;
  stop(): Promise<void>;
}

/** Start the app with a fresh data folder and register its webhook endpoint, like `stripe listen --forward-to`. */
export async function startCheckout(options: StartLabOptions = {}): Promise<CheckoutRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lab03-'));
  const run = await startLab({ ...options, env: { DATA_DIR: dataDir, ...options.env } });
  const mock = run.mocks.stripe!;
  const control = mock.mock.control;
  const endpoint = control.addEndpoint(`${run.url}/webhooks/stripe`);
  const url = new URL(mock.url);
  const stripe = new Stripe(control.apiKey, { host: url.hostname, port: Number(url.port), protocol: 'http' });
  return {
    run,
    control,
    stripe,
    endpointId: endpoint.id,
    secret: endpoint.secret,
    async stop() {
      await run.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Create an order through the app (any 2xx: the 201 is the create rule's business) and return it; it must name its
 * PaymentIntent, which the payment tests confirm.
 */
export async function createOrder(run: LabRun, amount = 2500) {
  const res = await http(`${run.url}/orders`, { method: 'POST', json: { amount, currency: 'usd' } });
  if (
    res.status < 200 ||
    res.status >= 300 ||
    typeof res.json?.id !== 'string' ||
    typeof res.json?.payment_intent_id !== 'string'
  ) {
    throw new Error(`POST /orders should answer 201 with { id, payment_intent_id, … }: ${res.said}`);
  }
  return res.json as { id: string; payment_intent_id: string; status: string };
}

/** GET /orders/:id; a missing order throws (with what came back). */
export async function getOrder(run: LabRun, id: string) {
  const res = await http(`${run.url}/orders/${id}`);
  if (res.status !== 200) throw new Error(`GET /orders/${id} should answer 200 with the order: ${res.said}`);
  return res.json as { id: string; status: string; events?: string[]; receipt_sent_at?: string | null };
}

export function waitForStatus(run: LabRun, id: string, status: string, timeoutMs = 10_000) {
  return waitFor(async () => (await getOrder(run, id)).status === status, {
    timeoutMs,
    message: `order ${id} to become "${status}"`,
  });
}

/** Pay with a test card (what the customer's browser does with Stripe.js); a declined card is not an error here. */
export async function pay(ck: CheckoutRun, paymentIntentId: string, paymentMethod = 'pm_card_visa') {
  try {
    await ck.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod });
  } catch (error) {
    if ((error as { type?: string }).type !== 'StripeCardError') throw error;
  }
}

/** The Stripe event of a type about one payment intent (or its charge). */
export function eventFor(ck: CheckoutRun, type: string, paymentIntentId: string) {
  return [...ck.control.store.events.values()].find((e) => {
    const object = e.data.object as { id?: string; payment_intent?: string };
    return e.type === type && (object.id === paymentIntentId || object.payment_intent === paymentIntentId);
  });
}

/** The delivery of that event to the app's endpoint, once it has one attempt answered (or failed). */
export function deliveryOf(ck: CheckoutRun, eventId: string) {
  return ck.control.engine.list({ endpointId: ck.endpointId }).find((d) => d.event_id === eventId);
}

export async function settledDelivery(ck: CheckoutRun, type: string, paymentIntentId: string, timeoutMs = 10_000) {
  const event = await waitFor(() => eventFor(ck, type, paymentIntentId), { timeoutMs, message: `a ${type} event` });
  const delivery = await waitFor(
    () => {
      const d = deliveryOf(ck, event.id);
      return d && d.attempts.length > 0 && d.status !== 'pending' && d.status !== 'held' ? d : undefined;
    },
    { timeoutMs, message: `the delivery of ${type} to be answered` },
  );
  return { event, delivery };
}

/** The PaymentIntent on (mock) Stripe, as an event would carry it, with the fields given changed. */
export function intentOf(ck: CheckoutRun, paymentIntentId: string, changes: Record<string, unknown> = {}) {
  const intent = ck.control.store.intents.get(paymentIntentId);
  if (!intent) throw new Error(`no PaymentIntent ${paymentIntentId} on the mock`);
  return { ...structuredClone(intent), ...changes };
}

/**
 * A Stripe-shaped event about a payment intent (or any object), pretty-printed and signed like Stripe does (or not
 * quite, for the forgery tests: another secret, an old timestamp).
 */
export function signedEvent(
  ck: CheckoutRun,
  type: string,
  intent: object,
  { timestamp = Math.floor(Date.now() / 1000), secret = ck.secret } = {},
) {
  const id = `evt_test_${Math.random().toString(36).slice(2, 14)}`;
  const payload = JSON.stringify(
    {
      id,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: timestamp,
      data: { object: intent },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    },
    null,
    2,
  );
  const signature = ck.stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return { id, payload, signature };
}

export function postWebhook(run: LabRun, payload: string, signature?: string) {
  return http(`${run.url}/webhooks/stripe`, {
    method: 'POST',
    body: payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(signature ? { 'stripe-signature': signature } : {}),
    },
  });
}
