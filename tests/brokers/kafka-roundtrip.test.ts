import '../../cli/services/kafkajs-quirks.ts';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, test } from 'vitest';
import { kafkaBrokers } from '../../cli/services/config.ts';

describe('Kafka round trip (real broker)', () => {
  test('create topic → produce keyed messages → consume in a group → commit', async () => {
    const kafka = new Kafka({ clientId: 'lab-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const topic = `lab-test.roundtrip.${randomUUID()}`;
    const groupId = `lab-test-group-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true }),
      ).toBe(true);

      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      const messages = ['order-1', 'order-2', 'order-3'].flatMap((key) =>
        [1, 2, 3].map((seq) => ({ key, value: JSON.stringify({ key, seq }) })),
      );
      await producer.send({ topic, messages });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: { key: string; seq: number; partition: number }[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${messages.length}`)), 30_000);
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const value = JSON.parse(message.value!.toString()) as { key: string; seq: number };
            seen.push({ ...value, partition });
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (seen.length === messages.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();

      // Same key → same partition, in the order produced.
      for (const key of ['order-1', 'order-2', 'order-3']) {
        const mine = seen.filter((m) => m.key === key);
        expect(mine.map((m) => m.seq)).toEqual([1, 2, 3]);
        expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      }
      // The group's committed offsets cover every message.
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      expect(total).toBe(messages.length);
      await admin.deleteGroups([groupId]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
