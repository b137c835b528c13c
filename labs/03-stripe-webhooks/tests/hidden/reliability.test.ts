import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { createOrder, getOrder, pay, postWebhook, settledDelivery, signedEvent, startCheckout, waitForStatus, type CheckoutRun } from '../support.ts';

const RECEIPT_DELAY_MS = 3000;

let ck: CheckoutRun;
beforeAll(async () => {
  ck = await startCheckout({ env: { RECEIPT_DELAY_MS: String(RECEIPT_DELAY_MS) } });
});
afterAll(async () => {
  await ck?.stop();
});

graded('POST /orders refuses a bad amount or currency with 400 and the error envelope, and creates nothing', {
  points: 1,
  hint: 'Check the body before calling Stripe: amount an integer number of cents from 50 to 99999999, currency three lower-case letters; name the field in error.details.',
}, async () => {
  const intentsBefore = ck.control.store.intents.size;
  for (const [body, field] of [[{ amount: 10 }, 'amount'], [{ amount: 25.5 }, 'amount'], [{ amount: '2500' }, 'amount'], [{ amount: 2500, currency: 'dollars' }, 'currency']] as const) {
    const res = await http(`${ck.run.url}/orders`, { method: 'POST', json: body });
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.json?.error?.details?.[0]?.field, JSON.stringify(body)).toBe(field);
  }
  expect(ck.control.store.intents.size, 'no PaymentIntent should be created for a refused order').toBe(intentsBefore);
});

graded('a stale event (timestamp over 5 minutes old) gets 400 even with a valid signature', {
  points: 2,
  hint: 'The signed timestamp is there to stop replays: check it against a tolerance (constructEvent does, 300 s by default; never pass 0).',
}, async () => {
  const order = await createOrder(ck.run);
  const intent = { ...ck.control.store.intents.get(order.payment_intent_id)!, status: 'succeeded' };
  const stale = signedEvent(ck, 'payment_intent.succeeded', intent, { timestamp: Math.floor(Date.now() / 1000) - 600 });
  expect((await postWebhook(ck.run, stale.payload, stale.signature)).status).toBe(400);
  expect((await getOrder(ck.run, order.id)).status).toBe('pending');
  // The same event signed now is fine: the refusal above was about the age, nothing else.
  const fresh = signedEvent(ck, 'payment_intent.succeeded', intent);
  expect((await postWebhook(ck.run, fresh.payload, fresh.signature)).status).toBeLessThan(300);
  await waitForStatus(ck.run, order.id, 'paid');
});

graded('payment_intent.payment_failed marks the order failed, and a later success still pays it', {
  points: 2,
  hint: 'A declined card is not the end: the customer may try another one, so "failed" can still move on to "paid".',
}, async () => {
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id, 'pm_card_chargeDeclined');
  await settledDelivery(ck, 'payment_intent.payment_failed', order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'failed');
  await pay(ck, order.payment_intent_id, 'pm_card_visa');
  await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'paid');
});

graded('charge.refunded marks a paid order refunded', {
  points: 2,
  hint: 'charge.refunded carries a charge, not a payment intent: its metadata (copied from the payment intent) or its payment_intent field leads to the order.',
}, async () => {
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'paid');
  await ck.stripe.refunds.create({ payment_intent: order.payment_intent_id });
  await settledDelivery(ck, 'charge.refunded', order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'refunded');
});

graded('a duplicate delivery of the same event is applied once', {
  points: 2,
  hint: 'Stripe delivers at least once: remember the ids of events you handled (event.id) and acknowledge a repeat without applying it again.',
}, async () => {
  const order = await createOrder(ck.run);
  // The next attempts to this endpoint (charge.succeeded, payment_intent.succeeded) are each sent twice.
  ck.control.engine.faults.add({ mode: 'duplicate', endpoint_id: ck.endpointId, count: 2 });
  await pay(ck, order.payment_intent_id);
  const { event, delivery } = await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id);
  expect(delivery.attempts.map((a) => a.kind)).toEqual(['initial', 'duplicate']);
  await waitForStatus(ck.run, order.id, 'paid');
  const seen = await getOrder(ck.run, order.id);
  expect(seen.events?.filter((id) => id === event.id), 'the order\'s events list should hold the event id once').toEqual([event.id]);
});

graded('an event handled before a restart is still recognised as a duplicate after it', {
  points: 2,
  hint: 'The ids of handled events must survive a crash: keep them with the orders in DATA_DIR (a JSON file, written on every change), not only in memory.',
}, async () => {
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id);
  const { event, delivery } = await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'paid');
  await ck.run.app.restart();
  const attempt = await ck.control.engine.replay(delivery.id);
  expect(attempt?.response?.status, 'the replayed delivery should be acknowledged').toBeLessThan(300);
  const seen = await getOrder(ck.run, order.id);
  expect(seen.status).toBe('paid');
  expect(seen.events?.filter((id) => id === event.id), 'after the restart the replayed event was applied again').toEqual([event.id]);
});

graded('a late payment_intent.created never moves a paid order back', {
  points: 2,
  hint: 'Events can arrive in any order: give the states a rank (pending < failed < paid < refunded) and only ever move forward.',
}, async () => {
  // The next delivery to this endpoint (payment_intent.created) is held back for 2.5 s, so it lands after the success.
  ck.control.engine.faults.add({ mode: 'delay', endpoint_id: ck.endpointId, count: 1, delay_ms: 2500 });
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'paid');
  const created = await settledDelivery(ck, 'payment_intent.created', order.payment_intent_id, 15_000);
  const succeeded = await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id);
  expect(Date.parse(created.delivery.attempts[0]!.started_at)).toBeGreaterThan(Date.parse(succeeded.delivery.attempts[0]!.started_at));
  expect((await getOrder(ck.run, order.id)).status).toBe('paid');
});

graded('the webhook is answered at once; the slow receipt is sent after answering', {
  points: 2,
  hint: 'Stripe waits only seconds for your answer: record the event, answer 200, and send the receipt afterwards (do not await it in the handler).',
}, async () => {
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id);
  const { delivery } = await settledDelivery(ck, 'payment_intent.succeeded', order.payment_intent_id, 15_000);
  const first = delivery.attempts[0]!;
  expect(first.response?.status).toBeLessThan(300);
  expect(first.duration_ms, `your endpoint took ${first.duration_ms} ms to answer (the receipt takes ${RECEIPT_DELAY_MS} ms)`).toBeLessThan(RECEIPT_DELAY_MS / 2);
  await waitFor(async () => (await getOrder(ck.run, order.id)).receipt_sent_at, { timeoutMs: RECEIPT_DELAY_MS + 10_000, message: 'receipt_sent_at to be set' });
});
