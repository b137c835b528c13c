// Helpers for this lab's tests: topic and group names the README fixes, reading a topic from the start, the
// group's partition assignment, and the projection the app shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignerProtocol, type KafkaMessage, type Message } from 'kafkajs';
import { http, kafkaClient } from '#testkit';

export const names = (prefix: string) => ({
  topic: `${prefix}.order-events`,
  deadLetters: `${prefix}.order-events.dlt`,
  group: `${prefix}.orders`,
});

export interface OrderView {
  orderId: string;
  status: string;
  total: number;
  history: { eventId: string; type: string; partition: number; offset: string }[];
}

export function scratch(): { file(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab08-'));
  return { file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** GET /orders of one app instance, by order id. */
export async function projection(url: string): Promise<Map<string, OrderView>> {
  const res = await http(`${url}/orders`);
  if (res.status !== 200 || !Array.isArray(res.json?.orders)) throw new Error(`GET /orders answered ${res.status}: ${res.text.slice(0, 200)}`);
  return new Map((res.json.orders as OrderView[]).map((o) => [o.orderId, o]));
}

/** Every event id the given instances have applied. */
export async function appliedEventIds(urls: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const url of urls) for (const order of (await projection(url)).values()) ids.push(...order.history.map((h) => h.eventId));
  return ids;
}

/** POST /events; fails the test on anything but 202. */
export async function postEvent(url: string, event: { orderId: string; type: string; amount?: number; eventId?: string }) {
  const res = await http(`${url}/events`, { method: 'POST', json: event });
  if (res.status !== 202) throw new Error(`POST /events ${JSON.stringify(event)} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json as { eventId: string; partition: number; offset: string };
}

/** The lifecycle of `orders` orders, interleaved (all created, then all paid, then all shipped). */
export async function postLifecycles(url: string, orderIds: string[]): Promise<string[]> {
  const eventIds: string[] = [];
  for (const type of ['order.created', 'order.paid', 'order.shipped']) {
    for (const orderId of orderIds) {
      const eventId = `${orderId}-${type}`;
      await postEvent(url, { orderId, type, eventId, amount: type === 'order.created' ? 25 : undefined });
      eventIds.push(eventId);
    }
  }
  return eventIds;
}

/** Produce messages straight to a topic, as another service (or a broken one) would. */
export async function produceRaw(topic: string, messages: Message[]): Promise<void> {
  // No auto-creation: the app must create its topic (with 3 partitions), not the test (with the broker's default).
  const producer = kafkaClient('lab08-test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } catch (error) {
    throw new Error(`could not produce to ${topic} (does the app create it at start-up?): ${(error as Error).message}`);
  } finally {
    await producer.disconnect();
  }
}

/** Read a topic from the beginning with a throwaway group until `enough` says so (bounded). */
export async function readTopic(
  topic: string,
  enough: (messages: (KafkaMessage & { partition: number })[]) => boolean,
  timeoutMs = 30_000,
): Promise<(KafkaMessage & { partition: number })[]> {
  const groupId = `lab08-reader-${Math.random().toString(36).slice(2)}`;
  const consumer = kafkaClient('lab08-test-reader').consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  const seen: (KafkaMessage & { partition: number })[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true }).catch((error: Error) => {
      throw new Error(`cannot read ${topic} (does the app create it at start-up?): ${error.message}`);
    });
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ ...message, partition });
        if (enough(seen)) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return seen;
  } finally {
    await consumer.disconnect().catch(() => {});
    await deleteGroups([groupId]);
  }
}

async function deleteGroups(groupIds: string[]): Promise<void> {
  const admin = kafkaClient('lab08-test-admin').admin();
  try {
    await admin.connect();
    await admin.deleteGroups(groupIds);
  } catch {
    /* best effort: an empty group expires by itself */
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The consumer group's members and the partitions of `topic` each one holds. */
export async function groupAssignment(groupId: string, topic: string): Promise<{ state: string; members: number[][] }> {
  const admin = kafkaClient('lab08-test-admin').admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    const members = (group?.members ?? []).map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return [...(decoded?.assignment[topic] ?? [])].sort();
    });
    return { state: group?.state ?? 'Unknown', members };
  } finally {
    await admin.disconnect();
  }
}

/** Sum of the end offsets of a topic's partitions (how many messages it ever got). */
export async function topicSize(topic: string): Promise<number> {
  const admin = kafkaClient('lab08-test-admin').admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Delete the run's topics and groups (best effort). */
export async function cleanup(prefix: string, groups: string[] = []): Promise<void> {
  const { topic, deadLetters, group } = names(prefix);
  const admin = kafkaClient('lab08-test-admin').admin();
  try {
    await admin.connect();
    await admin.deleteGroups([group, ...groups]).catch(() => {});
    await admin.deleteTopics({ topics: [topic, deadLetters], timeout: 10_000 }).catch(() => {});
  } catch {
    /* best effort */
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
