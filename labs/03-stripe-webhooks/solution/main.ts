// Lab 03 — a checkout that trusts only signed Stripe events.
// POST /orders creates a PaymentIntent; Stripe tells us what happened to it through signed webhooks.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import Stripe from 'stripe';
import { openStore, type Order, type OrderStatus } from './store.ts';

const apiKey = required('STRIPE_API_KEY');
const webhookSecret = required('STRIPE_WEBHOOK_SECRET');
const stripeUrl = new URL(process.env.STRIPE_MOCK_URL ?? 'http://127.0.0.1:12111');
const receiptDelayMs = Number(process.env.RECEIPT_DELAY_MS ?? 1500);
const store = openStore(process.env.DATA_DIR ?? '.data');

// The official SDK, pointed at the mock instead of api.stripe.com.
const stripe = new Stripe(apiKey, {
  host: stripeUrl.hostname,
  port: Number(stripeUrl.port),
  protocol: stripeUrl.protocol === 'https:' ? 'https' : 'http',
  maxNetworkRetries: 2,
});

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

// #region create-order
app.post('/orders', async (c) => {
  const body = await c.req.json().catch(() => undefined) as { amount?: unknown; currency?: unknown } | undefined;
  const amount = body?.amount;
  const currency = body?.currency ?? 'usd';
  if (!Number.isInteger(amount) || (amount as number) < 50 || (amount as number) > 99_999_999) {
    return fail(c, 400, 'validation_failed', 'The order is invalid.', [{ field: 'amount', message: 'must be an integer number of cents from 50 to 99999999' }]);
  }
  if (typeof currency !== 'string' || !/^[a-z]{3}$/.test(currency)) {
    return fail(c, 400, 'validation_failed', 'The order is invalid.', [{ field: 'currency', message: 'must be a three-letter ISO code in lower case' }]);
  }
  const now = new Date().toISOString();
  const order: Order = {
    id: `ord_${randomUUID()}`, amount: amount as number, currency, status: 'pending', payment_intent_id: null,
    events: [], receipt_sent_at: null, created_at: now, updated_at: now,
  };
  // Saved before calling Stripe: its first webhook can arrive before the API call returns.
  store.orders.set(order.id, order);
  store.save();
  try {
    // The key is derived from the order, so a retry after a timeout returns the same PaymentIntent, not a second one.
    const intent = await stripe.paymentIntents.create(
      { amount: order.amount, currency, metadata: { order_id: order.id } },
      { idempotencyKey: `order-${order.id}` },
    );
    order.payment_intent_id = intent.id;
    store.save();
    return c.json({ ...order, client_secret: intent.client_secret }, 201);
  } catch (error) {
    console.error('could not create the PaymentIntent:', (error as Error).message);
    return fail(c, 502, 'payment_provider_error', 'Stripe did not accept the payment; try again.');
  }
});
// #endregion create-order

app.get('/orders/:id', (c) => {
  const order = store.orders.get(c.req.param('id'));
  return order ? c.json(order) : fail(c, 404, 'not_found', `No order ${c.req.param('id')}.`);
});

// #region webhook
app.post('/webhooks/stripe', async (c) => {
  // The signature covers the exact bytes Stripe sent: read them raw, never JSON.parse + JSON.stringify.
  const raw = Buffer.from(await c.req.arrayBuffer());
  let event: Stripe.Event;
  try {
    // Checks the HMAC in constant time and refuses timestamps more than 300 s old (replayed requests).
    event = stripe.webhooks.constructEvent(raw, c.req.header('stripe-signature') ?? '', webhookSecret, 300);
  } catch (error) {
    return fail(c, 400, 'invalid_signature', `Webhook signature verification failed: ${(error as Error).message}`);
  }
  // Stripe delivers at least once: the same event can come twice, or again after our restart.
  if (store.hasProcessed(event.id)) return c.json({ received: true, duplicate: true });
  const order = apply(event);
  store.markProcessed(event.id);
  store.save(); // the order change and "seen" are written together
  // Answer first; slow work (the receipt e-mail) runs after, so Stripe never waits or times out.
  if (order?.status === 'paid' && !order.receipt_sent_at) setImmediate(() => void sendReceipt(order));
  return c.json({ received: true });
});
// #endregion webhook

// #region apply
// Each event type says where the order should be; an order only moves forward, so a late or out-of-order event
// (say payment_intent.created after payment_intent.succeeded) cannot undo a later state.
const TARGET: Record<string, OrderStatus> = {
  'payment_intent.created': 'pending',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.succeeded': 'paid',
  'charge.refunded': 'refunded',
};
const RANK: Record<OrderStatus, number> = { pending: 0, failed: 1, paid: 2, refunded: 3 };

function apply(event: Stripe.Event): Order | undefined {
  const target = TARGET[event.type];
  if (!target) return undefined; // acknowledged and ignored: we subscribed to more than we handle
  const object = event.data.object as { metadata?: Record<string, string>; refunded?: boolean };
  const order = store.orders.get(object.metadata?.order_id ?? '');
  if (!order) return undefined;
  order.events.push(event.id);
  const fullyRefunded = event.type !== 'charge.refunded' || object.refunded === true;
  if (fullyRefunded && RANK[target] > RANK[order.status]) {
    order.status = target;
    order.updated_at = new Date().toISOString();
  }
  return order;
}
// #endregion apply

// Stands in for a slow e-mail API call.
async function sendReceipt(order: Order): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, receiptDelayMs));
  order.receipt_sent_at = new Date().toISOString();
  store.save();
  console.log(`receipt sent for ${order.id}`);
}

// A crash between answering and sending must not lose the receipt: resume what was still owed.
for (const order of store.orders.values()) if (order.status === 'paid' && !order.receipt_sent_at) void sendReceipt(order);

function fail(c: Context, status: 400 | 404 | 502, code: string, message: string, details: { field: string; message: string }[] = []) {
  return c.json({ error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } }, status);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (npm run lab -- start 03 sets it from the Stripe mock).`);
    process.exit(1);
  }
  return value;
}

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`checkout listening on http://localhost:${info.port}`);
});
