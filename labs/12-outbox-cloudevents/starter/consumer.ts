// The read side: a consumer in its own group applies every order event on the topic to the customer totals
// (the customer_totals table), once per event.
import type { DatabaseSync } from 'node:sqlite';
import type { Consumer, Kafka } from 'kafkajs';

export interface ConsumerOptions {
  kafka: Kafka;
  db: DatabaseSync;
  topic: string;
  groupId: string;
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
}

export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const { topic } = options;
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
      // TODO 5: read the message as a CloudEvent with the SDK (Kafka.toEvent from 'cloudevents'; its headers must be
      //         strings); skip (and log) a message that is not one, or whose type is not an order event.
      // TODO 6: in ONE transaction (transaction() from db.ts): record the event's source and id in processed_events,
      //         and, only if they were new, apply it to customer_totals (placed: +1 order, +total; cancelled: +1
      //         cancel, -total). Then commit the next offset.
      console.log(`read model: offset ${partition}/${message.offset} not applied yet (TODO 5, TODO 6)`);
    },
  });
  return consumer;
}
