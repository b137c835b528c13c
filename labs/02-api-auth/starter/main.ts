// Lab 02 — the order service, secured. Read labs/02-api-auth/README.md, then run: npm run lab -- check 02
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from './config.ts';
import { requestId, sendError, type AppEnv } from './http.ts';
import { createOrderStore } from './orders.ts';

// Done for you: settings from the environment (PARTNER_API_KEYS, ADMIN_USER, ADMIN_PASSWORD, OAUTH_ISSUER,
// OAUTH_AUDIENCE, OAUTH_JWKS_URI, RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); see config.ts.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const orders = createOrderStore();
const app = new Hono<AppEnv>();
app.use(requestId);

// Open on purpose: the harness calls it without credentials.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 1: partners. Before /v1/partner/*, require an X-API-Key that equals one of config.partnerApiKeys. Compare with
//         crypto.timingSafeEqual on equal-length buffers (hash both sides first). Missing or wrong key: 401.
// TODO 2: the admin. Before /v1/admin/*, require HTTP Basic with config.admin.user / config.admin.password. Missing or
//         wrong: 401 with WWW-Authenticate: Basic realm="…".
// TODO 3: applications. Before /v1/orders and /v1/orders/*, require "Authorization: Bearer <JWT>" and verify it with
//         jsonwebtoken + jwks-rsa against config.oauth (jwksUri, issuer, audience), RS256 only. No token or a bad
//         one: 401 with WWW-Authenticate: Bearer realm="orders" (add error="invalid_token" for a bad one).
// TODO 4: scopes. GET routes need orders:read, POST needs orders:write (the token's "scope" claim, space-separated).
//         A valid token without the scope: 403 with WWW-Authenticate: Bearer error="insufficient_scope", scope="…".
// TODO 5: rate limits. Per authenticated client, at most config.rateLimit.max requests per config.rateLimit.windowMs;
//         past that, 429 with Retry-After (seconds). Every 401/403/429 uses sendError(…).

app.get('/v1/orders', (c) => c.json({ data: orders.list() }));
app.get('/v1/orders/:id', (c) => {
  const order = orders.get(c.req.param('id'));
  return order ? c.json(order) : sendError(c, 404, 'not_found', `No order with id "${c.req.param('id')}".`);
});
app.post('/v1/orders', async (c) => {
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
  // TODO 5 tip: once requests are authenticated, record who created the order (the client id) instead of "anonymous".
  const order = orders.create({ total_cents: body.total_cents as number, currency: body.currency as string, created_by: 'anonymous' });
  c.header('Location', `/v1/orders/${order.id}`);
  return c.json(order, 201);
});

// Partners see the status of an order, nothing more.
app.get('/v1/partner/orders/:id', (c) => {
  const order = orders.get(c.req.param('id'));
  return order ? c.json({ id: order.id, status: order.status }) : sendError(c, 404, 'not_found', `No order with id "${c.req.param('id')}".`);
});

app.get('/v1/admin/stats', (c) => {
  const all = orders.list();
  return c.json({ orders: all.length, revenue_cents: all.reduce((sum, o) => sum + o.total_cents, 0) });
});

app.notFound((c) => sendError(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}.`));

// Keep this: the port comes from the PORT environment variable.
serve({ fetch: app.fetch, port: config.port }, (info) => {
  console.log(`secured order service listening on http://localhost:${info.port}`);
});
