import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http, waitFor } from '#testkit';
import {
  createOrder,
  getOrder,
  intentOf,
  pay,
  postWebhook,
  settledDelivery,
  signedEvent,
  startCheckout,
  waitForStatus,
  type CheckoutRun,
} from '../support.ts';

let ck: CheckoutRun;
beforeAll(async () => {
  ck = await startCheckout();
});
afterAll(async () => {
  await ck?.stop();
});

graded(
  'POST /orders creates a pending order and its PaymentIntent',
  {
    rule: 'create-order',
    points: 2,
    hint: 'Save a pending order, create its PaymentIntent with stripe.paymentIntents.create({ amount, currency, metadata: { order_id } }), and answer 201 with the order; the currency is "usd" when the body has none.',
  },
  async () => {
    const res = await http(`${ck.run.url}/orders`, { method: 'POST', json: { amount: 2500 } });
    expect(res.status, res.said).toBe(201);
    expect(res.json, `the order in the answer: ${res.said}`).toMatchObject({
      status: 'pending',
      amount: 2500,
      currency: 'usd',
      receipt_sent_at: null,
    });
    expect(typeof res.json.id, `the order's id: ${res.said}`).toBe('string');
    // Not necessarily empty: payment_intent.created may already have been applied when the answer is written.
    expect(Array.isArray(res.json.events), `the order's events list: ${res.said}`).toBe(true);
    const intent = ck.control.store.intents.get(res.json.payment_intent_id);
    expect(intent, `payment_intent_id should name a PaymentIntent that exists on Stripe: ${res.said}`).toBeDefined();
    expect(
      { amount: intent!.amount, currency: intent!.currency, order_id: intent!.metadata.order_id },
      'the PaymentIntent on Stripe (amount, currency, metadata.order_id)',
    ).toEqual({ amount: 2500, currency: 'usd', order_id: res.json.id });
  },
);

graded(
  'POST /orders creates the PaymentIntent with an Idempotency-Key made from the order id',
  {
    rule: 'idempotency-key',
    points: 1,
    hint: 'Pass { idempotencyKey: … } as the second argument of stripe.paymentIntents.create, derived from the order id (the same on every retry), never random.',
  },
  async () => {
    const order = await createOrder(ck.run, 1999);
    const created = [...ck.control.store.events.values()].find(
      (e) => e.type === 'payment_intent.created' && (e.data.object as { id: string }).id === order.payment_intent_id,
    );
    expect(created, `Stripe should have a payment_intent.created event for ${order.payment_intent_id}`).toBeDefined();
    const key = created!.request.idempotency_key ?? '(none)';
    expect(key, `the Idempotency-Key of the create call for order ${order.id}`).toContain(order.id);
  },
);

graded(
  'GET /orders/:id shows the order, and 404 for an unknown one',
  {
    rule: 'get-order',
    points: 1,
    hint: 'Answer the stored order as JSON; an id you do not know gets 404 with the error envelope.',
  },
  async () => {
    const order = await createOrder(ck.run);
    const seen = await http(`${ck.run.url}/orders/${order.id}`);
    expect(seen.status, seen.said).toBe(200);
    expect(seen.json, seen.said).toMatchObject({
      id: order.id,
      status: 'pending',
      payment_intent_id: order.payment_intent_id,
    });
    const missing = await http(`${ck.run.url}/orders/ord_nope`);
    expect(missing.status, missing.said).toBe(404);
    expectErrorEnvelope(missing);
  },
);

graded(
  'payment_intent.succeeded from Stripe marks the order paid',
  {
    rule: 'payment-states',
    points: 3,
    hint: 'Verify the event with stripe.webhooks.constructEvent(rawBody, signature, secret) on the raw body (c.req.arrayBuffer()), then find the order through data.object.metadata.order_id.',
  },
  async () => {
    const order = await createOrder(ck.run);
    await pay(ck, order.payment_intent_id);
    const { delivery } = await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id);
    expect(
      delivery.attempts[0]?.response?.status,
      `the payment_intent.succeeded delivery was answered: ${delivery.attempts[0]?.response?.body ?? delivery.attempts[0]?.error}`,
    ).toBeLessThan(300);
    await waitForStatus(ck.run, order.id, 'paid');
  },
);

graded(
  'an event with a forged or missing signature gets 400 and changes nothing',
  {
    rule: 'signature',
    points: 2,
    hint: 'Anyone can POST to your webhook URL: refuse (400) every request whose Stripe-Signature does not verify with your endpoint secret.',
  },
  async () => {
    const order = await createOrder(ck.run);
    const intent = intentOf(ck, order.payment_intent_id, { status: 'succeeded' });
    const wrongKey = signedEvent(ck, 'payment_intent.succeeded', intent, { secret: 'whsec_not_the_right_secret' });
    const forged = await postWebhook(ck.run, wrongKey.payload, wrongKey.signature);
    expect(forged.status, `signed with another secret: ${forged.said}`).toBe(400);
    const good = signedEvent(ck, 'payment_intent.succeeded', intent);
    const tampered = await postWebhook(ck.run, good.payload.replace('"amount": 2500', '"amount": 1'), good.signature);
    expect(tampered.status, `body changed after signing: ${tampered.said}`).toBe(400);
    const unsigned = await postWebhook(ck.run, good.payload);
    expect(unsigned.status, `no Stripe-Signature header: ${unsigned.said}`).toBe(400);
    expect((await getOrder(ck.run, order.id)).status, 'the order after the refused events').toBe('pending');
  },
);

graded(
  'unknown event types are acknowledged (2xx) and ignored',
  {
    rule: 'unknown-types',
    points: 1,
    hint: 'Stripe sends every type the endpoint subscribed to: answer 2xx for types you do not handle, or Stripe retries them for days.',
  },
  async () => {
    const sent = ck.control.trigger({ type: 'customer.created' }) as { events: { id: string }[] };
    const eventId = sent.events[0]!.id;
    const delivery = await waitFor(
      () => {
        const d = ck.control.engine.list({ endpointId: ck.endpointId }).find((x) => x.event_id === eventId);
        return d && d.attempts.length > 0 ? d : undefined;
      },
      { timeoutMs: 10_000, message: 'the customer.created delivery' },
    );
    const status = delivery.attempts[0]?.response?.status ?? 0;
    expect(
      status,
      `the customer.created delivery was answered: ${delivery.attempts[0]?.response?.body ?? delivery.attempts[0]?.error}`,
    ).toBeGreaterThanOrEqual(200);
    expect(
      status,
      `the customer.created delivery was answered: ${delivery.attempts[0]?.response?.body ?? delivery.attempts[0]?.error}`,
    ).toBeLessThan(300);
  },
);
