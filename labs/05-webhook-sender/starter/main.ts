// Lab 05 — be the provider. Read labs/05-webhook-sender/README.md, then run: npm run lab -- check 05
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// Done for you: 1 = real time; the checks run with values like 0.0001 (the 5-minute first retry comes after 30 ms).
const timeScale = Number(process.env.TIME_SCALE ?? 1);
const timeoutMs = Number(process.env.DELIVERY_TIMEOUT_MS ?? 10_000);

/** Waits before each retry, in real-world seconds: 5 min, 30 min, 2 h, 6 h, 24 h. */
const RETRY_SCHEDULE_SECONDS = [5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 24 * 3600];

const app = new Hono();

// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 1: POST /v1/endpoints {"url"} → 201 { id, url, secret: "whsec_" + base64(random bytes), status: "enabled" };
//         400 with the error envelope when url is not http(s). GET /v1/endpoints/:id shows it (without the secret).
// TODO 2: POST /v1/events {"type","data"} → 202 { id }; send the body {"type","timestamp","data"} to every enabled
//         endpoint with webhook-id, webhook-timestamp (Unix seconds) and webhook-signature ("v1," + base64 HMAC).
// TODO 3: retry on 5xx, network errors and timeouts (DELIVERY_TIMEOUT_MS) after RETRY_SCHEDULE_SECONDS × 1000 ×
//         timeScale ms, with jitter; same webhook-id, fresh timestamp and signature on every attempt.
// TODO 4: 429 → retry, but not before its Retry-After; other 4xx → no retry; 410 → disable the endpoint.
// TODO 5: after the last retry (or a 4xx) → the dead-letter list: GET /v1/dead-letters,
//         POST /v1/dead-letters/:id/replay sends the same message again.
void timeScale;
void timeoutMs;
void RETRY_SCHEDULE_SECONDS;

// Keep this: the port comes from the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`webhook sender listening on http://localhost:${info.port}`);
});
