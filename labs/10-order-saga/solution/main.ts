// Lab 10 — an order saga that survives a crash (the reference solution).
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from './config.ts';
import { findProduct, openDatabase } from './db.ts';
import { type FieldProblem, requestId, sendError, type AppEnv } from './http.ts';
import { createSaga, createSagaTables, findOrder, insertOrder, stepsOf } from './saga.ts';
import type { Address } from './vendors.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const db = openDatabase(config.dataDir, config.products);
createSagaTables(db);
const saga = createSaga(db, config);

const app = new Hono<AppEnv>();
app.use(requestId);

app.get('/health', (c) => c.json({ status: 'ok' }));

app.get('/products/:sku', (c) => {
  const product = findProduct(db, c.req.param('sku'));
  if (!product) return sendError(c, 404, 'not_found', `No product "${c.req.param('sku')}".`);
  return c.json(product);
});

const ADDRESS_FIELDS = ['name', 'street', 'postal_code', 'city', 'country'] as const;

app.post('/orders', async (c) => {
  const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return sendError(c, 400, 'validation_failed', 'Send the order as a JSON object.');
  }
  const problems: FieldProblem[] = [];
  const product = typeof body.sku === 'string' ? findProduct(db, body.sku) : undefined;
  if (!product) problems.push({ field: 'sku', message: 'must be the sku of a product the shop sells' });
  const quantity = body.quantity;
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 100)
    problems.push({ field: 'quantity', message: 'must be a whole number from 1 to 100' });
  if (typeof body.payment_method !== 'string' || body.payment_method.trim() === '')
    problems.push({ field: 'payment_method', message: 'must be a Stripe PaymentMethod id, e.g. pm_card_visa' });
  const address = body.address as Record<string, unknown> | undefined;
  for (const field of ADDRESS_FIELDS) {
    const value = address && typeof address === 'object' ? address[field] : undefined;
    if (typeof value !== 'string' || value.trim() === '' || value.length > 50)
      problems.push({ field: `address.${field}`, message: 'must be a text of 1 to 50 characters' });
  }
  if (problems.length > 0 || !product) {
    return sendError(c, 400, 'validation_failed', 'The order is not valid.', problems);
  }
  const id = `ord_${randomBytes(8).toString('hex')}`;
  const count = quantity as number;
  insertOrder(db, {
    id,
    sku: product.sku,
    quantity: count,
    amount_cents: product.price_cents * count,
    currency: 'eur',
    weight_grams: product.weight_grams * count,
    payment_method: body.payment_method as string,
    address: Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, (address as Record<string, string>)[f]])) as unknown as Address,
    created_at: new Date().toISOString(),
  });
  // The order is on disk before anyone hears of it; the saga runs after the answer.
  saga.start(id);
  return c.json(view(id), 201);
});

function view(id: string) {
  const order = findOrder(db, id)!;
  return {
    id: order.id,
    status: order.status === 'compensating' ? 'pending' : order.status,
    sku: order.sku,
    quantity: order.quantity,
    amount_cents: order.amount_cents,
    currency: order.currency,
    payment_intent: order.payment_intent,
    shipment_no: order.shipment_no,
    failure: order.failure,
    steps: stepsOf(db, id).map((s) => ({ name: s.name, status: s.status === 'started' ? 'pending' : s.status })),
    created_at: order.created_at,
  };
}

app.get('/orders/:id', (c) => {
  if (!findOrder(db, c.req.param('id'))) return sendError(c, 404, 'not_found', `No order "${c.req.param('id')}".`);
  return c.json(view(c.req.param('id')));
});

serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  const resumed = saga.resumeAll();
  console.log(`shop listening on http://127.0.0.1:${info.port}; ${resumed} unfinished order(s) resumed`);
});
