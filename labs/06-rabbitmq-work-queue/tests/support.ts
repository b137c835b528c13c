// Helpers for this lab's tests (not in the shared kit: they know this lab's queue names and log format).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GetMessage } from 'amqplib';
import { connectAmqp, http } from '#testkit';

export interface LogEntry {
  kind: 'sent' | 'failed';
  id: string;
  to: string;
  worker: number;
  error?: string;
}

export const names = (prefix: string) => ({
  queue: `${prefix}.emails`,
  dlx: `${prefix}.emails.dlx`,
  dead: `${prefix}.emails.dead`,
});

/** A scratch folder for the mailer's log files (SENT_LOG), removed by cleanup(). */
export function scratch(): { dir: string; file(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab06-'));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** GET /sent of one app: what its mailer sent and refused. */
export async function sentLog(url: string): Promise<{ sent: LogEntry[]; failed: LogEntry[] }> {
  const res = await http(`${url}/sent`);
  if (res.status !== 200 || !Array.isArray(res.json?.sent))
    throw new Error(`GET /sent answered ${res.status}: ${res.text.slice(0, 200)}`);
  return { sent: res.json.sent, failed: res.json.failed ?? [] };
}

/** Count how often each id occurs. */
export function tally(entries: { id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return counts;
}

/** POST one job; returns the status and the id the app answered with. */
export async function postEmail(url: string, job: { id?: string; to: string; subject: string }) {
  const res = await http(`${url}/emails`, { method: 'POST', json: job });
  return { status: res.status, id: res.json?.id as string | undefined, json: res.json, said: res.said };
}

/** POST jobs that other tests need (any 2xx will do: the 202 is the enqueue test's business). */
export async function enqueueAll(url: string, jobs: { id: string; to: string; subject: string }[]): Promise<void> {
  for (const job of jobs) {
    const res = await postEmail(url, job);
    if (res.status < 200 || res.status >= 300) throw new Error(`POST /emails should accept the job: ${res.said}`);
  }
}

/**
 * Look at one job waiting in a queue without taking it: get it unacknowledged, then give it back (nack with requeue).
 * Undefined when none is waiting.
 */
export async function peek(name: string): Promise<GetMessage | undefined> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createChannel();
    const msg = await ch.get(name, { noAck: false });
    if (!msg) return undefined;
    ch.nack(msg, false, true);
    await ch.close();
    return msg;
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Which of the lab's queues and exchanges exist (checked on scratch channels: a missing one closes its channel). */
export async function existing(prefix: string): Promise<{ queue: boolean; dlx: boolean; dead: boolean }> {
  const { queue, dlx, dead } = names(prefix);
  const conn = await connectAmqp();
  try {
    const check = async (fn: (ch: Awaited<ReturnType<typeof conn.createChannel>>) => Promise<unknown>) => {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      return fn(ch).then(
        () => true,
        () => false,
      );
    };
    return {
      queue: await check((ch) => ch.checkQueue(queue)),
      dlx: await check((ch) => ch.checkExchange(dlx)),
      dead: await check((ch) => ch.checkQueue(dead)),
    };
  } finally {
    await conn.close().catch(() => {});
  }
}

/**
 * Whether a queue is durable, found without management plugin: re-declaring it with durable:false on a scratch
 * channel fails with 406 "inequivalent arg 'durable' … current is 'true'" when it is durable.
 */
export async function queueIsDurable(name: string): Promise<boolean> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    try {
      await ch.checkQueue(name);
    } catch {
      throw new Error(`the queue ${name} does not exist`);
    }
    const probe = await conn.createChannel();
    probe.on('error', () => {});
    try {
      await probe.assertQueue(name, { durable: false });
      return false; // no complaint: it was declared exactly like that, not durable
    } catch (error) {
      const text = String((error as Error).message);
      if (/inequivalent arg 'durable'/.test(text)) return /current is 'true'/.test(text);
      return false; // durable:false matched; some other argument differed
    }
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Read (and remove) every message waiting in a queue, without a consumer. */
export async function drain(name: string, max = 200): Promise<GetMessage[]> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createChannel();
    const out: GetMessage[] = [];
    for (let i = 0; i < max; i++) {
      const msg = await ch.get(name, { noAck: true });
      if (!msg) break;
      out.push(msg);
    }
    return out;
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Publish raw jobs straight to the work queue (as another producer, or a producer retrying, would). */
export async function publishRaw(queue: string, jobs: { id: string; to: string; subject: string }[]): Promise<void> {
  const conn = await connectAmqp();
  try {
    const ch = await conn.createConfirmChannel();
    for (const job of jobs) {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify(job)), {
        persistent: true,
        contentType: 'application/json',
        messageId: job.id,
      });
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Delete what a run declared (queues are durable, so they would outlive the run). */
export async function cleanup(prefix: string): Promise<void> {
  const { queue, dlx, dead } = names(prefix);
  const conn = await connectAmqp().catch(() => undefined);
  if (!conn) return;
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await ch.deleteQueue(queue).catch(() => {});
    await ch.deleteQueue(dead).catch(() => {});
    await ch.deleteExchange(dlx).catch(() => {});
  } catch {
    /* best effort */
  } finally {
    await conn.close().catch(() => {});
  }
}
