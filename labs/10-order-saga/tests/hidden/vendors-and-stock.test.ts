// What the vendors do on a bad day — a booking whose answer is lost, outages for a moment — and many customers at once
// for the last units of a product.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import {
  address,
  bookingsFor,
  paidIntentsFor,
  placeOrder,
  startShop,
  stockOf,
  vendorsSay,
  waitFinal,
  type ShopRun,
} from '../support.ts';

let shop: ShopRun;
beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop?.stop();
});
afterEach(() => {
  shop.stripe.apiFaults.clear();
  shop.carriers.clearFaults();
});

graded(
  'A booking whose answer is lost is sent again with the same Idempotency-Key: one parcel, and the order completes',
  {
    rule: 'retry-same-key',
    points: 1,
    hint: "DHL booked the parcel but its answer never came: ask again with the booking's own key (order id and step) and DHL answers the same shipment number.",
  },
  async () => {
    shop.carriers.setFaults('dhl-shipping', { hangAfterNext: 1 });
    const id = await placeOrder(shop);
    const done = await waitFinal(shop, id, 6000);
    const parcels = bookingsFor(shop, id);
    expect(parcels.length, `parcels DHL booked for the order (${vendorsSay(shop, id)})`).toBe(1);
    expect(parcels[0]!.idempotencyKey, 'the Idempotency-Key of the booking').toBeTruthy();
    expect(done.json?.status, `after a lost answer the retry should go through: ${done.said}`).toBe('completed');
  },
);

graded(
  'Outages of a moment (a 500 from Stripe, two 503s from DHL) are waited out: the order completes with one payment and one parcel',
  {
    rule: 'retry-same-key',
    points: 1,
    hint: 'A 5xx is not a no: the vendor may come back in a moment. Wait RETRY_DELAY_MS and send the same request with the same key.',
  },
  async () => {
    shop.stripe.apiFaults.add({ mode: 'error', path: '/v1/payment_intents' });
    shop.carriers.setFaults('dhl-shipping', { failNext: 2, errorStatus: 503 });
    const id = await placeOrder(shop);
    const done = await waitFinal(shop, id, 6000);
    expect(done.json?.status, done.said).toBe('completed');
    expect(paidIntentsFor(shop, id), vendorsSay(shop, id)).toHaveLength(1);
    expect(
      bookingsFor(shop, id).map((b) => b.state),
      vendorsSay(shop, id),
    ).toEqual(['booked']);
  },
);

graded(
  'Six orders at once for the last three vases: three complete, three are compensated, the stock ends at zero',
  {
    rule: 'no-oversell',
    points: 2,
    hint: 'Check and take the stock in one statement (UPDATE … SET stock = stock − ? WHERE … AND stock >= ?) and look at how many rows it changed; a check now and a write after an await lets two orders take the same unit.',
  },
  async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        placeOrder(shop, { sku: 'vase', address: address({ name: `Customer ${i}` }) }),
      ),
    );
    const finals = await Promise.all(ids.map((id) => waitFinal(shop, id, 6000)));
    const statuses = finals.map((f) => f.json?.status as string);
    expect(statuses.filter((s) => s === 'completed').length, `statuses: ${statuses.join(', ')}`).toBe(3);
    expect(statuses.filter((s) => s === 'compensated').length, `statuses: ${statuses.join(', ')}`).toBe(3);
    const paid = ids.filter((id) => paidIntentsFor(shop, id).length > 0);
    expect(paid.length, 'orders that were charged: only those that got a vase').toBe(3);
    expect(await stockOf(shop, 'vase'), 'vases left').toBe(0);
  },
);
