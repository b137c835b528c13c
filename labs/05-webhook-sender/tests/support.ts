// Helpers for this lab's tests: the sender's API, one receiver path per test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { http, startLab, waitFor, type LabRun } from '#testkit';
import { startReceiver, verify, type Received, type Receiver } from './receiver.ts';

/** One sender (with this environment) and one recording receiver for a test file, started before its tests. */
export function senderLab(env: Record<string, string>): { run: LabRun; receiver: Receiver } {
  const lab = {} as { run: LabRun; receiver: Receiver };
  beforeAll(async () => {
    lab.receiver = await startReceiver();
    lab.run = await startLab({ env });
  });
  afterAll(async () => {
    await lab.run?.stop();
    await lab.receiver?.close();
  });
  return lab;
}

/**
 * Register an endpoint on a fresh receiver path; returns the endpoint as the sender answered it. Any 2xx with an id
 * and a secret will do here: the exact status and fields are the business of the registration test.
 */
export async function register(run: LabRun, receiver: Receiver) {
  const path = `/hooks/${randomUUID().slice(0, 8)}`;
  const res = await http(`${run.url}/v1/endpoints`, { method: 'POST', json: { url: `${receiver.url}${path}` } });
  if (
    res.status < 200 ||
    res.status >= 300 ||
    typeof res.json?.id !== 'string' ||
    typeof res.json?.secret !== 'string'
  ) {
    throw new Error(`registering an endpoint needs a 2xx answer with { id, secret }: ${res.said}`);
  }
  return { path, id: res.json.id as string, secret: res.json.secret as string, json: res.json };
}

/** Send one event (any 2xx will do here: the 202 is the business of the event test). */
export async function emit(
  run: LabRun,
  type = 'order.paid',
  data: Record<string, unknown> = { order_id: randomUUID() },
) {
  const res = await http(`${run.url}/v1/events`, { method: 'POST', json: { type, data } });
  if (res.status < 200 || res.status >= 300) throw new Error(`sending an event needs a 2xx answer: ${res.said}`);
  return { data, json: res.json };
}

export function waitForRequests(receiver: Receiver, path: string, count: number, timeoutMs = 10_000) {
  return waitFor(
    () => {
      const got = receiver.requests(path);
      return got.length >= count ? got : undefined;
    },
    { timeoutMs, message: `${count} request(s) at the receiver (got ${receiver.requests(path).length})` },
  );
}

export interface DeadLetter {
  id: string;
  message_id: string;
  endpoint_id: string;
  type: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  failed_at: string;
}

export async function deadLetters(run: LabRun): Promise<DeadLetter[]> {
  const res = await http(`${run.url}/v1/dead-letters`);
  if (res.status !== 200 || !Array.isArray(res.json?.data))
    throw new Error(`GET /v1/dead-letters should answer 200 { data: [ … ] }: ${res.said}`);
  return res.json.data as DeadLetter[];
}

/** Wait for the dead letter of one endpoint (undefined when none came within the time). */
export async function letterFor(run: LabRun, endpointId: string, timeoutMs: number): Promise<DeadLetter | undefined> {
  return waitFor(async () => (await deadLetters(run)).find((d) => d.endpoint_id === endpointId), {
    timeoutMs,
    message: `a dead letter for ${endpointId}`,
  }).catch(() => undefined);
}

/** Whether the standardwebhooks library accepts a request. */
export function verifies(secret: string, request: Received): boolean {
  try {
    verify(secret, request);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds between consecutive requests. */
export const gaps = (requests: { at: number }[]) => requests.slice(1).map((r, i) => r.at - requests[i]!.at);

/** How a request looked, for failure messages. */
export const shown = (r: Received) =>
  `webhook-id ${r.headers['webhook-id']}, webhook-timestamp ${r.headers['webhook-timestamp']}, ${r.body.length} bytes`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
