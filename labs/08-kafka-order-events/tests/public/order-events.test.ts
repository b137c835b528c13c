import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http, kafkaClient, startLab, waitFor, type LabRun } from '#testkit';
import {
  cleanup,
  names,
  orderEvent,
  partitionsOf,
  postLifecycles,
  produceRaw,
  projection,
  readTopic,
  scratch,
} from '../support.ts';

let run: LabRun;
const files = scratch();
beforeAll(async () => {
  run = await startLab({ env: { PROJECTION_FILE: files.file('a.jsonl') } });
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
  files.remove();
});

const short = () => randomUUID().slice(0, 8);

graded(
  "POST /events answers 202 with the event's id, partition and offset once Kafka has it",
  {
    rule: 'events-accepted',
    points: 2,
    hint: 'Await producer.send(): its result names the partition and the base offset. Answer 202 { eventId, partition, offset }, keeping the eventId you were sent and making one up only when there is none.',
  },
  async () => {
    const orderId = `a-${short()}`;
    const given = `${orderId}-created`;
    const res = await http(`${run.url}/events`, {
      method: 'POST',
      json: { orderId, type: 'order.created', amount: 30, eventId: given },
    });
    expect(res.status, res.said).toBe(202);
    expect(res.json?.eventId, `the eventId sent is kept: ${res.said}`).toBe(given);
    expect(Number.isInteger(res.json?.partition), `partition is a partition number: ${res.said}`).toBe(true);
    expect(String(res.json?.offset), `offset is the offset Kafka gave the event: ${res.said}`).toMatch(/^\d+$/);
    // Kafka has it: that partition of the topic now ends after the offset the app announced.
    const admin = kafkaClient('lab08-test-admin').admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(names(run.prefix).topic).finally(() => admin.disconnect());
    const end = ends.find((p) => p.partition === res.json.partition)?.high;
    expect(Number(end ?? 0), `end offset of partition ${res.json.partition} after ${res.said}`).toBeGreaterThan(
      Number(res.json.offset),
    );
    const fresh = await http(`${run.url}/events`, { method: 'POST', json: { orderId, type: 'order.paid' } });
    expect(fresh.status, fresh.said).toBe(202);
    expect(
      typeof fresh.json?.eventId === 'string' && fresh.json.eventId !== '' && fresh.json.eventId !== given,
      `without an eventId the app makes a new one up: ${fresh.said}`,
    ).toBe(true);
  },
);

graded(
  'POST /events refuses an unknown type or a missing orderId with 400 validation_failed',
  {
    rule: 'events-validation',
    points: 1,
    hint: 'Check the body before producing: orderId is a non-empty string and type one of EVENT_TYPES; otherwise answer 400 with the error envelope, code validation_failed.',
  },
  async () => {
    for (const body of [
      { orderId: `v-${short()}`, type: 'order.lost' },
      { type: 'order.created', amount: 5 },
      { orderId: '', type: 'order.paid' },
    ]) {
      const res = await http(`${run.url}/events`, { method: 'POST', json: body });
      expect(res.status, res.said).toBe(400);
      expectErrorEnvelope(res);
      expect(res.json?.error?.code, res.said).toBe('validation_failed');
    }
  },
);

graded(
  'events on the topic reach the projection: status, total and history with partition and offset',
  {
    rule: 'projection',
    points: 2,
    hint: 'For each message, call projection.apply(event, { partition, offset: message.offset }) with the whole parsed event (amount included): GET /orders/:id then shows it.',
  },
  async () => {
    // Produced straight to the topic, as the order service would: the projection is fed by the consumer alone.
    const orderId = `p-${short()}`;
    const events = [orderEvent(orderId, 'order.created', { amount: 30 }), orderEvent(orderId, 'order.paid')];
    const where = await produceRaw(
      names(run.prefix).topic,
      events.map((e) => ({ key: orderId, value: JSON.stringify(e) })),
    );
    const view = await waitFor(
      async () => {
        const res = await http(`${run.url}/orders/${orderId}`);
        return res.status === 200 && res.json?.history?.length >= 2 ? res : undefined;
      },
      { timeoutMs: 20_000, message: `GET /orders/${orderId} with both events` },
    );
    expect(view.json.status, view.said).toBe('paid');
    expect(view.json.total, view.said).toBe(30);
    expect(view.json.history, view.said).toMatchObject(
      events.map((e, i) => ({
        eventId: e.eventId,
        type: e.type,
        partition: where[i]!.partition,
        offset: where[i]!.offset,
      })),
    );
  },
);

graded(
  "events are keyed by order id, so each order's events share one partition, in order",
  {
    rule: 'keyed',
    points: 3,
    hint: 'Give every message key: orderId. Kafka hashes the key to pick the partition; only within one partition is the order of messages kept.',
    timeout: 40_000,
  },
  async () => {
    const orderIds = Array.from({ length: 6 }, (_, i) => `k${i}-${randomUUID().slice(0, 6)}`);
    const eventIds = await postLifecycles(run.url, orderIds);
    const wanted = new Set(eventIds);
    const eventOf = (m: { value: Buffer | null }) => {
      try {
        return JSON.parse(String(m.value));
      } catch {
        return {};
      }
    };
    const messages = await readTopic(
      names(run.prefix).topic,
      (seen) => seen.filter((m) => wanted.has(eventOf(m).eventId)).length >= wanted.size,
      20_000,
    );
    const ours = messages.map((m) => ({ m, event: eventOf(m) })).filter(({ event }) => wanted.has(event.eventId));
    expect(ours.length, `events read back from the topic, of the ${wanted.size} posted`).toBe(wanted.size);
    for (const orderId of orderIds) {
      const events = ours.filter(({ event }) => event.orderId === orderId);
      expect(
        events.map(({ m }) => m.key?.toString() ?? null),
        `message keys of the events of order ${orderId}`,
      ).toEqual([orderId, orderId, orderId]);
      expect(
        new Set(events.map(({ m }) => m.partition)).size,
        `partitions used by the events of order ${orderId}`,
      ).toBe(1);
      const byOffset = [...events].sort((a, b) => Number(BigInt(a.m.offset) - BigInt(b.m.offset)));
      expect(
        byOffset.map(({ event }) => event.type),
        `types of order ${orderId} by offset`,
      ).toEqual(['order.created', 'order.paid', 'order.shipped']);
    }
    // …and the projection applied each order's events in that order.
    const views = await waitFor(
      async () => {
        const p = await projection(run.url);
        return orderIds.every((id) => (p.get(id)?.history.length ?? 0) >= 3) ? p : undefined;
      },
      { timeoutMs: 20_000, message: `all ${orderIds.length} orders with 3 events in the projection` },
    );
    for (const id of orderIds)
      expect(
        views.get(id)?.history.map((h) => h.type),
        `history of order ${id}`,
      ).toEqual(['order.created', 'order.paid', 'order.shipped']);
  },
);

// The dead-letter tests come last: an app that gets stuck on a malformed message consumes nothing after it.
graded(
  'malformed messages go to the dead-letter topic with their key, their value and an x-error header',
  {
    rule: 'dead-letter',
    points: 2,
    hint: 'When a message is not JSON or lacks eventId, orderId or a known type, produce it to NAME_PREFIX + ".order-events.dlt" with the same key and value and a header x-error that says why; then commit it and go on.',
    timeout: 40_000,
  },
  async () => {
    const { topic, deadLetters } = names(run.prefix);
    const tag = short();
    const bad = [
      { key: `dl-${tag}-json`, value: 'this is not json' },
      { key: `dl-${tag}-id`, value: JSON.stringify({ orderId: `dl-${tag}`, type: 'order.created' }) },
      {
        key: `dl-${tag}-type`,
        value: JSON.stringify({ eventId: `dl-${tag}-e`, orderId: `dl-${tag}`, type: 'order.lost' }),
      },
      { key: `dl-${tag}-order`, value: JSON.stringify({ eventId: `dl-${tag}-o`, type: 'order.created' }) },
    ];
    // Each at the head of its own stretch of a partition, so that one stuck message cannot hide the others.
    const partitions = await partitionsOf(topic);
    await produceRaw(
      topic,
      bad.map((m, i) => ({ ...m, partition: partitions.length ? partitions[i % partitions.length] : undefined })),
    );
    const values = new Set(bad.map((m) => m.value));
    // Whether the app made the dead-letter topic at start-up is the topics rule's business: wait until it exists.
    await waitFor(async () => (await partitionsOf(deadLetters)).length > 0, {
      timeoutMs: 20_000,
      intervalMs: 200,
      message: `${deadLetters} to exist`,
    }).catch(() => {});
    const dead = await readTopic(
      deadLetters,
      (seen) => new Set(seen.map((m) => String(m.value)).filter((v) => values.has(v))).size >= values.size,
      20_000,
    ).catch(() => []);
    for (const m of bad) {
      const copies = dead.filter((d) => String(d.value) === m.value);
      expect(copies.length, `copies of ${m.value} in ${deadLetters}`).toBeGreaterThan(0);
      for (const copy of copies) {
        expect(copy.key?.toString() ?? null, `the key of the dead letter of ${m.value}`).toBe(m.key);
        expect(String(copy.headers?.['x-error'] ?? ''), `the x-error header of the dead letter of ${m.value}`).not.toBe(
          '',
        );
      }
    }
  },
);

graded(
  'a malformed message does not block its partition: the event behind it is processed',
  {
    rule: 'dead-letter',
    points: 2,
    hint: 'A consumer that throws in eachMessage gets the same message again and again, and the partition stops. Put a message that can never be processed aside (dead-letter topic) and commit it instead of throwing.',
    timeout: 40_000,
  },
  async () => {
    const orderId = `bad-${short()}`;
    await produceRaw(names(run.prefix).topic, [
      { key: orderId, value: '{"this is": not json' },
      { key: orderId, value: JSON.stringify({ orderId, type: 'order.created' }) }, // no eventId
      { key: orderId, value: JSON.stringify(orderEvent(orderId, 'order.created', { amount: 5 })) },
    ]);
    // The valid event behind the two bad ones (same key, same partition) must still be processed.
    await waitFor(async () => ((await projection(run.url)).get(orderId)?.history.length ?? 0) >= 1, {
      timeoutMs: 20_000,
      message: `the valid event behind the malformed ones to reach the projection (order ${orderId})`,
    });
  },
);
