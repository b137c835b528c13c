import net from 'node:net';
import amqp from 'amqplib';
import './kafkajs-quirks.ts';
import { Kafka, logLevel } from 'kafkajs';
import { amqpUrl, kafkaBrokers } from './config.ts';

/** True when something accepts TCP connections on host:port. */
export function portInUse(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A real AMQP handshake (connection + channel), not just an open port. */
export async function probeRabbitMQ(url = amqpUrl(), timeoutMs = 3000): Promise<void> {
  const connecting = amqp.connect(url, { timeout: timeoutMs });
  const conn = await withTimeout(connecting, timeoutMs, 'RabbitMQ').catch((error: unknown) => {
    // A connection that arrives after the timeout must not be left open.
    connecting.then((late) => late.close()).catch(() => {});
    throw error;
  });
  try {
    const channel = await conn.createChannel();
    await channel.close();
  } finally {
    await conn.close().catch(() => {});
  }
}

/** A real Kafka metadata request (describeCluster), not just an open port. */
export async function probeKafka(
  brokers = kafkaBrokers(),
  timeoutMs = 3000,
): Promise<{ brokers: number; controller: number | null }> {
  const kafka = new Kafka({
    clientId: 'lab-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 2000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await withTimeout(admin.connect(), timeoutMs, 'Kafka');
    const cluster = await withTimeout(admin.describeCluster(), timeoutMs, 'Kafka');
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Poll `check` until it resolves, `giveUp` says stop, or the deadline passes. */
export async function waitUntil(
  check: () => Promise<unknown>,
  {
    timeoutMs,
    intervalMs = 500,
    giveUp,
  }: { timeoutMs: number; intervalMs?: number; giveUp?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const stop = giveUp?.();
    if (stop) throw new Error(stop);
    try {
      await check();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`not ready after ${Math.round(timeoutMs / 1000)} s (last error: ${reason})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
