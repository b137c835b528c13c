import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import {
  createOrder,
  deliveryOf,
  eventFor,
  getOrder,
  pay,
  startCheckout,
  waitForStatus,
  type CheckoutRun,
} from '../support.ts';

let ck: CheckoutRun;
beforeAll(async () => {
  // Stripe retries a failed delivery with backoff for about three days; here every quarter of a second for 15 s, so
  // the test does not depend on how long the app takes to start again.
  ck = await startCheckout({ mockOptions: { stripe: { timeScale: 0.001, retrySchedule: Array(60).fill(250) } } });
});
afterAll(async () => {
  await ck?.stop();
});

async function crash() {
  ck.run.app.kill('SIGKILL');
  await waitFor(() => !ck.run.app.running, { timeoutMs: 5000, message: 'the app to stop' });
}

graded(
  "an event sent while the service was down arrives through Stripe's retries after a restart",
  {
    rule: 'durable-orders',
    points: 3,
    hint: 'Orders must survive a crash (keep them in DATA_DIR, written on every change), and the handler must work for an event that comes late: Stripe retries failed deliveries with backoff.',
    timeout: 60_000,
  },
  async () => {
    const order = await createOrder(ck.run);
    await crash();
    await pay(ck, order.payment_intent_id);
    const event = await waitFor(() => eventFor(ck, 'payment_intent.succeeded', order.payment_intent_id), {
      message: 'the payment_intent.succeeded event',
    });
    await waitFor(() => deliveryOf(ck, event.id)?.attempts.some((a) => !a.succeeded), {
      timeoutMs: 10_000,
      message: 'a failed delivery while the app is down',
    });
    await ck.run.app.restart();
    await waitForStatus(ck.run, order.id, 'paid', 20_000);
    await waitFor(() => deliveryOf(ck, event.id)?.status === 'succeeded', {
      timeoutMs: 15_000,
      message: `Stripe to count the delivery of payment_intent.succeeded as answered 2xx (it is ${deliveryOf(ck, event.id)?.status})`,
    });
  },
);

graded(
  'a receipt still owed when the service crashed is sent after the restart',
  {
    rule: 'receipt-after-crash',
    points: 2,
    hint: 'Work done after answering is lost when the process dies: on start-up, look for paid orders whose receipt_sent_at is still null and send those receipts.',
    timeout: 60_000,
  },
  async () => {
    const receiptDelayMs = Number(ck.run.env.RECEIPT_DELAY_MS);
    const order = await createOrder(ck.run);
    await pay(ck, order.payment_intent_id);
    const paid = await waitFor(
      async () => {
        const seen = await getOrder(ck.run, order.id);
        return seen.status === 'paid' ? seen : undefined;
      },
      { timeoutMs: 10_000, message: `order ${order.id} to become "paid"` },
    );
    await crash();
    expect(
      paid.receipt_sent_at ?? null,
      `the receipt should still be owed (RECEIPT_DELAY_MS = ${receiptDelayMs}) when the app crashed right after the payment`,
    ).toBeNull();
    await ck.run.app.restart();
    const after = await http(`${ck.run.url}/orders/${order.id}`);
    // An order lost in the crash is the durable-orders rule's business; this one is about the owed receipt.
    if (after.status === 404) return;
    await waitFor(async () => (await getOrder(ck.run, order.id)).receipt_sent_at, {
      timeoutMs: receiptDelayMs + 10_000,
      message: `receipt_sent_at of ${order.id} after the restart`,
    });
  },
);
