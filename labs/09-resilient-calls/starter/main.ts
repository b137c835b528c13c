// Lab 09 — tracking through a flaky carrier. Read labs/09-resilient-calls/README.md, then run: npm run lab -- check 09
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from './config.ts';
import { CarrierError, fetchDhlShipment } from './dhl.ts';
import { requestId, sendError, type AppEnv } from './http.ts';

// Done for you: settings from the environment (DHL_API_URL, DHL_API_KEY, CARRIER_TIMEOUT_MS, RETRY_MAX, RETRY_BASE_MS,
// RETRY_AFTER_MAX_MS, BREAKER_THRESHOLD, BREAKER_COOLDOWN_MS, BULKHEAD_MAX) in config.resilience; see config.ts.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const { dhl } = config;

const app = new Hono<AppEnv>();
app.use(requestId);

app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 6: GET /health/dependencies answers { "dhl": { "state": "closed" | "open" | "half-open" } }.

app.get('/shipments/:id/tracking', async (c) => {
  const id = c.req.param('id');
  try {
    // TODO 1: a timeout per attempt: pass AbortSignal.timeout(config.resilience.timeoutMs) as the third argument,
    //         a new one for every attempt.
    // TODO 2: retries: try again after a timeout, a reset (error.status undefined), a 5xx or a 429, at most
    //         RETRY_MAX times, waiting RETRY_BASE_MS × 2^(n−1) × (a random factor between 1 and 2) before retry n, or
    //         what Retry-After says (error.retryAfterMs) when that is longer; past RETRY_AFTER_MAX_MS, stop.
    // TODO 3: a circuit breaker around the whole request (its retries included).
    // TODO 4: a bulkhead: at most BULKHEAD_MAX requests calling DHL at a time.
    const shipment = await fetchDhlShipment(dhl, id);
    return c.json({
      id,
      carrier: 'dhl',
      status: shipment.status.statusCode,
      description: shipment.status.description,
      updated_at: shipment.status.timestamp,
      stale: false,
    });
  } catch (error) {
    if (error instanceof CarrierError && error.status === 404) return sendError(c, 404, 'not_found', `DHL knows no shipment "${id}".`);
    // TODO 5: the fallback: the last status this service got for the shipment, with stale: true; 503 without one.
    console.error(error);
    return sendError(c, 502, 'carrier_failed', 'DHL did not give an answer.');
  }
});

serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`tracking service listening on http://127.0.0.1:${info.port}`);
});
