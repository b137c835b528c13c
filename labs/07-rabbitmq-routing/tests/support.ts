// Helpers for this lab's tests: the queue names the README fixes, and reading queues without a consumer.
import type { Channel } from 'amqplib';
import { connectAmqp } from '#testkit';

export function topology(prefix: string) {
  return {
    exchanges: { logs: `${prefix}.logs`, announcements: `${prefix}.announcements`, pages: `${prefix}.pages` },
    queues: {
      errors: `${prefix}.logs.errors`,
      payments: `${prefix}.logs.payments`,
      archive: `${prefix}.logs.archive`,
      email: `${prefix}.announcements.email`,
      chat: `${prefix}.announcements.chat`,
      pagePayments: `${prefix}.pages.payments`,
      pagePlatform: `${prefix}.pages.platform`,
    },
  };
}

export type QueueKey = keyof ReturnType<typeof topology>['queues'];
export interface Received {
  routingKey: string;
  exchange: string;
  // biome-ignore lint/suspicious/noExplicitAny: a message body as the app published it, checked by each test
  body: any;
  deliveryMode?: number;
  contentType?: string;
}

/** Run fn with one connection; each channel it opens reports errors (e.g. 404 for a missing queue) as rejections. */
async function withConnection<T>(fn: (channel: () => Promise<Channel>) => Promise<T>): Promise<T> {
  const conn = await connectAmqp();
  try {
    return await fn(async () => {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      return ch;
    });
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Take every message out of every queue of the topology, by queue. Fails clearly when a queue is missing. */
export async function drainAll(prefix: string): Promise<Record<QueueKey, Received[]>> {
  const { queues } = topology(prefix);
  const out = {} as Record<QueueKey, Received[]>;
  await withConnection(async (channel) => {
    for (const [key, name] of Object.entries(queues) as [QueueKey, string][]) {
      // A channel per queue: a missing queue closes only its own channel.
      const ch = await channel();
      try {
        await ch.checkQueue(name);
      } catch {
        throw new Error(`the queue ${name} does not exist: declare it at start-up`);
      }
      const got: Received[] = [];
      for (let i = 0; i < 500; i++) {
        const msg = await ch.get(name, { noAck: true });
        if (!msg) break;
        got.push(toReceived(msg));
      }
      out[key] = got;
      await ch.close().catch(() => {});
    }
  });
  return out;
}

/** How many messages each queue holds, as { errors: 1, … } (queues with none are left out, for short diffs). */
export function counts(received: Record<QueueKey, Received[]>): Partial<Record<QueueKey, number>> {
  return Object.fromEntries(
    Object.entries(received)
      .filter(([, list]) => list.length > 0)
      .map(([k, list]) => [k, list.length]),
  );
}

/** Publish test messages straight to an exchange (as another service would), with publisher confirms. */
export async function publishTo(exchange: string, keys: string[]): Promise<void> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createConfirmChannel();
    let failure: Error | undefined;
    ch.on('error', (error: Error) => {
      failure = error;
    });
    for (const key of keys)
      ch.publish(exchange, key, Buffer.from(JSON.stringify({ key })), { contentType: 'application/json' });
    await ch.waitForConfirms().catch((error: Error) => {
      throw failure ?? error;
    });
    if (failure) throw failure;
  } catch (error) {
    throw new Error(
      `could not publish to the exchange ${exchange} (declare it at start-up): ${(error as Error).message}`,
    );
  } finally {
    await conn.close().catch(() => {});
  }
}

/**
 * A queue of the test's own, bound to `exchange` with each of `keys` (exact words, so it gets them whatever the
 * exchange's type): what the app publishes there is seen whatever the app's own queues and bindings are.
 */
export async function tap(
  exchange: string,
  keys: string[],
): Promise<{ take(): Promise<Received[]>; close(): Promise<void> }> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createChannel();
    let failure: Error | undefined;
    ch.on('error', (error: Error) => {
      failure = error;
    });
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    try {
      for (const key of keys) await ch.bindQueue(queue, exchange, key);
    } catch (error) {
      throw new Error(
        `could not bind a test queue to the exchange ${exchange} (declare it at start-up): ${(failure ?? (error as Error)).message}`,
      );
    }
    return {
      async take() {
        const got: Received[] = [];
        for (let i = 0; i < 100; i++) {
          const msg = await ch.get(queue, { noAck: true });
          if (!msg) break;
          got.push(toReceived(msg));
        }
        return got;
      },
      close: () => conn.close().catch(() => {}),
    };
  } catch (error) {
    await conn.close().catch(() => {});
    throw error;
  }
}

function toReceived(msg: {
  content: Buffer;
  fields: { routingKey: string; exchange: string };
  properties: { deliveryMode?: number; contentType?: string };
}): Received {
  let body: unknown;
  try {
    body = JSON.parse(msg.content.toString('utf8'));
  } catch {
    body = msg.content.toString('utf8');
  }
  return {
    routingKey: msg.fields.routingKey,
    exchange: msg.fields.exchange,
    body,
    deliveryMode: msg.properties.deliveryMode,
    contentType: msg.properties.contentType,
  };
}

type Durability = 'missing' | 'transient' | 'durable';

/**
 * How the broker holds each exchange or queue: missing, transient (a declaration with durable: false is equivalent
 * to it, which the broker checks without changing anything) or durable.
 */
export async function durability(entities: { kind: 'exchange' | 'queue'; name: string }[]): Promise<Durability[]> {
  return withConnection(async (channel) => {
    // Whether the broker accepts this declaration (one it refuses closes only its own channel).
    const accepted = async (fn: (ch: Channel) => Promise<unknown>) => {
      const ch = await channel();
      try {
        await fn(ch);
        await ch.close().catch(() => {});
        return true;
      } catch {
        return false;
      }
    };
    const out: Durability[] = [];
    for (const { kind, name } of entities) {
      if (kind === 'queue') {
        if (!(await accepted((ch) => ch.checkQueue(name)))) out.push('missing');
        else out.push((await accepted((ch) => ch.assertQueue(name, { durable: false }))) ? 'transient' : 'durable');
        continue;
      }
      if (!(await accepted((ch) => ch.checkExchange(name)))) {
        out.push('missing');
        continue;
      }
      let how: Durability = 'durable';
      for (const type of ['topic', 'fanout', 'direct', 'headers']) {
        if (await accepted((ch) => ch.assertExchange(name, type, { durable: false }))) how = 'transient';
        if (how === 'transient') break;
      }
      out.push(how);
    }
    return out;
  });
}

/** Delete what a run declared. */
export async function cleanup(prefix: string): Promise<void> {
  const { exchanges, queues } = topology(prefix);
  await withConnection(async (channel) => {
    const ch = await channel();
    for (const q of Object.values(queues)) await ch.deleteQueue(q).catch(() => {});
    for (const e of Object.values(exchanges)) await ch.deleteExchange(e).catch(() => {});
  }).catch(() => {});
}
