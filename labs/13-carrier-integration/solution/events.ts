// The one tracking-event model both carriers are normalised into (README, "The event model"), and the
// external_event_id that deduplicates them.
import type { PostalRecord } from './soap.ts';

export type Carrier = 'dhl' | 'postal';
export type TrackingStatus = 'pre-transit' | 'transit' | 'delivered' | 'failure';

export interface TrackingEvent {
  external_event_id: string;
  carrier: Carrier;
  tracking_number: string;
  status: TrackingStatus;
  description: string;
  location: string;
  occurred_at: string;
}

// #region external-id
/** `<carrier>:<TRACKING NUMBER>:<occurred_at>`: the same event, polled or pushed, gets the same id. */
export function externalEventId(carrier: Carrier, trackingNumber: string, occurredAt: string): string {
  return `${carrier}:${trackingNumber.toUpperCase()}:${occurredAt}`;
}
// #endregion external-id

/** An instant as ISO 8601 in UTC with milliseconds, whatever offset the carrier wrote it with. */
function utc(text: string): string | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function event(
  carrier: Carrier,
  trackingNumber: string,
  status: TrackingStatus,
  description: string,
  location: string,
  occurredAt: string,
): TrackingEvent {
  return {
    external_event_id: externalEventId(carrier, trackingNumber, occurredAt),
    carrier,
    tracking_number: trackingNumber.toUpperCase(),
    status,
    description,
    location,
    occurred_at: occurredAt,
  };
}

const DHL_STATUSES: readonly string[] = ['pre-transit', 'transit', 'delivered', 'failure'];

/** A DHL shipment document (one entry of `shipments` in a tracking answer or a webhook): its events. */
export function fromDhl(shipment: unknown): TrackingEvent[] | string {
  const s = shipment as { id?: unknown; events?: unknown };
  if (typeof s?.id !== 'string' || !Array.isArray(s.events)) return 'a shipment needs an id and an events list';
  const out: TrackingEvent[] = [];
  for (const e of s.events as Record<string, unknown>[]) {
    const occurredAt = typeof e?.timestamp === 'string' ? utc(e.timestamp) : undefined;
    const statusCode = e?.statusCode;
    if (!occurredAt || typeof statusCode !== 'string' || !DHL_STATUSES.includes(statusCode)) {
      return 'every event needs a timestamp and a statusCode (pre-transit, transit, delivered or failure)';
    }
    const where = (e.location as { address?: { addressLocality?: unknown } } | undefined)?.address?.addressLocality;
    out.push(
      event(
        'dhl',
        s.id,
        statusCode as TrackingStatus,
        typeof e.description === 'string' ? e.description : String(e.status ?? ''),
        typeof where === 'string' ? where : '',
        occurredAt,
      ),
    );
  }
  return out;
}

// #region postal-status
/** The postal service's operation types, in the DHL groups the model uses. */
const POSTAL_STATUSES: Record<number, TrackingStatus> = {
  1: 'pre-transit', // acceptance
  8: 'transit', // processing: left the office, sorting, arrived, handed to the courier
  2: 'delivered',
  12: 'failure', // unsuccessful delivery attempt
  3: 'failure', // returned to the sender
};
// #endregion postal-status

/** The records of one postal barcode, oldest first, as tracking events. */
export function fromPostal(barcode: string, records: PostalRecord[]): TrackingEvent[] {
  const out: TrackingEvent[] = [];
  for (const r of records) {
    const status = POSTAL_STATUSES[r.operType];
    const occurredAt = utc(r.operDate);
    if (!status || !occurredAt) continue; // an operation the model has no place for
    out.push(event('postal', barcode, status, r.operAttrName, r.place, occurredAt));
  }
  return out;
}
