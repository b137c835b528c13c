// The events this service publishes: CloudEvents 1.0, built (and validated) with the official SDK, the `cloudevents`
// package: `new CloudEvent({ ... })`.
import type { CloudEvent } from 'cloudevents';

/** Who produces the events (lesson 05's convention): the same for every event of this service. */
export const SOURCE = '/shop/order-service';
/** What happened: reverse-DNS, past tense, with the version of the data's shape. */
export const ORDER_PLACED = 'com.example.shop.order.placed.v1';
export const ORDER_CANCELLED = 'com.example.shop.order.cancelled.v1';
export type OrderEventType = typeof ORDER_PLACED | typeof ORDER_CANCELLED;

/** The order as the events carry it (`data`). */
export interface OrderData {
  order_id: string;
  customer_id: string;
  total_cents: number;
  currency: string;
}

// TODO 1: build the event with new CloudEvent<OrderData>({ ... }): specversion, id, source, type, subject (the order
//         id), time, datacontenttype and data (the four fields of OrderData). Where is the id made, and how often?
export function orderEvent(type: OrderEventType, order: OrderData): CloudEvent<OrderData> {
  throw new Error(`orderEvent(${type}, ${order.order_id}) is not written yet (TODO 1)`);
}
