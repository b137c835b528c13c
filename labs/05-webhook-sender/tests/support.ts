// Helpers for this lab's tests: the sender's API, one receiver path per test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { http, startLab, waitFor, type LabRun } from '#testkit';
import { startReceiver, type Receiver } from './receiver.ts';

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

/** Register an endpoint on a fresh receiver path; returns the endpoint as the sender answered it. */
export async function register(run: LabRun, receiver: Receiver) {
  const path = `/hooks/${randomUUID().slice(0, 8)}`;
  const res = await http(`${run.url}/v1/endpoints`, { method: 'POST', json: { url: `${receiver.url}${path}` } });
  if (res.status !== 201 || typeof res.json?.id !== 'string' || typeof res.json?.secret !== 'string') {
    throw new Error(`POST /v1/endpoints should answer 201 { id, url, secret }; it answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return { path, id: res.json.id as string, secret: res.json.secret as string, json: res.json };
}

export async function emit(run: LabRun, type = 'order.paid', data: Record<string, unknown> = { order_id: randomUUID() }) {
  const res = await http(`${run.url}/v1/events`, { method: 'POST', json: { type, data } });
  if (res.status < 200 || res.status >= 300) throw new Error(`POST /v1/events answered ${res.status}: ${res.text.slice(0, 300)}`);
  return { data, json: res.json };
}

export function waitForRequests(receiver: Receiver, path: string, count: number, timeoutMs = 10_000) {
  return waitFor(() => {
    const got = receiver.requests(path);
    return got.length >= count ? got : undefined;
  }, { timeoutMs, message: `${count} request(s) at the receiver (got ${receiver.requests(path).length})` });
}

export async function deadLetters(run: LabRun) {
  const res = await http(`${run.url}/v1/dead-letters`);
  if (res.status !== 200 || !Array.isArray(res.json?.data)) throw new Error(`GET /v1/dead-letters answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json.data as { id: string; message_id: string; endpoint_id: string }[];
}

/** Milliseconds between consecutive requests. */
export const gaps = (requests: { at: number }[]) => requests.slice(1).map((r, i) => r.at - requests[i]!.at);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
