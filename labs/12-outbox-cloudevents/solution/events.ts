// The events this service publishes, as CloudEvents 1.0 built (and validated) by the official SDK.
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';

/** Who produces the events: a URI reference, the same for every event of this service (lesson 05's convention). */
export const SOURCE = '/shop/order-service';
/** What happened, reverse-DNS, past tense, with the version of the data's shape. */
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

// #region event
/**
 * A new event about an order. Its id is minted here, once: the outbox row keeps the whole event, so every attempt to
 * publish it (also the one after a crash) sends the same id, and consumers can recognise the copy.
 */
export function orderEvent(type: OrderEventType, order: OrderData): CloudEvent<OrderData> {
  return new CloudEvent<OrderData>({
    specversion: '1.0',
    id: randomUUID(),
    source: SOURCE,
    type,
    subject: order.order_id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      order_id: order.order_id,
      customer_id: order.customer_id,
      total_cents: order.total_cents,
      currency: order.currency,
    },
  });
}
// #endregion event
