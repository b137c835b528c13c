import { afterAll, beforeAll, expect } from 'vitest';
import { graded, waitFor } from '#testkit';
import { createOrder, eventFor, deliveryOf, pay, startCheckout, waitForStatus, type CheckoutRun } from '../support.ts';

let ck: CheckoutRun;
beforeAll(async () => {
  // Stripe's ~3-day retry schedule, 1000× faster: retries after 0.06 s, 0.3 s, 1.8 s, 7.2 s, 18 s, …
  ck = await startCheckout({ mockOptions: { stripe: { timeScale: 0.001 } } });
});
afterAll(async () => {
  await ck?.stop();
});

graded('an event sent while the service was down arrives through Stripe\'s retries after a restart', {
  points: 3,
  hint: 'Orders must survive a crash (DATA_DIR), and the handler must work for an event that comes late: Stripe retries failed deliveries with backoff.',
  timeout: 60_000,
}, async () => {
  const order = await createOrder(ck.run);
  await pay(ck, order.payment_intent_id);
  await waitForStatus(ck.run, order.id, 'paid');
  ck.run.app.kill('SIGKILL');
  await waitFor(() => !ck.run.app.running, { timeoutMs: 5000, message: 'the app to stop' });
  await ck.stripe.refunds.create({ payment_intent: order.payment_intent_id });
  const event = await waitFor(() => eventFor(ck, 'charge.refunded', order.payment_intent_id), { message: 'the charge.refunded event' });
  await waitFor(() => deliveryOf(ck, event.id)?.attempts.some((a) => !a.succeeded), { timeoutMs: 10_000, message: 'a failed delivery while the app is down' });
  await ck.run.app.restart();
  await waitForStatus(ck.run, order.id, 'refunded', 40_000);
  expect(deliveryOf(ck, event.id)?.status).toBe('succeeded');
});
