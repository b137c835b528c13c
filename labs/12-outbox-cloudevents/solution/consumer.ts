// The read side: a consumer in its own group applies every order event on the topic to the customer totals, once per
// event: an event whose source and id it has applied already (a copy the relay sent again) changes nothing.
import type { DatabaseSync } from 'node:sqlite';
import { type CloudEvent, Kafka as CloudEventsKafka, type KafkaMessage } from 'cloudevents';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { transaction } from './db.ts';
import { ORDER_CANCELLED, ORDER_PLACED, type OrderData } from './events.ts';

export interface ConsumerOptions {
  kafka: Kafka;
  db: DatabaseSync;
  topic: string;
  groupId: string;
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
}

/** Kafka headers arrive as Buffers; the SDK reads strings. */
function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

/** The event's order data, or why it cannot be applied. */
function orderData(event: CloudEvent<unknown>): OrderData | string {
  if (event.type !== ORDER_PLACED && event.type !== ORDER_CANCELLED) return `unknown type ${event.type}`;
  const data = (typeof event.data === 'string' ? JSON.parse(event.data) : event.data) as Partial<OrderData> | undefined;
  if (
    typeof data?.customer_id !== 'string' ||
    typeof data.currency !== 'string' ||
    !Number.isInteger(data.total_cents)
  ) {
    return 'data lacks customer_id, currency or total_cents';
  }
  return data as OrderData;
}

// #region apply
/** Apply one event to the read model unless it was applied before; the dedupe row and the effect commit together. */
function applyOnce(db: DatabaseSync, event: CloudEvent<unknown>, data: OrderData): boolean {
  return transaction(db, () => {
    const seen = db
      .prepare('INSERT INTO processed_events (source, id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(event.source, event.id, new Date().toISOString());
    if (seen.changes === 0) return false; // a copy of an event applied already
    const placed = event.type === ORDER_PLACED;
    db.prepare(
      `INSERT INTO customer_totals (customer_id, currency, orders_placed, orders_cancelled, open_total_cents)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (customer_id, currency) DO UPDATE SET
         orders_placed = orders_placed + excluded.orders_placed,
         orders_cancelled = orders_cancelled + excluded.orders_cancelled,
         open_total_cents = open_total_cents + excluded.open_total_cents`,
    ).run(data.customer_id, data.currency, placed ? 1 : 0, placed ? 0 : 1, placed ? data.total_cents : -data.total_cents);
    return true;
  });
}
// #endregion apply

export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const { db, topic } = options;
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeout,
    heartbeatInterval: options.heartbeatInterval,
    rebalanceTimeout: options.rebalanceTimeout,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      let event: CloudEvent<unknown> | undefined;
      try {
        // Reads structured and binary mode alike.
        const value = message.value?.toString('utf8') ?? '';
        const incoming: KafkaMessage<string> = {
          key: message.key?.toString('utf8') ?? '',
          value,
          body: value,
          headers: headerStrings(message.headers),
          timestamp: message.timestamp,
        };
        const read = CloudEventsKafka.toEvent(incoming) as CloudEvent<unknown>;
        read.validate(); // a structured event is read as it came: check that the required attributes are there
        event = read;
      } catch (error) {
        console.error(`read model: offset ${partition}/${message.offset} is not a CloudEvent, skipped: ${(error as Error).message}`);
      }
      const data = event ? orderData(event) : undefined;
      if (typeof data === 'string') console.error(`read model: event ${event?.id} skipped: ${data}`);
      else if (event && data) applyOnce(db, event, data);
      // After the work: a crash before this line delivers the message again, and applyOnce skips it then.
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
  return consumer;
}
