// Undoing an order: a reservation that expired before confirm, and the order compensations run in. This app holds a
// reservation for 300 ms only, gives each call 2 s, and waits STEP_DELAY_MS (150) before each step and each
// compensation, so the test can look at the shop between two compensations.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded, waitFor } from '#testkit';
import {
  address,
  bookingsFor,
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
  shop = await startShop({ env: { RESERVATION_TTL_MS: '300', STEP_DELAY_MS: '150', CALL_TIMEOUT_MS: '2000' } });
});
afterAll(async () => {
  await shop?.stop();
});
afterEach(() => {
  shop.carriers.clearFaults();
});

graded(
  'When the reservation expired before confirm, the parcel is cancelled, the charge refunded in full and the stock put back',
  {
    rule: 'confirm-expired',
    points: 2,
    hint: 'Confirm compares the reservation time with RESERVATION_TTL_MS; when it fails, three steps are done and each needs its undo: cancel at DHL, refund at Stripe, stock back.',
  },
  async () => {
    const before = await stockOf(shop, 'mug');
    // DHL takes 400 ms to book: by the time confirm comes, the 300 ms reservation has run out.
    shop.carriers.setFaults('dhl-shipping', { latencyMs: 400 });
    const id = await placeOrder(shop, { quantity: 1 });
    await waitFor(() => bookingsFor(shop, id).length > 0, { timeoutMs: 4000, message: `DHL to book order ${id}` });
    shop.carriers.clearFaults();
    const done = await waitFinal(shop, id, 5000);
    expect(done.json?.status, done.said).toBe('compensated');
    expect(
      bookingsFor(shop, id).map((b) => b.state),
      vendorsSay(shop, id),
    ).toEqual(['cancelled']);
    expect(paidIntentsFor(shop, id), vendorsSay(shop, id)).toHaveLength(1);
    expect(
      refundsFor(shop, id).map((r) => r.amount),
      `refunds of the 1250 charge (${vendorsSay(shop, id)})`,
    ).toEqual([1250]);
    expect(await stockOf(shop, 'mug'), 'mugs on the shelf after an expired order').toBe(before);
  },
);

graded(
  'Compensations run newest first: when the refund is made, the reserved stock is still held; it is released after',
  {
    rule: 'reverse-order',
    points: 2,
    hint: 'Walk the done steps backwards (book_shipment, charge, reserve_stock) and start each undo only when the one before it succeeded.',
  },
  async () => {
    const before = await stockOf(shop, 'lamp');
    const id = await placeOrder(shop, {
      sku: 'lamp',
      quantity: 3,
      address: address({ country: 'CHE', city: 'Basel' }),
    });
    await waitFor(() => refundsFor(shop, id).length > 0, {
      timeoutMs: 4000,
      intervalMs: 5,
      message: `the refund of order ${id} (${vendorsSay(shop, id)})`,
    });
    const atRefund = await stockOf(shop, 'lamp');
    expect(atRefund, 'lamps on the shelf when the refund was made (3 were reserved; their release comes after)').toBe(
      before - 3,
    );
    await waitFor(async () => (await stockOf(shop, 'lamp')) === before, {
      timeoutMs: 4000,
      message: 'the 3 lamps back on the shelf after the refund',
    });
  },
);
