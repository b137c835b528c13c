// A shop that ships parcels with a carrier, for the webhooks lesson. It buys shipping labels from the carrier's API
// and receives the carrier's tracking webhooks, signed the Standard Webhooks way. The same ideas as Lab 03 (Stripe),
// on another provider: a durable inbox, verification on the raw bytes, dedupe, states that only move forward.
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';

export const PARCEL_STATES = ['label_created', 'in_transit', 'out_for_delivery', 'delivered'] as const;
export type ParcelState = (typeof PARCEL_STATES)[number];
export interface Shipment {
  id: string;
  state: ParcelState | 'pending';
  label_id: string | null;
  events: string[]; // the ids of the carrier events that reached this shipment, once each
}

// #region inbox
/**
 * Shipments and the ids of handled events, kept in an append-only file of JSON lines. Each line holds one event id
 * AND the shipment as that event left it, written in one append: the change and the note "handled" cannot be
 * stored one without the other. At start-up the file is read back; a last line cut short by a crash is skipped.
 */
export function openInbox(file: string) {
  const handled = new Set<string>();
  const shipments = new Map<string, Shipment>();
  type Line = { eventId?: string; shipment?: Shipment };
  const remember = ({ eventId, shipment }: Line) => {
    if (eventId) handled.add(eventId);
    if (shipment) shipments.set(shipment.id, shipment);
  };
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      try {
        remember(JSON.parse(line) as Line);
      } catch {
        // an empty line, or a write torn by a crash at the very end
      }
    }
  }
  const append = (line: Line) => {
    const fd = openSync(file, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(line)}\n`);
      fsyncSync(fd); // on disk before we answer 2xx
    } finally {
      closeSync(fd);
    }
    remember(line);
  };
  return {
    seen: (eventId: string) => handled.has(eventId),
    get: (id: string) => shipments.get(id),
    save: (shipment: Shipment) => append({ shipment }),
    /** The event is handled; the shipment it changed (if any) is stored in the same line. */
    handledEvent: (eventId: string, shipment: Shipment | undefined) => append({ eventId, shipment }),
  };
}
export type Inbox = ReturnType<typeof openInbox>;
// #endregion inbox

// #region verify
/**
 * Standard Webhooks, checked by hand: HMAC-SHA256 over `${id}.${timestamp}.${body}` with the base64-decoded part of
 * the secret after `whsec_`; the header may carry several space-separated `v1,<base64>` signatures.
 */
export function verifyStandardWebhook(
  secret: string,
  rawBody: string,
  headers: Headers,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const id = headers.get('webhook-id');
  const timestamp = headers.get('webhook-timestamp');
  const signatures = headers.get('webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return false; // a replay of an old request
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
// #endregion verify

// #region apply
const RANK: Record<Shipment['state'], number> = {
  pending: 0,
  label_created: 1,
  in_transit: 2,
  out_for_delivery: 3,
  delivered: 4,
};

/**
 * A tracking event moves a shipment forward only: a late "in_transit" after "delivered" changes nothing. Every event
 * that reaches a known shipment is added to its audit trail. Returns the new shipment, or undefined when the event
 * is about a shipment we do not know.
 */
export function applyTracking(
  inbox: Inbox,
  event: { id: string; type: string; data: { shipment_id?: string; state?: string } },
): Shipment | undefined {
  const shipment = event.data.shipment_id === undefined ? undefined : inbox.get(event.data.shipment_id);
  if (!shipment || event.type !== 'parcel.updated') return undefined;
  const target = PARCEL_STATES.find((s) => s === event.data.state);
  const next: Shipment = { ...shipment, events: [...shipment.events, event.id] };
  if (target && RANK[target] > RANK[shipment.state]) next.state = target;
  return next;
}
// #endregion apply

export function createShopApp(options: {
  inbox: Inbox;
  secret: string;
  notifyCustomer: (s: Shipment) => Promise<void>;
}) {
  const { inbox } = options;
  const app = new Hono();

  // #region receive
  app.post('/webhooks/carrier', async (c) => {
    const raw = await c.req.text(); // the bytes as sent: nothing parses them before the signature is checked
    if (!verifyStandardWebhook(options.secret, raw, c.req.raw.headers)) {
      return c.json({ error: { code: 'invalid_signature', message: 'The webhook signature does not verify.' } }, 400);
    }
    const eventId = c.req.header('webhook-id')!; // the same on every retry: our dedupe key
    if (inbox.seen(eventId)) return c.json({ received: true, duplicate: true }); // 2xx: never make them retry this
    const event = JSON.parse(raw) as { type: string; data: { shipment_id?: string; state?: string } };
    const before = inbox.get(event.data.shipment_id ?? '')?.state;
    const changed = applyTracking(inbox, { id: eventId, ...event });
    inbox.handledEvent(eventId, changed); // the change and the id, in one write
    if (changed?.state === 'delivered' && before !== 'delivered') {
      // Slow work after the answer: a slow mail server must not push the delivery past the carrier's timeout.
      setImmediate(() => void options.notifyCustomer(changed).catch((e) => console.error('notify failed', e)));
    }
    return c.json({ received: true });
  });
  // #endregion receive

  return app;
}

// #region buy-label
/**
 * Buying a label: the shipment is saved BEFORE the carrier is called (its first webhook may arrive before the call
 * returns), and the Idempotency-Key comes from the shipment's id, so a retried call cannot buy a second label.
 */
export async function buyLabel(
  inbox: Inbox,
  shipmentId: string,
  carrier: (req: Request) => Promise<Response>,
): Promise<{ status: number; body: unknown }> {
  const shipment: Shipment = inbox.get(shipmentId) ?? { id: shipmentId, state: 'pending', label_id: null, events: [] };
  inbox.save(shipment);
  const request = () =>
    carrier(
      new Request('https://carrier.example/v1/labels', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `label-${shipmentId}` },
        body: JSON.stringify({ reference: shipmentId }),
        signal: AbortSignal.timeout(5_000),
      }),
    );
  try {
    let res = await request().catch(() => request()); // one retry after a network error: same key, no second label
    if (res.status >= 500) res = await request();
    if (!res.ok)
      return {
        status: 502,
        body: { error: { code: 'carrier_error', message: `The carrier answered ${res.status}.` } },
      };
    const label = (await res.json()) as { id: string };
    const labelled: Shipment = { ...(inbox.get(shipmentId) ?? shipment), label_id: label.id };
    inbox.save(labelled);
    return { status: 201, body: labelled };
  } catch {
    return {
      status: 502,
      body: { error: { code: 'carrier_unreachable', message: 'The carrier could not be reached.' } },
    };
  }
}
// #endregion buy-label
