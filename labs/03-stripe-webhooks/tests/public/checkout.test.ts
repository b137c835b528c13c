import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { createOrder, getOrder, pay, postWebhook, settledDelivery, signedEvent, startCheckout, waitForStatus, type CheckoutRun } from '../support.ts';

let ck: CheckoutRun;
beforeAll(async () => {
  ck = await startCheckout();
});
afterAll(async () => {
  await ck?.stop();
});

graded('POST /orders creates a pending order and its PaymentIntent with an Idempotency-Key', {
  points: 2,
  hint: 'Create the PaymentIntent with stripe.paymentIntents.create({ amount, currency, metadata: { order_id } }, { idempotencyKey: … }) and answer 201 with the order.',
}, async () => {
  const order = await createOrder(ck.run, 2500);
  expect(order.status).toBe('pending');
  const intent = ck.control.store.intents.get(order.payment_intent_id);
  expect(intent, 'the payment_intent_id should name a PaymentIntent that exists on Stripe').toBeDefined();
  expect(intent!.amount).toBe(2500);
  expect(intent!.metadata.order_id, 'put the order id in the PaymentIntent metadata').toBe(order.id);
  const created = [...ck.control.store.events.values()].find((e) => e.type === 'payment_intent.created' && (e.data.object as { id: string }).id === intent!.id);
  const key = created?.request.idempotency_key ?? '';
  expect(key, 'the create call should carry an Idempotency-Key derived from the order id').toContain(order.id);
});

graded('GET /orders/:id shows the order, and 404 for an unknown one', {
  points: 1,
  hint: 'Answer the stored order as JSON; an id you do not know gets 404 with the error envelope.',
}, async () => {
  const order = await createOrder(ck.run);
  const seen = await getOrder(ck.run, order.id);
  expect(seen).toMatchObject({ id: order.id, status: 'pending', payment_intent_id: order.payment_intent_id });
  const missing = await http(`${ck.run.url}/orders/ord_nope`);
  expect(missing.status).toBe(404);
  expect(typeof missing.json?.error?.message).toBe('string');
});

graded('payment_intent.succeeded from Stripe marks the order paid', {
  points: 3,
  hint: 'Verify the event with stripe.webhooks.constructEvent(rawBody, signature, secret) on the raw body (c.req.arrayBuffer()), then find the order through data.object.metadata.order_id.',
}, async () => {
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id);
  const { delivery } = await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id);
  expect(delivery.attempts[0]?.response?.status, `your endpoint answered: ${delivery.attempts[0]?.response?.body ?? delivery.attempts[0]?.error}`).toBeLessThan(300);
  await waitForStatus(ck.run, order.id, 'paid');
});

graded('an event with a forged or missing signature gets 400 and changes nothing', {
  points: 2,
  hint: 'Anyone can POST to your webhook URL: refuse (400) every request whose Stripe-Signature does not verify with your endpoint secret.',
}, async () => {
  const order = await createOrder(ck.run);
  const intent = { ...ck.control.store.intents.get(order.payment_intent_id)!, status: 'succeeded' };
  const wrongKey = signedEvent(ck, 'payment_intent.succeeded', intent, { secret: 'whsec_not_the_right_secret' });
  expect((await postWebhook(ck.run, wrongKey.payload, wrongKey.signature)).status, 'signed with another secret').toBe(400);
  const good = signedEvent(ck, 'payment_intent.succeeded', intent);
  const tampered = good.payload.replace('"amount": 2500', '"amount": 1');
  expect((await postWebhook(ck.run, tampered, good.signature)).status, 'body changed after signing').toBe(400);
  expect((await postWebhook(ck.run, good.payload)).status, 'no Stripe-Signature header').toBe(400);
  expect((await getOrder(ck.run, order.id)).status).toBe('pending');
});

graded('unknown event types are acknowledged (2xx) and ignored', {
  points: 1,
  hint: 'Stripe sends every type the endpoint subscribed to: answer 2xx for types you do not handle, or Stripe retries them for days.',
}, async () => {
  const sent = ck.control.trigger({ type: 'customer.created' }) as { events: { id: string }[] };
  const eventId = sent.events[0]!.id;
  const delivery = await waitFor(() => {
    const d = ck.control.engine.list({ endpointId: ck.endpointId }).find((x) => x.event_id === eventId);
    return d && d.attempts.length > 0 ? d : undefined;
  }, { timeoutMs: 10_000, message: 'the customer.created delivery' });
  expect(delivery.attempts[0]?.response?.status, `your endpoint answered: ${delivery.attempts[0]?.response?.body ?? delivery.attempts[0]?.error}`).toBeGreaterThanOrEqual(200);
  expect(delivery.attempts[0]?.response?.status).toBeLessThan(300);
});
