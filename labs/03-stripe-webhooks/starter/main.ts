// Lab 03 — a checkout that trusts only signed Stripe events.
// Read labs/03-stripe-webhooks/README.md, then run: npm run lab -- check 03
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import Stripe from 'stripe';

// Done for you: the harness (and `npm run lab -- start 03`) give these from the Stripe mock.
const apiKey = process.env.STRIPE_API_KEY ?? '';
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? '';
const stripeUrl = new URL(process.env.STRIPE_MOCK_URL ?? 'http://127.0.0.1:12111');
const receiptDelayMs = Number(process.env.RECEIPT_DELAY_MS ?? 1500);
const dataDir = process.env.DATA_DIR ?? '.data';

// Done for you: the official SDK, pointed at the mock instead of api.stripe.com.
const stripe = new Stripe(apiKey, {
  host: stripeUrl.hostname,
  port: Number(stripeUrl.port),
  protocol: stripeUrl.protocol === 'https:' ? 'https' : 'http',
});

const app = new Hono();

// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 1: POST /orders {"amount","currency"?} — amount integer cents 50…99999999, currency three letters (default
//         "usd"), else 400 validation_failed naming the field; save a pending order, create its PaymentIntent with
//         stripe.paymentIntents.create({ amount, currency, metadata: { order_id } }, { idempotencyKey: … }) (a key
//         made from the order id),
//         answer 201 with the order (id, status, amount, currency, payment_intent_id, events, receipt_sent_at).
// TODO 2: GET /orders/:id — the order, or 404 with the error envelope.
// TODO 3: POST /webhooks/stripe — verify the Stripe-Signature on the raw body (400 if it does not verify or is
//         older than 300 s), using webhookSecret.
// TODO 4: move the order: payment_intent.succeeded → paid, payment_intent.payment_failed → failed,
//         charge.refunded (whole charge) → refunded; other types, and events about orders you do not have → 200 and
//         nothing else. Never move an order backwards.
// TODO 5: apply each event id once, even across a restart: keep orders and handled event ids in dataDir.
// TODO 6: after a payment, send the receipt (wait receiptDelayMs, then set receipt_sent_at) — after answering; a
//         receipt still owed when the process died is sent after the restart.
void stripe;
void webhookSecret;
void receiptDelayMs;
void dataDir;

// Keep this: the port comes from the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`checkout listening on http://localhost:${info.port}`);
});
