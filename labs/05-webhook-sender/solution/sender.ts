// Delivering webhooks the Standard Webhooks way (https://www.standardwebhooks.com): signed, retried with backoff and
// jitter, dead-lettered when the receiver never accepts.
import { createHmac } from 'node:crypto';

export interface Endpoint {
  id: string;
  url: string;
  secret: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  created_at: string;
}

export interface Message {
  /** Sent as `webhook-id`: the same on every attempt, so receivers can deduplicate. */
  id: string;
  type: string;
  /** The exact bytes every attempt sends (and signs). */
  body: string;
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

// #region schedule
/** Waits before each retry, in real-world seconds: 5 min, 30 min, 2 h, 6 h, 24 h. Then the dead-letter list. */
export const RETRY_SCHEDULE_SECONDS = [5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 24 * 3600];
const JITTER = 0.2;
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** ±20 % random jitter, so thousands of messages that failed together do not all come back in the same second. */
export function retryDelayMs(retry: number, timeScale: number): number {
  const base = RETRY_SCHEDULE_SECONDS[retry]! * 1000 * timeScale;
  return Math.round(base * (1 - JITTER + Math.random() * 2 * JITTER));
}

/** `Retry-After` is either seconds or an HTTP date. It is the receiver's real clock, so it is not scaled. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
// #endregion schedule

// #region sign
/** `v1,<base64 HMAC-SHA256>` over `<id>.<timestamp>.<body>`, keyed with the base64-decoded part of `whsec_…`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
// #endregion sign

export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: 410 }
  | { kind: 'retry'; status: number | null; error: string | null; notBeforeMs?: number }
  | { kind: 'rejected'; status: number };

// #region attempt
/** One attempt. 2xx = delivered; 410 = the receiver wants no more; 429, 5xx, timeouts and network errors are worth
 *  retrying; any other answer (400, 401, 404, a redirect…) will not get better by itself. */
export async function attempt(endpoint: Endpoint, message: Message, timeoutMs: number): Promise<Outcome> {
  const timestamp = Math.floor(Date.now() / 1000); // seconds, and fresh on every attempt
  try {
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'integration-lab-webhooks/1.0',
        'webhook-id': message.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign(endpoint.secret, message.id, timestamp, message.body),
      },
      body: message.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
    if (res.status === 410) return { kind: 'gone', status: 410 };
    if (res.status === 429) return { kind: 'retry', status: 429, error: null, notBeforeMs: retryAfterMs(res.headers.get('retry-after')) };
    if (res.status >= 500) return { kind: 'retry', status: res.status, error: null };
    return { kind: 'rejected', status: res.status };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { kind: 'retry', status: null, error: why };
  }
}
// #endregion attempt
