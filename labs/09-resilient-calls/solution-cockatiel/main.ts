// Lab 09, a second reference built on cockatiel (https://github.com/connor4312/cockatiel): the same behaviour as
// solution/, with the library's policies instead of a hand-written guard. The tests cannot tell the two apart.
import { serve } from '@hono/node-server';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { Hono } from 'hono';
import { loadConfig } from './config.ts';
import { CarrierError, fetchDhlShipment, type DhlShipment } from './dhl.ts';
import { requestId, sendError, type AppEnv } from './http.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const { dhl, resilience: r } = config;

/** A timeout, a reset, a 5xx or a 429: worth another try, and a sign that the carrier is unwell. */
const isOutage = (error: unknown) =>
  error instanceof CarrierError && (error.status === undefined || error.status === 429 || error.status >= 500);
/** Retried: an outage, unless the carrier asks us to come back later than we are willing to wait. */
const isRetryable = (error: unknown) => isOutage(error) && !((error as CarrierError).retryAfterMs! > r.retryAfterMaxMs);

const breaker = circuitBreaker(handleWhen(isOutage), {
  halfOpenAfter: r.breakerCooldownMs,
  breaker: new ConsecutiveBreaker(r.breakerThreshold),
});
// Outermost first: bulkhead → breaker (counts requests) → retries → a timeout per attempt.
const guard = wrap(
  bulkhead(r.bulkheadMax, 0), // no queue: a full bulkhead refuses at once
  breaker,
  retry(handleWhen(isRetryable), {
    maxAttempts: r.retryMax, // cockatiel counts retries
    backoff: new DelegateBackoff((context) => {
      const backoff = r.retryBaseMs * 2 ** (context.attempt - 1) * (1 + Math.random());
      const failed = 'error' in context.result ? context.result.error : undefined;
      return Math.max(backoff, failed instanceof CarrierError ? (failed.retryAfterMs ?? 0) : 0);
    }),
  }),
  timeout(r.timeoutMs, TimeoutStrategy.Cooperative), // its signal goes to fetch
);
const STATES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

const lastKnown = new Map<string, DhlShipment['status']>();
const view = (id: string, status: DhlShipment['status'], stale: boolean) => ({
  id,
  carrier: 'dhl',
  status: status.statusCode,
  description: status.description,
  updated_at: status.timestamp,
  stale,
});

const app = new Hono<AppEnv>();
app.use(requestId);
app.get('/health', (c) => c.json({ status: 'ok' }));
app.get('/health/dependencies', (c) => c.json({ dhl: { state: STATES[breaker.state] } }));

app.get('/shipments/:id/tracking', async (c) => {
  const id = c.req.param('id');
  try {
    const shipment = await guard.execute(({ signal }) => fetchDhlShipment(dhl, id, signal));
    lastKnown.set(id, shipment.status);
    return c.json(view(id, shipment.status, false));
  } catch (error) {
    if (error instanceof CarrierError && error.status === 404) return sendError(c, 404, 'not_found', `DHL knows no shipment "${id}".`);
    if (error instanceof CarrierError && !isOutage(error)) return sendError(c, 502, 'carrier_refused', 'DHL refused the request.');
    const known = lastKnown.get(id);
    if (known) return c.json(view(id, known, true));
    const expected = error instanceof CarrierError || error instanceof BrokenCircuitError || error instanceof BulkheadRejectedError;
    if (!expected) console.error(error);
    return sendError(c, 503, 'carrier_unavailable', `No tracking from DHL right now (${(error as Error).message}).`);
  }
});

serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`tracking service listening on http://127.0.0.1:${info.port}`);
});
