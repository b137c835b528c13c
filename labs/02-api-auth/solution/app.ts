// The order service, now protected: bearer tokens for applications, an API key for partners, Basic for the admin.
import { Hono } from 'hono';
import { apiKeyAuth, basicAuth, createJwtVerifier, requireBearer, requireScope } from './auth.ts';
import type { Config } from './config.ts';
import { requestId, sendError, type AppContext, type AppEnv } from './http.ts';
import type { OrderStore } from './orders.ts';
import { createRateLimiter, rateLimit } from './rate-limit.ts';

export function createApp(config: Config, orders: OrderStore) {
  const app = new Hono<AppEnv>();
  app.use(requestId);

  // Open: the harness and load balancers call it without credentials.
  app.get('/health', (c) => c.json({ status: 'ok' }));

  // #region wiring
  // One limiter for the whole API; it counts per authenticated client, so it runs after each authentication step.
  const limited = rateLimit(createRateLimiter(config.rateLimit), config.rateLimit.max);

  // Partners (the warehouse, the courier): an API key, read-only access to order status.
  app.use('/v1/partner/*', apiKeyAuth(config.partnerApiKeys), limited);
  // The shop owner's admin page: HTTP Basic.
  app.use('/v1/admin/*', basicAuth(config.admin, 'order-service admin'), limited);
  // Applications: OAuth 2.0 access tokens (client credentials), checked against the issuer's keys.
  const verify = createJwtVerifier(config.oauth);
  // In Hono '/v1/orders/*' also matches '/v1/orders' itself: one registration, so nothing runs twice.
  app.use('/v1/orders/*', requireBearer(verify), limited);
  // #endregion wiring

  // #region scoped-routes
  app.get('/v1/orders', requireScope('orders:read'), (c) => c.json({ data: orders.list() }));
  app.get('/v1/orders/:id', requireScope('orders:read'), (c) => {
    const order = orders.get(c.req.param('id'));
    return order ? c.json(order) : notFound(c);
  });
  app.post('/v1/orders', requireScope('orders:write'), async (c) => {
    let body: { total_cents?: unknown; currency?: unknown };
    try {
      body = await c.req.json();
    } catch {
      return sendError(c, 400, 'malformed_json', 'The request body is not valid JSON.');
    }
    const details = [];
    if (!Number.isSafeInteger(body?.total_cents) || (body.total_cents as number) <= 0) {
      details.push({ field: 'total_cents', message: 'must be a positive integer' });
    }
    if (typeof body?.currency !== 'string' || !/^[a-z]{3}$/.test(body.currency)) {
      details.push({ field: 'currency', message: 'must be a lower-case ISO 4217 code such as "eur"' });
    }
    if (details.length) return sendError(c, 400, 'validation_failed', 'The order is not valid.', details);
    const order = orders.create({ total_cents: body.total_cents as number, currency: body.currency as string, created_by: c.get('clientId') });
    c.header('Location', `/v1/orders/${order.id}`);
    return c.json(order, 201);
  });
  // #endregion scoped-routes

  // Partners see the status of an order, nothing more (least privilege).
  app.get('/v1/partner/orders/:id', (c) => {
    const order = orders.get(c.req.param('id'));
    return order ? c.json({ id: order.id, status: order.status }) : notFound(c);
  });

  app.get('/v1/admin/stats', (c) => {
    const all = orders.list();
    return c.json({ orders: all.length, revenue_cents: all.reduce((sum, o) => sum + o.total_cents, 0) });
  });

  const notFound = (c: AppContext) => sendError(c, 404, 'not_found', `No order with id "${c.req.param('id')}".`);
  app.notFound((c) => sendError(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}.`));
  app.onError((error, c) => {
    console.error(error);
    return sendError(c, 500, 'internal', 'Something went wrong on our side.');
  });
  return app;
}
