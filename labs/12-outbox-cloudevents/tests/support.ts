// Helpers for lab 12's tests: the names the README fixes, a scratch folder for the database, orders through the API,
// and the topic read back from the start (its messages decoded loosely, or checked against the CloudEvents spec).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudEvent } from 'cloudevents';
import type { IHeaders } from 'kafkajs';
import { http, kafkaClient } from '#testkit';

export const SOURCE = '/shop/order-service';
export const PLACED = 'com.example.shop.order.placed.v1';
export const CANCELLED = 'com.example.shop.order.cancelled.v1';

export const names = (prefix: string) => ({ topic: `${prefix}.order-events`, group: `${prefix}.read-model` });

/** A folder for the app's database, inside the scratch folder the sandboxed app may write. */
export function scratch(): { file(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab12-'));
  return { file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Order {
  order_id: string;
  customer_id: string;
  total_cents: number;
  currency: string;
}

/** POST /orders for test data: any 2xx will do (the exact status is the orders-api rule's business). */
export async function placeOrder(url: string, order: Order): Promise<void> {
  const res = await http(`${url}/orders`, { method: 'POST', json: order });
  if (res.status < 200 || res.status > 299) throw new Error(`${res.said}: test data needs POST /orders to answer 201`);
}

/** POST /orders/:id/cancel for test data: any 2xx will do. */
export async function cancelOrder(url: string, orderId: string): Promise<void> {
  const res = await http(`${url}/orders/${orderId}/cancel`, { method: 'POST' });
  if (res.status < 200 || res.status > 299) throw new Error(`${res.said}: test data needs the cancel to answer 200`);
}

export interface TopicMessage {
  partition: number;
  offset: number;
  key: string | null;
  /** Header names in lower case, values as text. */
  headers: Record<string, string>;
  value: string;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = String(Array.isArray(value) ? value[0] : value);
  return out;
}

/**
 * Every message of a topic from the start, read by a throwaway group: until `enough` says so, then on to the end
 * the partitions had at that moment (so that a copy written just before the last awaited message is seen too).
 * Bounded by `timeoutMs`; what was read by then is returned either way.
 */
export async function readTopic(
  topic: string,
  enough: (messages: TopicMessage[]) => boolean,
  timeoutMs = 8_000,
): Promise<TopicMessage[]> {
  return (await readTopicTo(topic, enough, timeoutMs)).messages;
}

/** readTopic, and whether it read to the ends the partitions had once `enough` was satisfied (false: it gave up). */
async function readTopicTo(
  topic: string,
  enough: (messages: TopicMessage[]) => boolean,
  timeoutMs: number,
): Promise<{ messages: TopicMessage[]; complete: boolean }> {
  const groupId = `lab12-reader-${Math.random().toString(36).slice(2)}`;
  const client = kafkaClient('lab12-test-reader');
  const consumer = client.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const admin = client.admin();
  const seen: TopicMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  await Promise.all([consumer.connect(), admin.connect()]);
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true }).catch((error: Error) => {
      throw new Error(`cannot read ${topic} (does the app create it at start-up?): ${error.message}`);
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString('utf8') ?? null,
          headers: headerText(message.headers),
          value: message.value?.toString('utf8') ?? '',
        });
      },
    });
    while (Date.now() < deadline && !enough(seen)) await new Promise((r) => setTimeout(r, 100));
    let complete = false;
    if (enough(seen)) {
      const ends = await admin.fetchTopicOffsets(topic);
      const readAll = () =>
        ends.every(
          (p) =>
            Number(p.high) === 0 || seen.some((m) => m.partition === p.partition && m.offset >= Number(p.high) - 1),
        );
      while (Date.now() < deadline && !readAll()) await new Promise((r) => setTimeout(r, 50));
      complete = readAll();
    }
    return { messages: [...seen], complete };
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * What the topic holds right now (read to the ends its partitions had when the look began), for a look just before
 * the app is killed. A topic that does not exist yet holds nothing. An app that publishes while the look goes on (one
 * that should be waiting) adds messages after those ends: they may or may not be in the look, and it is not an error.
 */
export async function topicNow(topic: string): Promise<TopicMessage[]> {
  let look: { messages: TopicMessage[]; complete: boolean };
  try {
    look = await readTopicTo(topic, () => true, 8_000);
  } catch (error) {
    if (/does the app create it/.test((error as Error).message)) return [];
    throw error;
  }
  // readTopic gives up quietly at its deadline; a look that missed messages would see less than was there.
  if (!look.complete) throw new Error(`could not read ${topic} to its end in time`);
  return look.messages;
}

/**
 * What a message says, read leniently (no validation: that is the cloudevents rule's business): the CloudEvents id,
 * type and data, from a structured message's JSON value or a binary message's ce_ headers and value.
 */
export interface LooseEvent {
  id?: string;
  type?: string;
  orderId?: string;
  data?: Partial<Order>;
  message: TopicMessage;
}

export function looseEvent(message: TopicMessage): LooseEvent {
  let value: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(message.value);
    if (parsed && typeof parsed === 'object') value = parsed;
  } catch {
    /* not JSON: no data */
  }
  const binary = 'ce_id' in message.headers || 'ce_type' in message.headers;
  const id = binary ? message.headers.ce_id : value.id;
  const type = binary ? message.headers.ce_type : value.type;
  const data = ((binary ? value : value.data) ?? {}) as Partial<Order>;
  return {
    id: typeof id === 'string' ? id : undefined,
    type: typeof type === 'string' ? type : undefined,
    orderId: typeof data.order_id === 'string' ? data.order_id : undefined,
    data,
    message,
  };
}

/** The messages about the given orders, by order id, in the order they were read. */
export function byOrder(messages: TopicMessage[]): Map<string, LooseEvent[]> {
  const out = new Map<string, LooseEvent[]>();
  for (const event of messages.map(looseEvent)) {
    if (!event.orderId) continue;
    out.set(event.orderId, [...(out.get(event.orderId) ?? []), event]);
  }
  return out;
}

/** Whether each (order id, type) pair is on the topic at least once. */
export function hasEvents(messages: TopicMessage[], wanted: [orderId: string, type: string][]): boolean {
  const seen = new Set(messages.map(looseEvent).map((e) => `${e.orderId} ${e.type}`));
  return wanted.every(([orderId, type]) => seen.has(`${orderId} ${type}`));
}

/**
 * The CloudEvents attributes a message carries as sent: a binary message's ce_ headers plus its content-type as
 * datacontenttype and its value as data, or else (structured) the JSON envelope in its value.
 */
export function rawAttributes(message: TopicMessage): Record<string, unknown> {
  const binary = Object.keys(message.headers).some((name) => name.startsWith('ce_'));
  if (!binary) {
    // Structured (whatever its content-type header says: that is the structured-mode rule's business).
    const parsed = JSON.parse(message.value);
    if (!parsed || typeof parsed !== 'object') throw new Error('the value is not a JSON object');
    return parsed as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.headers)) if (name.startsWith('ce_')) out[name.slice(3)] = value;
  if (message.headers['content-type']) out.datacontenttype = message.headers['content-type'];
  try {
    out.data = JSON.parse(message.value);
  } catch {
    out.data = message.value;
  }
  return out;
}

/** Check one message against CloudEvents 1.0 with the SDK; what is wrong, or [] when it is valid. */
export function cloudEventProblems(message: TopicMessage): string[] {
  let attributes: Record<string, unknown>;
  try {
    attributes = rawAttributes(message);
  } catch (error) {
    return [`not a CloudEvent: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  // The SDK fills in a missing id or time when it builds an event, so their presence is checked on what was sent.
  for (const name of ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype'])
    if (typeof attributes[name] !== 'string' || attributes[name] === '') problems.push(`${name} is missing`);
  for (const name of Object.keys(attributes))
    if (!/^[a-z0-9]+$/.test(name))
      problems.push(`attribute name ${JSON.stringify(name)} is not lowercase letters and digits`);
  try {
    new CloudEvent(attributes).validate();
  } catch (error) {
    const details = (error as { errors?: { message?: string }[] }).errors?.map((e) => e.message).join('; ');
    problems.push(
      `the cloudevents SDK refuses it: ${(error as Error).message.split('\n')[0]}${details ? ` (${details})` : ''}`,
    );
  }
  return problems;
}

/** A valid structured CloudEvent about an order, as another producer would put it on the topic. */
export function structuredEvent(type: string, order: Order, id?: string) {
  const event = new CloudEvent({
    ...(id ? { id } : {}),
    source: SOURCE,
    type,
    subject: order.order_id,
    datacontenttype: 'application/json',
    data: order,
  });
  return {
    id: event.id,
    value: JSON.stringify(event),
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
  };
}

/** Produce messages to a topic in this order (one partition, so that they are read in this order too). */
export async function produce(
  topic: string,
  messages: { key: string; value: string; headers: Record<string, string> }[],
): Promise<void> {
  const producer = kafkaClient('lab12-test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition: 0 })) });
  } catch (error) {
    throw new Error(`could not produce to ${topic} (does the app create it at start-up?): ${(error as Error).message}`);
  } finally {
    await producer.disconnect();
  }
}

/** Delete the run's topic and groups (best effort). */
export async function cleanup(prefix: string): Promise<void> {
  const { topic, group } = names(prefix);
  const admin = kafkaClient('lab12-test-admin').admin();
  try {
    await admin.connect();
    await admin.deleteGroups([group]).catch(() => {});
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => {});
  } catch {
    /* best effort */
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
