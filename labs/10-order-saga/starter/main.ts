// Lab 10 — an order saga that survives a crash. Read labs/10-order-saga/README.md, then run: npm run lab -- check 10
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from './config.ts';
import { findProduct, openDatabase } from './db.ts';
import { type FieldProblem, requestId, sendError, type AppEnv } from './http.ts';
import type { Address } from './vendors.ts';

// Done for you: the settings (config.saga holds STEP_DELAY_MS, RETRY_DELAY_MS, CALL_TIMEOUT_MS, RESERVATION_TTL_MS),
// the database with its products table (db.ts), and one function per vendor call (vendors.ts).
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const db = openDatabase(config.dataDir, config.products);

const STEPS = ['reserve_stock', 'charge', 'book_shipment', 'confirm'] as const;

interface Order {
  id: string;
  status: 'pending' | 'completed' | 'compensated';
  sku: string;
  quantity: number;
  amount_cents: number;
  weight_grams: number;
  payment_method: string;
  address: Address;
  steps: { name: (typeof STEPS)[number]; status: 'pending' | 'done' | 'failed' | 'compensated' }[];
}

// TODO 1: the saga log. Orders kept in memory are gone after a crash: put them, and the status of each step, in
//         tables of your own in `db` (node:sqlite), written before the 201 and before and after every step.
const orders = new Map<string, Order>();

// TODO 2: the saga, run after the 201 (not awaited by the request): before each step wait config.saga.stepDelayMs,
//         then reserve the stock (check and take it in one UPDATE, with the step's log entry in the same
//         transaction), charge the card (chargeCard), book the parcel (bookParcel), confirm (the reservation must
//         not be older than config.saga.reservationTtlMs). Record each step's outcome.
// TODO 3: a CallError with definite === false (a timeout, a 5xx…) is not a no: wait config.saga.retryDelayMs and call
//         again with the same Idempotency-Key. Make each key from the order id and the step, never at random.
// TODO 4: when a step fails for good, undo the steps done before it, newest first (cancelParcel, refundCharge of the
//         whole amount, the stock back), each recorded when done, and end the order "compensated".
// TODO 5: on start-up, carry on with every order the log shows unfinished.

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
  const count = quantity as number;
  const order: Order = {
    id: `ord_${randomBytes(8).toString('hex')}`,
    status: 'pending',
    sku: product.sku,
    quantity: count,
    amount_cents: product.price_cents * count,
    weight_grams: product.weight_grams * count,
    payment_method: body.payment_method as string,
    address: Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, (address as Record<string, string>)[f]])) as unknown as Address,
    steps: STEPS.map((name) => ({ name, status: 'pending' })),
  };
  orders.set(order.id, order);
  // TODO 2: start the saga for this order here, after it is safely recorded.
  return c.json(view(order), 201);
});

const view = (order: Order) => ({
  id: order.id,
  status: order.status,
  sku: order.sku,
  quantity: order.quantity,
  amount_cents: order.amount_cents,
  steps: order.steps,
});

app.get('/orders/:id', (c) => {
  const order = orders.get(c.req.param('id'));
  if (!order) return sendError(c, 404, 'not_found', `No order "${c.req.param('id')}".`);
  return c.json(view(order));
});

serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`shop listening on http://127.0.0.1:${info.port}`);
});
