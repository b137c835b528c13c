import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { limitBody, parseJsonObject, safeEqual } from '../shared/index.ts';
import type { Chooser } from './shipments.ts';

/*
 * Booking and cancelling parcels, shaped like DHL's Parcel DE Shipping API (v2): `POST /parcel/de/shipping/v2/orders`
 * books the shipments of one order and answers a shipment number per item, `DELETE …/orders?shipment=<no>` cancels
 * one. Two liberties, both said in the README: the `DHL-API-Key` header alone authenticates (the real API also wants
 * the business customer's Basic credentials), and an `Idempotency-Key` header is honoured as Stripe honours it (the
 * real API has none: integrations there look their `refNo` up before booking again).
 */

/** Where the shipping module is mounted; its one resource is `/orders` below it. */
export const SHIPPING_BASE = '/parcel/de/shipping/v2';
export const SHIPPING_PATH = `${SHIPPING_BASE}/orders`;

/** Products this mock books: DHL Paket (domestic) and Warenpost (domestic, up to 1 kg). */
const PRODUCTS: Record<string, { maxGrams: number }> = { V01PAK: { maxGrams: 31_500 }, V62WP: { maxGrams: 1000 } };

export interface Address {
  name1: string;
  addressStreet: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface Booking {
  shipmentNo: string;
  refNo: string | null;
  product: string;
  consignee: Address;
  weightGrams: number;
  state: 'booked' | 'cancelled';
  bookedAt: string;
  cancelledAt: string | null;
  /** The `Idempotency-Key` it was booked with, if any. */
  idempotencyKey: string | null;
}

interface ValidationMessage {
  property: string;
  validationMessage: string;
  validationState: 'Error';
}

const TITLES: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The API's envelope: a `status` for the whole call and, when it got that far, one entry per shipment in `items`. */
export function shippingAnswer(
  c: Context,
  statusCode: ContentfulStatusCode,
  detail: string,
  items?: unknown[],
): Response {
  const url = new URL(c.req.url);
  const body = {
    status: { title: TITLES[statusCode] ?? 'Error', statusCode, instance: url.pathname + url.search, detail },
    ...(items ? { items } : {}),
  };
  return c.json(body, statusCode);
}

export interface ShippingDeps {
  /** The bookings and saved idempotency keys (`createShippingBook`). */
  book: ShippingBook;
  apiKeys: () => readonly string[];
  choose: () => Chooser;
  /** A booked parcel becomes trackable at once (its story starts "now"); a cancelled one no longer is. */
  onBooked: (shipmentNo: string) => void;
  onCancelled: (shipmentNo: string) => void;
}

export function createShippingBook() {
  let bookings: Booking[] = [];
  // Per API key and Idempotency-Key: the request it came with and the answer it got.
  let keys = new Map<string, { fingerprint: string; status: ContentfulStatusCode; body: unknown }>();
  return {
    list: (): Booking[] => bookings.map((b) => ({ ...b, consignee: { ...b.consignee } })),
    find: (shipmentNo: string) => bookings.find((b) => b.shipmentNo === shipmentNo),
    add: (booking: Booking) => bookings.push(booking),
    keys: () => keys,
    reset(): void {
      bookings = [];
      keys = new Map();
    },
  };
}
export type ShippingBook = ReturnType<typeof createShippingBook>;

const text = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.trim().length >= min && value.length <= max;

function checkAddress(value: unknown, at: string, problems: ValidationMessage[]): Address | undefined {
  const error = (property: string, validationMessage: string) =>
    problems.push({ property: `${at}.${property}`, validationMessage, validationState: 'Error' });
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    error('', 'An address object is required.');
    return undefined;
  }
  const a = value as Record<string, unknown>;
  const before = problems.length;
  if (!text(a.name1, 1, 50)) error('name1', 'A name of 1 to 50 characters is required.');
  if (!text(a.addressStreet, 1, 50)) error('addressStreet', 'A street of 1 to 50 characters is required.');
  if (!text(a.city, 1, 40)) error('city', 'A city of 1 to 40 characters is required.');
  if (a.country !== 'DEU') error('country', 'DHL Parcel DE books parcels within Germany only (country "DEU").');
  if (typeof a.postalCode !== 'string' || !/^\d{5}$/.test(a.postalCode))
    error('postalCode', 'A German postal code has five digits.');
  return problems.length === before ? (a as unknown as Address) : undefined;
}

/** Checks one shipment of an order; answers the problems in the API's `validationMessages` shape. */
function checkShipment(value: unknown):
  | { ok: true; shipment: Omit<Booking, 'shipmentNo' | 'state' | 'bookedAt' | 'cancelledAt' | 'idempotencyKey'> }
  | {
      ok: false;
      problems: ValidationMessage[];
    } {
  const problems: ValidationMessage[] = [];
  const error = (property: string, validationMessage: string) =>
    problems.push({ property, validationMessage, validationState: 'Error' });
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    error('shipments[0]', 'A shipment object is required.');
    return { ok: false, problems };
  }
  const s = value as Record<string, unknown>;
  const product = typeof s.product === 'string' ? PRODUCTS[s.product] : undefined;
  if (!product) error('product', `Unknown product; this API books ${Object.keys(PRODUCTS).join(', ')}.`);
  if (typeof s.billingNumber !== 'string' || !/^\d{14}$/.test(s.billingNumber))
    error('billingNumber', 'The billing number has 14 digits.');
  if (s.refNo !== undefined && !text(s.refNo, 8, 35)) error('refNo', 'A reference has 8 to 35 characters.');
  checkAddress(s.shipper, 'shipper', problems);
  const consignee = checkAddress(s.consignee, 'consignee', problems);
  const weight = (s.details as { weight?: { uom?: unknown; value?: unknown } } | undefined)?.weight;
  const grams =
    weight && typeof weight.value === 'number' && Number.isFinite(weight.value)
      ? weight.uom === 'kg'
        ? weight.value * 1000
        : weight.uom === 'g'
          ? weight.value
          : Number.NaN
      : Number.NaN;
  if (!(grams > 0)) error('details.weight', 'A weight { "uom": "g" | "kg", "value" > 0 } is required.');
  else if (product && grams > product.maxGrams)
    error('details.weight', `The product takes at most ${product.maxGrams} g.`);
  if (problems.length > 0 || !consignee) return { ok: false, problems };
  return {
    ok: true,
    shipment: {
      refNo: typeof s.refNo === 'string' ? s.refNo : null,
      product: s.product as string,
      consignee: {
        name1: consignee.name1,
        addressStreet: consignee.addressStreet,
        postalCode: consignee.postalCode,
        city: consignee.city,
        country: consignee.country,
      },
      weightGrams: grams,
    },
  };
}

/**
 * `POST` and `DELETE /parcel/de/shipping/v2/orders`, keyed by the `DHL-API-Key` header like the tracking API. Mounted
 * at `SHIPPING_BASE` (`app.route(SHIPPING_BASE, shippingRoutes(deps))`), after the fault injection that applies to it;
 * its middleware covers `/orders*` (so also `/orders/…` and `/ordersx`), as the fault injection does.
 */
export function shippingRoutes(deps: ShippingDeps): Hono {
  const { book } = deps;
  const app = new Hono();
  app.use(
    '/orders*',
    limitBody(64 * 1024, (c) => shippingAnswer(c, 413, 'The request body is too large.')),
  );
  app.use('/orders*', async (c, next) => {
    const key = c.req.header('DHL-API-Key');
    if (!key) return shippingAnswer(c, 401, 'The DHL-API-Key header is missing.');
    if (!deps.apiKeys().some((k) => safeEqual(k, key))) return shippingAnswer(c, 401, 'Invalid API key.');
    await next();
  });

  app.post('/orders', async (c) => {
    const raw = await c.req.text();
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
      return shippingAnswer(c, 415, 'Send the order as application/json.');
    const parsed = parseJsonObject(raw);
    if (!parsed.ok) return shippingAnswer(c, 400, `The body is not a JSON object: ${parsed.message}`);
    const idempotencyKey = c.req.header('Idempotency-Key') ?? null;
    if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > 255))
      return shippingAnswer(c, 400, 'An Idempotency-Key has 1 to 255 characters.');
    const scope = `${c.req.header('DHL-API-Key')}\u0000${idempotencyKey}`;
    const fingerprint = JSON.stringify(parsed.value);
    const saved = idempotencyKey === null ? undefined : book.keys().get(scope);
    if (saved) {
      if (saved.fingerprint !== fingerprint)
        return shippingAnswer(c, 422, 'This Idempotency-Key was used with another request; use a new key for it.');
      c.header('Idempotent-Replayed', 'true');
      return c.json(saved.body, saved.status);
    }
    const shipments = parsed.value.shipments;
    if (!Array.isArray(shipments) || shipments.length !== 1)
      return shippingAnswer(c, 400, 'Give exactly one shipment in "shipments" (this mock books one at a time).');
    const checked = checkShipment(shipments[0]);
    let status: ContentfulStatusCode;
    let body: unknown;
    if (!checked.ok) {
      status = 400;
      body = {
        status: {
          title: 'Bad Request',
          statusCode: 400,
          instance: SHIPPING_PATH,
          detail: 'The shipment is not valid.',
        },
        items: [{ sstatus: { title: 'Bad Request', statusCode: 400 }, validationMessages: checked.problems }],
      };
    } else {
      const shipmentNo = `00340434${deps.choose().digits(12)}`;
      const booking: Booking = {
        shipmentNo,
        ...checked.shipment,
        state: 'booked',
        bookedAt: new Date().toISOString(),
        cancelledAt: null,
        idempotencyKey,
      };
      book.add(booking);
      deps.onBooked(shipmentNo);
      status = 200;
      body = {
        status: { title: 'OK', statusCode: 200, instance: SHIPPING_PATH, detail: 'The shipment was booked.' },
        items: [
          {
            shipmentNo,
            sstatus: { title: 'OK', statusCode: 200 },
            ...(booking.refNo ? { shipmentRefNo: booking.refNo } : {}),
            routingCode: '40327653113+99000933090010',
            label: { fileFormat: 'PDF', printFormat: '910-300-700', url: `${SHIPPING_PATH}/${shipmentNo}/label.pdf` },
            validationMessages: [],
          },
        ],
      };
    }
    // A refused shipment is remembered too, as Stripe does: the same key and body get the same 400.
    if (idempotencyKey !== null) book.keys().set(scope, { fingerprint, status, body });
    return c.json(body, status);
  });

  app.delete('/orders', (c) => {
    const numbers = c.req.queries('shipment') ?? [];
    if (numbers.length !== 1 || !/^\d{10,39}$/.test(numbers[0]!))
      return shippingAnswer(c, 400, 'Give one shipment number: ?shipment=<shipmentNo>.');
    const booking = book.find(numbers[0]!);
    if (!booking) {
      return shippingAnswer(c, 404, 'No shipment with this number.', [
        { shipmentNo: numbers[0], sstatus: { title: 'Not Found', statusCode: 404 } },
      ]);
    }
    // Cancelling a cancelled shipment answers the same again, so a client may retry a cancel it lost the answer to.
    if (booking.state === 'booked') {
      booking.state = 'cancelled';
      booking.cancelledAt = new Date().toISOString();
      deps.onCancelled(booking.shipmentNo);
    }
    return shippingAnswer(c, 200, 'The shipment was cancelled.', [
      { shipmentNo: booking.shipmentNo, sstatus: { title: 'OK', statusCode: 200 } },
    ]);
  });

  app.all('/orders', (c) => {
    c.header('Allow', 'POST, DELETE');
    return shippingAnswer(c, 405, 'Use POST to book and DELETE to cancel.');
  });
  return app;
}
