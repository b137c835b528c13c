import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { amqpUrl } from '../../cli/services/config.ts';

describe('RabbitMQ round trip (real broker)', () => {
  const queue = `lab-test.roundtrip.${randomUUID()}`;
  let conn: amqp.ChannelModel;

  beforeAll(async () => {
    conn = await amqp.connect(amqpUrl());
  });
  afterAll(async () => {
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue);
    await conn.close();
  });

  test('publish → consume → ack on a durable queue; acked messages are gone', async () => {
    const publisher = await conn.createConfirmChannel();
    const q = await publisher.assertQueue(queue, { durable: true });
    expect(q.queue).toBe(queue);
    const bodies = ['one', 'two', 'three'];
    for (const body of bodies) {
      publisher.sendToQueue(queue, Buffer.from(body), { persistent: true, messageId: body });
    }
    await publisher.waitForConfirms();

    const consumer = await conn.createChannel();
    await consumer.prefetch(1);
    const received: { body: string; persistent: boolean }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${received.length} of ${bodies.length} messages`)), 10_000);
      void consumer.consume(queue, (msg) => {
        if (!msg) return;
        received.push({ body: msg.content.toString(), persistent: msg.properties.deliveryMode === 2 });
        consumer.ack(msg);
        if (received.length === bodies.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(received).toEqual(bodies.map((body) => ({ body, persistent: true })));
    await consumer.close();

    const after = await publisher.checkQueue(queue);
    expect(after.messageCount).toBe(0);
    await publisher.close();
  });
});
