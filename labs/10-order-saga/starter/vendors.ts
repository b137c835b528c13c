// One call to Stripe or DHL per function, nothing more: no retry, no memory of what was sent. Which key a call
// carries, when to call again and what to undo is the saga's business (your part).

/**
 * Why a call gave no result. `definite` is true when the vendor answered with a refusal that will not change if asked
 * again (a declined card, an address DHL does not deliver to); false when there is no telling whether the call took
 * effect or would succeed now: a timeout, a dropped connection, a 5xx, a 429, or Stripe's 409 for a key still in use.
 */
export class CallError extends Error {
  readonly definite: boolean;
  /** The HTTP status the vendor answered; undefined when no answer came. */
  readonly status: number | undefined;
  /** The vendor's own reason, e.g. Stripe's `card_declined`, or DHL's first validation message. */
  readonly reason: string;
  constructor(message: string, options: { definite: boolean; status?: number; reason: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'CallError';
    this.definite = options.definite;
    this.status = options.status;
    this.reason = options.reason;
  }
}

interface Vendor {
  url: string;
  apiKey: string;
}

/** Sends one request with a deadline; answers the status and parsed JSON body, or throws an indefinite CallError. */
async function send(
  what: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new CallError(`${what}: ${timedOut ? `no answer within ${timeoutMs} ms` : 'the connection failed'}`, {
      definite: false,
      reason: timedOut ? 'timeout' : 'network',
      cause: error,
    });
  }
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // a proxy's HTML error page, say: the status still tells what happened
  }
  return { status: res.status, body };
}

/** A 2xx is a result; 5xx, 429 and 409 (a key still in use) may go another way next time; any other 4xx will not. */
const isDefinite = (status: number) => status >= 400 && status < 500 && status !== 409 && status !== 429;

// ---- Stripe ----

export interface Charge {
  paymentIntent: string;
  amountCents: number;
}

/** Creates and confirms a PaymentIntent for an order (`metadata[order_id]`), with the Idempotency-Key you give. */
export async function chargeCard(
  stripe: Vendor,
  timeoutMs: number,
  order: { id: string; amountCents: number; currency: string; paymentMethod: string },
  idempotencyKey: string,
): Promise<Charge> {
  const form = new URLSearchParams({
    amount: String(order.amountCents),
    currency: order.currency,
    payment_method: order.paymentMethod,
    confirm: 'true',
    description: `Order ${order.id}`,
    'metadata[order_id]': order.id,
  });
  const { status, body } = await send(
    'Stripe charge',
    `${stripe.url}/v1/payment_intents`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${stripe.apiKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': idempotencyKey,
      },
      body: form,
    },
    timeoutMs,
  );
  if (status === 200 && body.status === 'succeeded') {
    return { paymentIntent: String(body.id), amountCents: Number(body.amount) };
  }
  const error = (body.error ?? {}) as { code?: string; message?: string };
  throw new CallError(`Stripe charge answered ${status}: ${error.message ?? 'no message'}`, {
    definite: isDefinite(status),
    status,
    reason: error.code ?? `http_${status}`,
  });
}

/** Refunds `amountCents` of a PaymentIntent's charge, with the Idempotency-Key you give. */
export async function refundCharge(
  stripe: Vendor,
  timeoutMs: number,
  paymentIntent: string,
  amountCents: number,
  idempotencyKey: string,
): Promise<{ refund: string }> {
  const { status, body } = await send(
    'Stripe refund',
    `${stripe.url}/v1/refunds`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${stripe.apiKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': idempotencyKey,
      },
      body: new URLSearchParams({ payment_intent: paymentIntent, amount: String(amountCents) }),
    },
    timeoutMs,
  );
  if (status === 200) return { refund: String(body.id) };
  const error = (body.error ?? {}) as { code?: string; message?: string };
  throw new CallError(`Stripe refund answered ${status}: ${error.message ?? 'no message'}`, {
    definite: isDefinite(status),
    status,
    reason: error.code ?? `http_${status}`,
  });
}

// ---- DHL (Parcel DE Shipping API) ----

export interface Address {
  name: string;
  street: string;
  postal_code: string;
  city: string;
  /** ISO 3166-1 alpha-3, as DHL wants it: `DEU`. */
  country: string;
}

const SHOP: Address = {
  name: 'Integration Lab Shop',
  street: 'Sträßchensweg 10',
  postal_code: '53113',
  city: 'Bonn',
  country: 'DEU',
};
const dhlAddress = (a: Address) => ({
  name1: a.name,
  addressStreet: a.street,
  postalCode: a.postal_code,
  city: a.city,
  country: a.country,
});

/** Books a parcel for an order (`refNo` = the order id), with the Idempotency-Key you give; answers its number. */
export async function bookParcel(
  dhl: Vendor,
  timeoutMs: number,
  order: { id: string; address: Address; weightGrams: number },
  idempotencyKey: string,
): Promise<{ shipmentNo: string }> {
  const shipment = {
    product: 'V01PAK',
    billingNumber: '33333333330102',
    refNo: order.id,
    shipper: dhlAddress(SHOP),
    consignee: dhlAddress(order.address),
    details: { weight: { uom: 'g', value: order.weightGrams } },
  };
  const { status, body } = await send(
    'DHL booking',
    `${dhl.url}/parcel/de/shipping/v2/orders`,
    {
      method: 'POST',
      headers: { 'DHL-API-Key': dhl.apiKey, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify({ profile: 'STANDARD_GRUPPENPROFIL', shipments: [shipment] }),
    },
    timeoutMs,
  );
  const item = (body.items as { shipmentNo?: string; validationMessages?: { validationMessage: string }[] }[])?.[0];
  if (status === 200 && item?.shipmentNo) return { shipmentNo: item.shipmentNo };
  const detail = item?.validationMessages?.[0]?.validationMessage ?? (body.status as { detail?: string })?.detail;
  throw new CallError(`DHL booking answered ${status}: ${detail ?? 'no detail'}`, {
    definite: isDefinite(status),
    status,
    reason: detail ?? `http_${status}`,
  });
}

/** Cancels a booked parcel. DHL answers a cancel of a parcel already cancelled the same way, so it may be repeated. */
export async function cancelParcel(dhl: Vendor, timeoutMs: number, shipmentNo: string): Promise<void> {
  const { status, body } = await send(
    'DHL cancel',
    `${dhl.url}/parcel/de/shipping/v2/orders?shipment=${encodeURIComponent(shipmentNo)}`,
    { method: 'DELETE', headers: { 'DHL-API-Key': dhl.apiKey } },
    timeoutMs,
  );
  if (status === 200) return;
  const detail = (body.status as { detail?: string } | undefined)?.detail;
  throw new CallError(`DHL cancel answered ${status}: ${detail ?? 'no detail'}`, {
    definite: isDefinite(status),
    status,
    reason: detail ?? `http_${status}`,
  });
}
