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

// TODO 1: the id the README derives from the carrier, the tracking number (in capitals) and occurred_at.
export function externalEventId(carrier: Carrier, trackingNumber: string, occurredAt: string): string {
  return `${carrier}-${trackingNumber}-${occurredAt}`;
}

// TODO 2: a DHL shipment document (one entry of `shipments` in a tracking answer or a webhook) → its events, every
//         one of its `events` list (not only `status`); or a string saying what is wrong with the document.
export function fromDhl(shipment: unknown): TrackingEvent[] | string {
  return typeof (shipment as { id?: unknown })?.id === 'string' ? [] : 'a shipment needs an id';
}

// TODO 3: the postal records of one barcode → events: the status from OperType (README table), occurred_at the
//         OperDate in UTC, the description the OperAttr name, the location the place.
export function fromPostal(barcode: string, records: PostalRecord[]): TrackingEvent[] {
  void barcode;
  void records;
  return [];
}
