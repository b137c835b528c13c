// Helpers for this lab's tests: topic and group names the README fixes, reading a topic from the start, the
// group's partition assignment, and the projection the app shows.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignerProtocol, type KafkaMessage, type Message } from 'kafkajs';
import { http, kafkaClient, type LabRun } from '#testkit';

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
  if (res.status !== 200 || !Array.isArray(res.json?.orders))
    throw new Error(`GET /orders answered ${res.status}: ${res.text.slice(0, 200)}`);
  return new Map((res.json.orders as OrderView[]).map((o) => [o.orderId, o]));
}

/** Every event id the given instances have applied. */
export async function appliedEventIds(urls: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const url of urls)
    for (const order of (await projection(url)).values()) ids.push(...order.history.map((h) => h.eventId));
  return ids;
}

/**
 * POST /events for test data: any 2xx will do (the exact status is the events-accepted rule's business). Gives the
 * event id the app answered with, or the one sent when the answer has none.
 */
export async function postEvent(
  url: string,
  event: { orderId: string; type: string; amount?: number; eventId?: string },
): Promise<string | undefined> {
  const res = await http(`${url}/events`, { method: 'POST', json: event });
  if (res.status < 200 || res.status > 299) throw new Error(`${res.said}: test data needs POST /events to answer 202`);
  return typeof res.json?.eventId === 'string' && res.json.eventId ? res.json.eventId : event.eventId;
}

/** The lifecycle of each order, interleaved (all created, then all paid, then all shipped); the event ids, in order. */
export async function postLifecycles(url: string, orderIds: string[]): Promise<string[]> {
  const eventIds: string[] = [];
  for (const type of ['order.created', 'order.paid', 'order.shipped']) {
    for (const orderId of orderIds) {
      const eventId = await postEvent(url, {
        orderId,
        type,
        eventId: `${orderId}-${type}`,
        amount: type === 'order.created' ? 25 : undefined,
      });
      if (eventId) eventIds.push(eventId);
    }
  }
  return eventIds;
}

/** A valid event as the order service would put it on the topic. */
export function orderEvent(orderId: string, type: string, extra: { amount?: number; eventId?: string } = {}) {
  return {
    eventId: extra.eventId ?? `${orderId}-${type}`,
    orderId,
    type,
    amount: extra.amount,
    at: new Date().toISOString(),
  };
}

/** Produce messages straight to a topic, as another service (or a broken one) would; where each one landed. */
export async function produceRaw(topic: string, messages: Message[]): Promise<{ partition: number; offset: string }[]> {
  // No auto-creation: the app must create its topic (with 3 partitions), not the test (with the broker's default).
  const producer = kafkaClient('lab08-test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    // One send per message, so that each one's offset is known.
    const out: { partition: number; offset: string }[] = [];
    for (const message of messages) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [message] });
      out.push({ partition: meta!.partition, offset: meta!.baseOffset! });
    }
    return out;
  } catch (error) {
    throw new Error(`could not produce to ${topic} (does the app create it at start-up?): ${(error as Error).message}`);
  } finally {
    await producer.disconnect();
  }
}

/** The partition numbers of a topic, sorted ([] when it does not exist). */
export async function partitionsOf(topic: string): Promise<number[]> {
  const admin = kafkaClient('lab08-test-admin').admin();
  await admin.connect();
  try {
    // Asking for the metadata of a topic that does not exist could create it (auto-creation): list first.
    if (!(await admin.listTopics()).includes(topic)) return [];
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
  } catch {
    return [];
  } finally {
    await admin.disconnect();
  }
}

/** One valid event per partition of the topic (explicit partitions, so that every instance gets some). */
export async function eventPerPartition(prefix: string, tag = 'w', perPartition = 1): Promise<string[]> {
  const { topic } = names(prefix);
  const known = await partitionsOf(topic);
  const partitions = known.length ? known : [0];
  const events = partitions.flatMap((partition) =>
    Array.from({ length: perPartition }, (_, i) => ({
      partition,
      event: orderEvent(`${tag}-${partition}-${i}-${Math.random().toString(36).slice(2, 8)}`, 'order.created', {
        amount: 1,
      }),
    })),
  );
  await produceRaw(
    topic,
    events.map(({ partition, event }) => ({ partition, key: event.orderId, value: JSON.stringify(event) })),
  );
  return events.map(({ event }) => event.eventId);
}

/** Read a topic from the beginning with a throwaway group until `enough` says so (bounded). */
export async function readTopic(
  topic: string,
  enough: (messages: (KafkaMessage & { partition: number })[]) => boolean,
  timeoutMs = 30_000,
): Promise<(KafkaMessage & { partition: number })[]> {
  const groupId = `lab08-reader-${Math.random().toString(36).slice(2)}`;
  const consumer = kafkaClient('lab08-test-reader').consumer({
    groupId,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
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

/** Create the topics of these prefixes as the app would (3 partitions, and the dead-letter topic). */
export async function createTopics(prefixes: string[]): Promise<void> {
  const admin = kafkaClient('lab08-test-admin').admin();
  await admin.connect();
  try {
    // A busy KRaft broker may not host a new topic yet when kafkajs asks for its leaders: it then answers
    // UNKNOWN_TOPIC_OR_PARTITION, which kafkajs does not retry. Asking again soon succeeds (false: they exist).
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: prefixes.flatMap((prefix) => [
            { topic: names(prefix).topic, numPartitions: 3 },
            { topic: names(prefix).deadLetters, numPartitions: 1 },
          ]),
        });
        break;
      } catch (error) {
        if (attempt >= 10 || !/does not host this topic-partition/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
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

/** The innermost process under `pid` (the app itself when a sandbox wraps it), from /proc. */
function innermost(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  let at = pid;
  for (let next = children.get(at)?.[0]; next !== undefined; next = children.get(at)?.[0]) at = next;
  return at;
}

/**
 * SIGTERM to the app's own process, as an orchestrator stopping one copy does, then wait until it has exited (at most
 * `ms`). The sandbox around a graded app would end the app at once on a SIGTERM of its own, so the app gets it alone.
 */
export async function terminate(run: LabRun, ms = 3_000): Promise<void> {
  const pid = run.app.pid;
  if (pid && run.app.running) {
    try {
      process.kill(innermost(pid), 'SIGTERM');
    } catch {
      /* gone already */
    }
    const deadline = Date.now() + ms;
    while (run.app.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  await run.app.stop();
}
