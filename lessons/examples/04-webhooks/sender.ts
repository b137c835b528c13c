// The carrier's side, for the webhooks lesson: it sends tracking webhooks to the shops that subscribed, signed the
// Standard Webhooks way, with retries, backoff, jitter and dead letters. Lab 05 asks you to build such a sender with
// its own schedule and routes. Network and clock come in as options (`fetchImpl`, `sleep`), so a test can run a day
// of retries in a millisecond.
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface Subscription {
  id: string;
  url: string;
  secret: string;
  status: 'enabled' | 'disabled';
}
export interface Message {
  id: string; // the webhook-id: the same on every attempt and on a replay
  type: string;
  body: string; // serialised once, so every attempt signs and sends the same bytes
}
export interface DeadLetter {
  id: string;
  message: Message;
  subscription_id: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}
type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; notBeforeMs?: number }
  | { kind: 'gone' | 'rejected'; status: number; error: string };

// #region subscriptions
/** A shop subscribes a URL; it gets its own secret, shown in this answer only. */
export function newSubscription(url: unknown): Subscription | { field: 'url'; message: string } {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return { field: 'url', message: 'must be an absolute URL' };
  }
  if (typeof url !== 'string' || !['http:', 'https:'].includes(parsed.protocol))
    return { field: 'url', message: 'must be http or https' };
  return { id: `sub_${randomUUID()}`, url, secret: `whsec_${randomBytes(32).toString('base64')}`, status: 'enabled' };
}
// #endregion subscriptions

// #region schedule
const WAITS_MS = [10_000, 60_000, 600_000, 3_600_000]; // 10 s, 1 min, 10 min, 1 h: five attempts in all

/**
 * The wait before retry number `retry` (0 for the first), or undefined when the schedule is used up. "Equal jitter":
 * half of the wait is fixed, the other half random, so retries after an outage do not all come back at once.
 */
export function backoffMs(retry: number, scale = 1, random = Math.random): number | undefined {
  const wait = WAITS_MS[retry];
  return wait === undefined ? undefined : (wait / 2 + (random() * wait) / 2) * scale;
}

/** `Retry-After` as milliseconds from now: either a number of seconds or an HTTP date; undefined if unusable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 86_400_000) : undefined;
}
// #endregion schedule

// #region attempt
/** One attempt: a fresh timestamp and signature, the same webhook-id and body; the answer decides what comes next. */
export async function attempt(
  sub: Subscription,
  msg: Message,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<Outcome> {
  const now = new Date();
  let res: Response;
  try {
    res = await fetchImpl(sub.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': msg.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(sub.secret).sign(msg.id, now, msg.body), // "v1,<base64>"
      },
      body: msg.body,
      redirect: 'manual', // never follow the receiver somewhere it did not register
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return {
      kind: 'retry',
      status: null,
      error: (error as Error).name === 'TimeoutError' ? 'timed out' : String((error as Error).cause ?? error),
    };
  }
  await res.body?.cancel(); // we do not read the answer; free the connection
  if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
  if (res.status === 410) return { kind: 'gone', status: 410, error: 'the receiver asked us to stop (410)' };
  if (res.status === 429)
    return {
      kind: 'retry',
      status: 429,
      error: 'rate limited',
      notBeforeMs: retryAfterMs(res.headers.get('Retry-After')),
    };
  if (res.status >= 500) return { kind: 'retry', status: res.status, error: `answered ${res.status}` };
  return { kind: 'rejected', status: res.status, error: `answered ${res.status}` }; // 4xx, 3xx: the same next time
}
// #endregion attempt

export function createSender(
  options: {
    fetchImpl?: typeof fetch;
    sleep?: (ms: number) => Promise<void>;
    timeScale?: number;
    timeoutMs?: number;
  } = {},
) {
  const fetchImpl = options.fetchImpl ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const subscriptions = new Map<string, Subscription>();
  const deadLetters = new Map<string, DeadLetter>();

  // #region deliver
  /** Tries until delivered, gone, rejected, or the schedule is used up; the last two end in the dead letters. */
  async function deliver(sub: Subscription, msg: Message): Promise<void> {
    for (let n = 1; ; n++) {
      if (sub.status === 'disabled') return;
      const outcome = await attempt(sub, msg, fetchImpl, options.timeoutMs ?? 10_000);
      if (outcome.kind === 'delivered') return;
      if (outcome.kind === 'gone') {
        sub.status = 'disabled'; // no retry, and no later messages either
        return;
      }
      const wait = outcome.kind === 'retry' ? backoffMs(n - 1, options.timeScale) : undefined;
      if (wait === undefined) {
        const letter = {
          id: `dl_${randomUUID()}`,
          message: msg,
          subscription_id: sub.id,
          attempts: n,
          last_status: outcome.status,
          last_error: outcome.error,
        };
        deadLetters.set(letter.id, letter);
        return;
      }
      // The receiver's Retry-After is real time: it is not scaled, and it wins when it is later.
      await sleep(Math.max(wait, outcome.kind === 'retry' ? (outcome.notBeforeMs ?? 0) : 0));
    }
  }

  /** One event becomes one message, serialised once, and goes to every enabled subscription without waiting. */
  function publish(type: string, data: object): { message: Message; deliveries: Promise<void>[] } {
    const message: Message = {
      id: `msg_${randomUUID()}`,
      type,
      body: JSON.stringify({ type, timestamp: new Date().toISOString(), data }),
    };
    const deliveries = [...subscriptions.values()]
      .filter((s) => s.status === 'enabled')
      .map((s) => deliver(s, message));
    return { message, deliveries };
  }
  // #endregion deliver

  // #region dead-letters
  /** Sends a dead letter again, same webhook-id and body, with a fresh schedule; it leaves the list. */
  function replay(id: string): { status: 202; delivery: Promise<void> } | { status: 404 | 409 } {
    const letter = deadLetters.get(id);
    if (!letter) return { status: 404 };
    const sub = subscriptions.get(letter.subscription_id);
    if (!sub || sub.status === 'disabled') return { status: 409 };
    deadLetters.delete(id);
    return { status: 202, delivery: deliver(sub, letter.message) };
  }
  // #endregion dead-letters

  return { subscriptions, deadLetters, publish, replay };
}
