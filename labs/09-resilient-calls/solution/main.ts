// Lab 09 — tracking through a flaky carrier. Read labs/09-resilient-calls/README.md, then run: npm run lab -- check 09
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from './config.ts';
import { CarrierError, fetchDhlShipment, type DhlShipment } from './dhl.ts';
import { requestId, sendError, type AppEnv } from './http.ts';
import { createCarrierGuard, NotCalled } from './resilience.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const { dhl } = config;

const guard = createCarrierGuard(config.resilience);
/** The newest status each shipment had, for when DHL cannot be asked. */
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
app.get('/health/dependencies', (c) => c.json({ dhl: { state: guard.state } }));

// #region tracking
app.get('/shipments/:id/tracking', async (c) => {
  const id = c.req.param('id');
  try {
    const shipment = await guard.call((signal) => fetchDhlShipment(dhl, id, signal));
    lastKnown.set(id, shipment.status); // `status` is DHL's newest event
    return c.json(view(id, shipment.status, false));
  } catch (error) {
    if (error instanceof CarrierError && error.status === 404) return sendError(c, 404, 'not_found', `DHL knows no shipment "${id}".`);
    if (error instanceof CarrierError && error.status !== undefined && error.status < 500 && error.status !== 429) {
      console.error(`DHL refused our request: ${error.message}`);
      return sendError(c, 502, 'carrier_refused', 'DHL refused the request; see the service log.');
    }
    // #region fallback
    const known = lastKnown.get(id);
    if (known) return c.json(view(id, known, true));
    const why = error instanceof NotCalled || error instanceof CarrierError ? error.message : 'unexpected error';
    if (!(error instanceof NotCalled || error instanceof CarrierError)) console.error(error);
    return sendError(c, 503, 'carrier_unavailable', `No tracking from DHL right now (${why}); try again later.`);
    // #endregion fallback
  }
});
// #endregion tracking

serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`tracking service listening on http://127.0.0.1:${info.port}`);
});
