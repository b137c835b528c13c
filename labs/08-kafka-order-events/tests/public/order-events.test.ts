import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, waitFor, type LabRun } from '#testkit';
import { cleanup, names, postEvent, postLifecycles, produceRaw, projection, readTopic, scratch } from '../support.ts';

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

graded('POST /events answers 202 and the projection shows the order', {
  points: 2,
  hint: 'POST /events produces the event to NAME_PREFIX + ".order-events"; the consumer applies it with projection.apply(), and GET /orders/:id shows it.',
  timeout: 40_000,
}, async () => {
  const orderId = `o-${randomUUID().slice(0, 8)}`;
  await postEvent(run.url, { orderId, type: 'order.created', amount: 30 });
  await postEvent(run.url, { orderId, type: 'order.paid' });
  const view = await waitFor(async () => {
    const res = await http(`${run.url}/orders/${orderId}`);
    return res.status === 200 && res.json?.history?.length === 2 ? res.json : undefined;
  }, { timeoutMs: 30_000, message: `GET /orders/${orderId} with both events` });
  expect(view.status).toBe('paid');
  expect(view.total).toBe(30);
  expect(view.history.map((h: { type: string }) => h.type)).toEqual(['order.created', 'order.paid']);
  const missing = await http(`${run.url}/orders/nope-${randomUUID()}`);
  expect(missing.status).toBe(404);
  const invalid = await http(`${run.url}/events`, { method: 'POST', json: { orderId: orderId, type: 'order.lost' } });
  expect(invalid.status, 'an unknown event type is refused with 400').toBe(400);
});

graded('events are keyed by order id, so each order\'s events share one partition, in order', {
  points: 3,
  hint: 'Give every message key: orderId. Kafka hashes the key to pick the partition; only within one partition is the order of messages kept.',
  timeout: 50_000,
}, async () => {
  const orderIds = Array.from({ length: 8 }, (_, i) => `k${i}-${randomUUID().slice(0, 6)}`);
  const eventIds = await postLifecycles(run.url, orderIds);
  const wanted = new Set(eventIds);
  const messages = await readTopic(names(run.prefix).topic, (seen) => seen.filter((m) => wanted.has(JSON.parse(String(m.value)).eventId)).length >= wanted.size);
  const ours = messages.map((m) => ({ m, event: JSON.parse(String(m.value)) })).filter(({ event }) => wanted.has(event.eventId));
  expect(ours.length, 'all 24 events read back from the topic').toBe(24);
  for (const orderId of orderIds) {
    const events = ours.filter(({ event }) => event.orderId === orderId);
    expect(events.map(({ m }) => m.key?.toString()), `keys of ${orderId}`).toEqual([orderId, orderId, orderId]);
    expect(new Set(events.map(({ m }) => m.partition)).size, `partitions used by ${orderId}`).toBe(1);
    const byOffset = [...events].sort((a, b) => Number(BigInt(a.m.offset) - BigInt(b.m.offset)));
    expect(byOffset.map(({ event }) => event.type)).toEqual(['order.created', 'order.paid', 'order.shipped']);
  }
  // …and the projection saw each order's events in that order.
  const views = await waitFor(async () => {
    const p = await projection(run.url);
    return orderIds.every((id) => p.get(id)?.history.length === 3) ? p : undefined;
  }, { timeoutMs: 30_000, message: 'all 8 orders shipped in the projection' });
  for (const id of orderIds) expect(views.get(id)?.status).toBe('shipped');
});

graded('malformed messages go to the dead-letter topic and do not block the partition', {
  points: 3,
  hint: 'When a message cannot be parsed or misses eventId, orderId or a known type, produce it to NAME_PREFIX + ".order-events.dlt" with an x-error header, commit its offset, and go on with the next one.',
  timeout: 50_000,
}, async () => {
  const orderId = `bad-${randomUUID().slice(0, 8)}`;
  const { topic, deadLetters } = names(run.prefix);
  await produceRaw(topic, [
    { key: orderId, value: 'this is not json' },
    { key: orderId, value: JSON.stringify({ orderId, type: 'order.created' }) }, // no eventId
    { key: orderId, value: JSON.stringify({ eventId: `${orderId}-ok`, orderId, type: 'order.created', amount: 5 }) },
  ]);
  // The valid event behind the two bad ones (same key, same partition) must still be processed.
  await waitFor(async () => (await projection(run.url)).get(orderId)?.history.length === 1, {
    timeoutMs: 30_000,
    message: `the valid event behind the malformed ones to reach the projection (order ${orderId})`,
  });
  const dead = await readTopic(deadLetters, (seen) => seen.filter((m) => m.key?.toString() === orderId).length >= 2, 20_000).catch(() => []);
  const ours = dead.filter((m) => m.key?.toString() === orderId);
  expect(ours.map((m) => String(m.value)), `messages in ${deadLetters}`).toEqual(['this is not json', JSON.stringify({ orderId, type: 'order.created' })]);
  for (const m of ours) expect(String(m.headers?.['x-error'] ?? ''), 'the x-error header says why').not.toBe('');
});
