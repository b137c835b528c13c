// Lab 05 — be the provider: clients register endpoints, and our events reach them signed, retried and, when all else
// fails, parked in a dead-letter list a human can replay.
import { randomBytes, randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { attempt, retryDelayMs, RETRY_SCHEDULE_SECONDS, type DeadLetter, type Endpoint, type Message } from './sender.ts';

/** 1 = real time; 0.001 turns the 5 min first retry into 0.3 s. */
const timeScale = Number(process.env.TIME_SCALE ?? 1);
const timeoutMs = Number(process.env.DELIVERY_TIMEOUT_MS ?? 10_000);

const endpoints = new Map<string, Endpoint>();
const messages = new Map<string, Message>();
const deadLetters = new Map<string, DeadLetter>();

// #region deliver
/** Attempt `n` (1 = first) of one message to one endpoint; schedules the next one or dead-letters it. */
async function deliver(message: Message, endpoint: Endpoint, n = 1): Promise<void> {
  if (endpoint.status !== 'enabled') return;
  const outcome = await attempt(endpoint, message, timeoutMs);
  if (outcome.kind === 'delivered') return;
  if (outcome.kind === 'gone') {
    // 410 Gone: the receiver asks us to stop. Disable the endpoint; nothing more is sent to it.
    endpoint.status = 'disabled';
    endpoint.disabled_reason = `the receiver answered 410 Gone to ${message.id}`;
    return;
  }
  const retry = n - 1; // retries used so far
  if (outcome.kind === 'retry' && retry < RETRY_SCHEDULE_SECONDS.length) {
    const wait = Math.max(retryDelayMs(retry, timeScale), outcome.notBeforeMs ?? 0);
    setTimeout(() => void deliver(message, endpoint, n + 1), wait);
    return;
  }
  const letter: DeadLetter = {
    id: `dl_${randomUUID()}`, message_id: message.id, endpoint_id: endpoint.id, type: message.type, attempts: n,
    last_status: outcome.status, last_error: outcome.kind === 'retry' ? outcome.error : null, failed_at: new Date().toISOString(),
  };
  deadLetters.set(letter.id, letter);
  console.warn(`dead-lettered ${message.id} for ${endpoint.id} after ${n} attempt(s): ${outcome.status ?? letter.last_error}`);
}
// #endregion deliver

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

// #region endpoints
app.post('/v1/endpoints', async (c) => {
  const body = await c.req.json().catch(() => undefined) as { url?: unknown } | undefined;
  const url = typeof body?.url === 'string' ? URL.parse(body.url) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return fail(c, 400, 'validation_failed', 'The endpoint is invalid.', [{ field: 'url', message: 'must be an http(s) URL' }]);
  }
  const endpoint: Endpoint = {
    id: `ep_${randomUUID()}`, url: url.href, status: 'enabled', disabled_reason: null, created_at: new Date().toISOString(),
    // Standard Webhooks secrets: "whsec_" + base64 of 24 random bytes; the bytes are the HMAC key.
    secret: `whsec_${randomBytes(24).toString('base64')}`,
  };
  endpoints.set(endpoint.id, endpoint);
  return c.json(endpoint, 201); // the only answer that shows the secret
});

app.get('/v1/endpoints/:id', (c) => {
  const endpoint = endpoints.get(c.req.param('id'));
  if (!endpoint) return fail(c, 404, 'not_found', `No endpoint ${c.req.param('id')}.`);
  const { secret: _secret, ...shown } = endpoint;
  return c.json(shown);
});
// #endregion endpoints

// #region events
app.post('/v1/events', async (c) => {
  const body = await c.req.json().catch(() => undefined) as { type?: unknown; data?: unknown } | undefined;
  const details = [];
  if (typeof body?.type !== 'string' || !/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(body.type)) details.push({ field: 'type', message: 'must look like "order.paid"' });
  if (typeof body?.data !== 'object' || body.data === null || Array.isArray(body.data)) details.push({ field: 'data', message: 'must be a JSON object' });
  if (details.length) return fail(c, 400, 'validation_failed', 'The event is invalid.', details);
  const message: Message = {
    id: `msg_${randomUUID()}`,
    type: body!.type as string,
    // Serialised once: every attempt sends and signs the same bytes.
    body: JSON.stringify({ type: body!.type, timestamp: new Date().toISOString(), data: body!.data }),
  };
  messages.set(message.id, message);
  const targets = [...endpoints.values()].filter((e) => e.status === 'enabled');
  for (const endpoint of targets) void deliver(message, endpoint);
  return c.json({ id: message.id, type: message.type, endpoints: targets.length }, 202);
});
// #endregion events

// #region dead-letters
app.get('/v1/dead-letters', (c) => c.json({ data: [...deadLetters.values()] }));

app.post('/v1/dead-letters/:id/replay', (c) => {
  const letter = deadLetters.get(c.req.param('id'));
  if (!letter) return fail(c, 404, 'not_found', `No dead letter ${c.req.param('id')}.`);
  const endpoint = endpoints.get(letter.endpoint_id)!;
  if (endpoint.status !== 'enabled') return fail(c, 409, 'endpoint_disabled', `Endpoint ${endpoint.id} is disabled.`);
  deadLetters.delete(letter.id);
  // The same message (same webhook-id, same body) with a fresh retry schedule.
  void deliver(messages.get(letter.message_id)!, endpoint);
  return c.json({ replayed: letter.message_id, endpoint_id: endpoint.id }, 202);
});
// #endregion dead-letters

function fail(c: Context, status: 400 | 404 | 409, code: string, message: string, details: { field: string; message: string }[] = []) {
  return c.json({ error: { code, message, details, request_id: randomUUID(), timestamp: new Date().toISOString() } }, status);
}

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`webhook sender listening on http://localhost:${info.port} (time scale ${timeScale})`);
});
