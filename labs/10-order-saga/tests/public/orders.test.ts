// Orders as a customer places them, and what the vendors hold afterwards: the way through, a declined card, a parcel
// DHL will not take, and an answer lost on the way back from Stripe.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http } from '#testkit';
import {
  address,
  bookingsFor,
  getOrder,
  intentsFor,
  paidIntentsFor,
  placeOrder,
  refundsFor,
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
  'POST /orders answers 201 with the id and status pending at once; a body without a known sku, quantity, card or address is 400',
  {
    rule: 'order-created',
    points: 2,
    hint: 'Record the order (and its pending steps) first, answer 201, and run the saga after the answer: the customer does not wait for DHL.',
  },
  async () => {
    const res = await http(`${shop.run.url}/orders`, {
      method: 'POST',
      json: { sku: 'mug', quantity: 2, payment_method: 'pm_card_visa', address: address() },
    });
    expect(res.status, res.said).toBe(201);
    expect(res.json, res.said).toMatchObject({ id: expect.any(String), status: 'pending' });
    const good = { sku: 'mug', quantity: 1, payment_method: 'pm_card_visa', address: address() };
    for (const bad of [
      { ...good, sku: 'no-such-thing' },
      { ...good, quantity: 0 },
      { ...good, quantity: 1.5 },
      { ...good, quantity: '2' },
      { ...good, payment_method: undefined },
      { ...good, address: undefined },
      { ...good, address: { ...address(), postal_code: undefined } },
      { ...good, address: { ...address(), city: '' } },
    ]) {
      const refused = await http(`${shop.run.url}/orders`, { method: 'POST', json: bad });
      expect(refused.status, refused.said).toBe(400);
      expectErrorEnvelope(refused);
    }
  },
);

graded(
  'GET /orders/{id} shows the status and the four steps: pending while the saga runs, each step done at the end; 404 for an unknown id',
  {
    rule: 'order-view',
    points: 2,
    hint: 'Read the order and its steps from the saga log: reserve_stock, charge, book_shipment, confirm, in that order.',
  },
  async () => {
    const id = await placeOrder(shop);
    const early = await getOrder(shop, id);
    expect(early.status, early.said).toBe(200);
    expect(early.json, early.said).toMatchObject({ id, status: 'pending' });
    const done = await waitFinal(shop, id);
    expect(done.json, done.said).toMatchObject({
      id,
      status: 'completed',
      steps: [
        { name: 'reserve_stock', status: 'done' },
        { name: 'charge', status: 'done' },
        { name: 'book_shipment', status: 'done' },
        { name: 'confirm', status: 'done' },
      ],
    });
    const refused = await placeOrder(shop, { address: address({ country: 'FRA', city: 'Lille' }) });
    const failed = await waitFinal(shop, refused);
    expect(failed.json, failed.said).toMatchObject({
      status: 'compensated',
      steps: [
        { name: 'reserve_stock', status: 'compensated' },
        { name: 'charge', status: 'compensated' },
        { name: 'book_shipment', status: 'failed' },
        { name: 'confirm', status: 'pending' },
      ],
    });
    const unknown = await getOrder(shop, 'ord_does_not_exist');
    expect(unknown.status, unknown.said).toBe(404);
  },
);

graded(
  'An order that goes through ends completed: one payment of price × quantity, one booked parcel, the stock down by the quantity',
  {
    rule: 'happy-path',
    points: 3,
    hint: 'Steps in order: reserve (stock − quantity), charge price_cents × quantity with metadata[order_id], book the parcel with refNo = the order id, confirm.',
  },
  async () => {
    const before = await stockOf(shop, 'lamp');
    const id = await placeOrder(shop, { sku: 'lamp', quantity: 2 });
    const done = await waitFinal(shop, id);
    expect(done.json?.status, done.said).toBe('completed');
    const paid = paidIntentsFor(shop, id);
    expect(paid, vendorsSay(shop, id)).toHaveLength(1);
    expect(paid[0]!.amount, `the amount charged for 2 lamps at 4900 (${vendorsSay(shop, id)})`).toBe(9800);
    const parcels = bookingsFor(shop, id);
    expect(
      parcels.map((b) => b.state),
      vendorsSay(shop, id),
    ).toEqual(['booked']);
    expect(parcels[0]!.consignee, 'the address DHL got').toMatchObject({ postalCode: '51147', city: 'Köln' });
    expect(parcels[0]!.weightGrams, 'the weight DHL got for 2 lamps of 1800 g').toBe(3600);
    expect(await stockOf(shop, 'lamp'), 'lamps left after an order of 2').toBe(before - 2);
  },
);

graded(
  'A declined card ends the order compensated: the stock is back and no parcel is booked',
  {
    rule: 'charge-declined',
    points: 2,
    hint: "Stripe's 402 is a definite no: the charge step failed, so undo the one step done before it (the reservation) and book nothing.",
  },
  async () => {
    const before = await stockOf(shop, 'mug');
    const id = await placeOrder(shop, { quantity: 3, payment_method: 'pm_card_visa_chargeDeclined' });
    const done = await waitFinal(shop, id);
    expect(done.json?.status, done.said).toBe('compensated');
    expect(intentsFor(shop, id).length, `the declined charge reached Stripe (${vendorsSay(shop, id)})`).toBe(1);
    expect(paidIntentsFor(shop, id), vendorsSay(shop, id)).toEqual([]);
    expect(bookingsFor(shop, id), vendorsSay(shop, id)).toEqual([]);
    expect(await stockOf(shop, 'mug'), 'mugs on the shelf after a declined order of 3').toBe(before);
  },
);

graded(
  'A parcel DHL refuses to book ends the order compensated: the charge refunded in full, once, and the stock back',
  {
    rule: 'booking-refused',
    points: 3,
    hint: "DHL's 400 is a definite no: undo the steps done before it, newest first: refund the whole charge, then release the stock.",
  },
  async () => {
    const before = await stockOf(shop, 'lamp');
    const id = await placeOrder(shop, { sku: 'lamp', quantity: 2, address: address({ country: 'AUT', city: 'Wien' }) });
    const done = await waitFinal(shop, id);
    expect(done.json?.status, done.said).toBe('compensated');
    const paid = paidIntentsFor(shop, id);
    expect(paid, `the order was charged before the booking (${vendorsSay(shop, id)})`).toHaveLength(1);
    const refunds = refundsFor(shop, id);
    expect(
      refunds.map((r) => r.amount),
      `refunds of the 9800 charge (${vendorsSay(shop, id)})`,
    ).toEqual([9800]);
    expect(
      bookingsFor(shop, id).filter((b) => b.state === 'booked'),
      vendorsSay(shop, id),
    ).toEqual([]);
    expect(await stockOf(shop, 'lamp'), 'lamps on the shelf after a refused order').toBe(before);
  },
);

graded(
  'A charge whose answer is lost is sent again with the same Idempotency-Key: one payment, and the order completes',
  {
    rule: 'retry-same-key',
    points: 2,
    hint: 'A timeout says nothing about whether Stripe charged: ask again with the key the first attempt had (made from the order id and the step, never random), and Stripe answers the first result.',
  },
  async () => {
    // Stripe makes the charge, then holds its answer back until the app gives up (CALL_TIMEOUT_MS).
    shop.stripe.apiFaults.add({ mode: 'hang_after', path: '/v1/payment_intents' });
    const id = await placeOrder(shop);
    const done = await waitFinal(shop, id, 6000);
    const events = [...shop.stripe.store.events.values()].filter(
      (e) =>
        e.type === 'payment_intent.created' &&
        (e.data.object as { metadata?: { order_id?: string } }).metadata?.order_id === id,
    );
    expect(events.length, `charges Stripe made for the order (${vendorsSay(shop, id)})`).toBe(1);
    expect(events[0]!.request.idempotency_key, 'the Idempotency-Key of the charge').toBeTruthy();
    expect(paidIntentsFor(shop, id), vendorsSay(shop, id)).toHaveLength(1);
    expect(done.json?.status, `after a lost answer the retry should go through: ${done.said}`).toBe('completed');
  },
);
