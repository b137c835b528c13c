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
  body: any;
  deliveryMode?: number;
  contentType?: string;
}

/** Run fn on a fresh channel; a channel error (e.g. 404 for a missing queue) becomes a readable failure. */
async function withChannel<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    return await fn(ch);
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Take every message out of every queue of the topology, by queue. Fails clearly when a queue is missing. */
export async function drainAll(prefix: string): Promise<Record<QueueKey, Received[]>> {
  const { queues } = topology(prefix);
  const out = {} as Record<QueueKey, Received[]>;
  for (const [key, name] of Object.entries(queues) as [QueueKey, string][]) {
    out[key] = await withChannel(async (ch) => {
      try {
        await ch.checkQueue(name);
      } catch {
        throw new Error(`the queue ${name} does not exist: declare it at start-up`);
      }
      const got: Received[] = [];
      for (let i = 0; i < 500; i++) {
        const msg = await ch.get(name, { noAck: true });
        if (!msg) break;
        let body: unknown;
        try {
          body = JSON.parse(msg.content.toString('utf8'));
        } catch {
          body = msg.content.toString('utf8');
        }
        got.push({
          routingKey: msg.fields.routingKey,
          exchange: msg.fields.exchange,
          body,
          deliveryMode: msg.properties.deliveryMode,
          contentType: msg.properties.contentType,
        });
      }
      return got;
    });
  }
  return out;
}

/** How many messages each queue holds, as { errors: 1, … } (queues with none are left out, for short diffs). */
export function counts(received: Record<QueueKey, Received[]>): Partial<Record<QueueKey, number>> {
  return Object.fromEntries(Object.entries(received).filter(([, list]) => list.length > 0).map(([k, list]) => [k, list.length]));
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
    for (const key of keys) ch.publish(exchange, key, Buffer.from(JSON.stringify({ key })), { contentType: 'application/json' });
    await ch.waitForConfirms().catch((error: Error) => {
      throw failure ?? error;
    });
    if (failure) throw failure;
  } catch (error) {
    throw new Error(`could not publish to the exchange ${exchange} (declare it at start-up): ${(error as Error).message}`);
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Delete what a run declared. */
export async function cleanup(prefix: string): Promise<void> {
  const { exchanges, queues } = topology(prefix);
  await withChannel(async (ch) => {
    for (const q of Object.values(queues)) await ch.deleteQueue(q).catch(() => {});
    for (const e of Object.values(exchanges)) await ch.deleteExchange(e).catch(() => {});
  }).catch(() => {});
}
