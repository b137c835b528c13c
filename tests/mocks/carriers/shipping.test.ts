import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, listenMock } from '../../../mock-servers/shared/index.ts';
import { createCarriersMock } from '../../../mock-servers/carriers/index.ts';
import { SHIPPING_PATH } from '../../../mock-servers/carriers/shipping.ts';
import { trackDhl } from '../../../mock-servers/carriers/test-client.ts';

const address = (overrides: Record<string, unknown> = {}) => ({
  name1: 'Erika Mustermann',
  addressStreet: 'Heidestraße 17',
  postalCode: '51147',
  city: 'Köln',
  country: 'DEU',
  ...overrides,
});
const order = (consignee: Record<string, unknown> = {}, refNo = 'order-0001', grams = 800) => ({
  profile: 'STANDARD_GRUPPENPROFIL',
  shipments: [
    {
      product: 'V01PAK',
      billingNumber: '33333333330102',
      refNo,
      shipper: address({
        name1: 'Lab Shop GmbH',
        addressStreet: 'Sträßchensweg 10',
        postalCode: '53113',
        city: 'Bonn',
      }),
      consignee: address(consignee),
      details: { weight: { uom: 'g', value: grams } },
    },
  ],
});

describe('DHL-like shipping API (book and cancel)', () => {
  const carriers = createCarriersMock({
    seed: 'shipping-test',
    apiKeys: ['key-a'],
    maxHangMs: 5000,
    rateLimit: { limit: 1_000_000, windowSeconds: 60 },
  });
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(carriers);
  });
  afterAll(() => server.close());
  afterEach(() => carriers.control.clearFaults());

  const book = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${server.url}${SHIPPING_PATH}`, {
      method: 'POST',
      headers: { 'DHL-API-Key': 'key-a', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  const cancel = (shipmentNo: string, key = 'key-a') =>
    fetch(`${server.url}${SHIPPING_PATH}?shipment=${shipmentNo}`, {
      method: 'DELETE',
      headers: { 'DHL-API-Key': key },
    });

  it('books a parcel: a shipment number per item, listed as booked on the control API and trackable at once', async () => {
    const res = await book(order({}, 'order-book-1'));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { status: { statusCode: number }; items: { shipmentNo: string }[] };
    expect(json.status.statusCode).toBe(200);
    const [item] = json.items;
    expect(item).toMatchObject({ sstatus: { statusCode: 200 }, shipmentRefNo: 'order-book-1', validationMessages: [] });
    expect(item!.shipmentNo).toMatch(/^\d{20}$/);
    const listed = (await (await controlFetch(server, '/_control/bookings')).json()) as { bookings: unknown[] };
    expect(listed.bookings).toContainEqual(
      expect.objectContaining({
        shipmentNo: item!.shipmentNo,
        refNo: 'order-book-1',
        state: 'booked',
        weightGrams: 800,
      }),
    );
    const tracked = await trackDhl(server.url, item!.shipmentNo, 'key-a');
    expect(tracked.res.status).toBe(200);
    expect(tracked.json.shipments[0].status.statusCode).toBe('pre-transit');
    expect(carriers.control.requests('dhl-shipping').at(-1)).toMatchObject({ method: 'POST', status: 200 });
  });

  it('the same Idempotency-Key and body answer the same shipment again; another body with that key is refused', async () => {
    const headers = { 'Idempotency-Key': 'book-order-42' };
    const first = await book(order({}, 'order-0042'), headers);
    const again = await book(order({}, 'order-0042'), headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const a = (await first.json()) as { items: { shipmentNo: string }[] };
    const b = (await again.json()) as { items: { shipmentNo: string }[] };
    expect(b.items[0]!.shipmentNo).toBe(a.items[0]!.shipmentNo);
    expect(carriers.control.bookings().filter((x) => x.refNo === 'order-0042')).toHaveLength(1);
    const other = await book(order({ city: 'Bonn' }, 'order-0042'), headers);
    expect(other.status).toBe(422);
    // Without a key, every request books a parcel of its own.
    await book(order({}, 'order-nokey'));
    await book(order({}, 'order-nokey'));
    expect(carriers.control.bookings().filter((x) => x.refNo === 'order-nokey')).toHaveLength(2);
  });

  it('refuses a parcel abroad, a bad postal code or an overweight one with 400 and validation messages; nothing booked', async () => {
    const before = carriers.control.bookings().length;
    for (const [body, property] of [
      [order({ country: 'USA' }), 'consignee.country'],
      [order({ postalCode: '5114' }), 'consignee.postalCode'],
      [order({}, 'order-0043', 40_000), 'details.weight'],
      [order({ name1: '' }), 'consignee.name1'],
    ] as const) {
      const res = await book(body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { items: { validationMessages: { property: string }[] }[] };
      expect(json.items[0]!.validationMessages.map((m) => m.property)).toContain(property);
    }
    expect((await book({ shipments: [] })).status).toBe(400);
    expect(carriers.control.bookings()).toHaveLength(before);
  });

  it('401 without the DHL key or with a wrong one, 415 for another media type, 405 for another method', async () => {
    expect((await book(order(), { 'DHL-API-Key': 'nope' })).status).toBe(401);
    const bare = await fetch(`${server.url}${SHIPPING_PATH}`, { method: 'POST', body: JSON.stringify(order()) });
    expect(bare.status).toBe(401);
    expect((await book(order(), { 'content-type': 'text/plain' })).status).toBe(415);
    const put = await fetch(`${server.url}${SHIPPING_PATH}`, { method: 'PUT', headers: { 'DHL-API-Key': 'key-a' } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST, DELETE');
  });

  it('cancels a booked parcel (again answers the same), 404 for an unknown number; a cancelled parcel is not tracked', async () => {
    const booked = (await (await book(order({}, 'order-0044'))).json()) as { items: { shipmentNo: string }[] };
    const no = booked.items[0]!.shipmentNo;
    const first = await cancel(no);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ items: [{ shipmentNo: no, sstatus: { statusCode: 200 } }] });
    expect((await cancel(no)).status).toBe(200);
    expect(carriers.control.bookings().find((b) => b.shipmentNo === no)).toMatchObject({
      state: 'cancelled',
      cancelledAt: expect.any(String),
    });
    expect((await trackDhl(server.url, no, 'key-a')).res.status).toBe(404);
    expect((await cancel('00340434999999999999')).status).toBe(404);
    expect((await cancel('abc')).status).toBe(400);
    expect((await cancel(no, 'wrong')).status).toBe(401);
  });

  it('faults of the shipping API leave tracking alone: failNext answers 503 without booking', async () => {
    carriers.control.setFaults('dhl-shipping', { failNext: 1, errorStatus: 503 });
    const before = carriers.control.bookings().length;
    const failed = await book(order({}, 'order-0045'));
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ status: { statusCode: 503 } });
    expect(carriers.control.bookings()).toHaveLength(before);
    const tn = carriers.control.shipments().find((s) => s.api === 'dhl')!.trackingNumber;
    expect((await trackDhl(server.url, tn, 'key-a')).res.status).toBe(200);
    expect((await book(order({}, 'order-0045'))).status).toBe(200);
  });

  it('hangAfterNext books the parcel but holds the answer back until the client gives up; a retry with the key replays it', async () => {
    const set = await controlFetch(server, '/_control/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api: 'dhl-shipping', hangAfterNext: 1 }),
    });
    expect(set.status).toBe(200);
    const headers = { 'Idempotency-Key': 'book-order-46' };
    const started = performance.now();
    await expect(book(order({}, 'order-0046'), headers, AbortSignal.timeout(300))).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError' }),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    const booked = carriers.control.bookings().filter((b) => b.refNo === 'order-0046');
    expect(booked).toHaveLength(1);
    const retry = await book(order({}, 'order-0046'), headers);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { items: { shipmentNo: string }[] }).items[0]!.shipmentNo).toBe(
      booked[0]!.shipmentNo,
    );
    const hung = await (async () => {
      for (let i = 0; i < 50; i++) {
        const found = carriers.control.requests('dhl-shipping').find((r) => r.fault === 'hang-after');
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      return undefined;
    })();
    expect(hung).toMatchObject({ status: 499, fault: 'hang-after' });
  });

  it('reset forgets bookings and keys', async () => {
    await book(order({}, 'order-0047'), { 'Idempotency-Key': 'book-order-47' });
    carriers.control.reset();
    expect(carriers.control.bookings()).toEqual([]);
    expect(
      (await book(order({}, 'order-0047'), { 'Idempotency-Key': 'book-order-47' })).headers.get('idempotent-replayed'),
    ).toBeNull();
  });
});
