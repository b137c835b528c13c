// Helpers for this lab's tests: the shop as a customer sees it (place an order, read it, read the stock) and the two
// vendors as the graders see them, through the mocks' own records: the PaymentIntents, charges and refunds Stripe
// holds, and the parcels DHL booked or cancelled. The app's word is never taken for what happened at a vendor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, startLab, type LabRun, type StartLabOptions } from '#testkit';
import type { CarriersControl } from '../../../mock-servers/carriers/index.ts';
import type { StripeControl } from '../../../mock-servers/index.ts';

export interface ShopRun {
  run: LabRun;
  stripe: StripeControl;
  carriers: CarriersControl;
  /** STEP_DELAY_MS as this app got it. */
  stepDelayMs: number;
  stop(): Promise<void>;
}

/**
 * Start the mocks and the app with a data folder of its own (so apps of other test files never share a database).
 * A held-back answer (a `hang_after` fault) is released after 3 s, so an app without a timeout fails instead of hanging.
 */
export async function startShop(options: StartLabOptions = {}): Promise<ShopRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lab10-'));
  const run = await startLab({
    ...options,
    mockOptions: {
      stripe: { maxHangMs: 3000 },
      carriers: { maxHangMs: 3000, rateLimit: { limit: 1_000_000, windowSeconds: 60 } },
      ...options.mockOptions,
    },
    env: { DATA_DIR: dataDir, ...options.env },
  });
  return {
    run,
    stripe: run.mocks.stripe!.mock.control,
    carriers: run.mocks.carriers!.mock.control,
    stepDelayMs: Number(run.env.STEP_DELAY_MS),
    async stop() {
      await run.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const address = (overrides: Record<string, string> = {}) => ({
  name: 'Erika Mustermann',
  street: 'Heidestraße 17',
  postal_code: '51147',
  city: 'Köln',
  country: 'DEU',
  ...overrides,
});

export interface OrderInput {
  sku?: string;
  quantity?: number;
  payment_method?: string;
  address?: Record<string, string>;
}

/** POST /orders; any 2xx with an id will do (the 201 is the order-created rule's business). */
export async function placeOrder(shop: ShopRun, input: OrderInput = {}): Promise<string> {
  const res = await http(`${shop.run.url}/orders`, {
    method: 'POST',
    json: { sku: 'mug', quantity: 1, payment_method: 'pm_card_visa', address: address(), ...input },
  });
  if (res.status < 200 || res.status >= 300 || typeof res.json?.id !== 'string') {
    throw new Error(`POST /orders should answer 201 with the order's id: ${res.said}`);
  }
  return res.json.id as string;
}

export const getOrder = (shop: ShopRun, id: string) => http(`${shop.run.url}/orders/${encodeURIComponent(id)}`);

const FINAL = ['completed', 'compensated'];

/** Waits until GET /orders/:id says `completed` or `compensated`; answers that reply. */
export async function waitFinal(shop: ShopRun, id: string, timeoutMs = 4000) {
  const started = Date.now();
  let last: Awaited<ReturnType<typeof getOrder>> | undefined;
  for (;;) {
    last = await getOrder(shop, id);
    if (FINAL.includes(last.json?.status)) return last;
    if (Date.now() - started > timeoutMs) break;
    await sleep(25);
  }
  const steps = Array.isArray(last.json?.steps)
    ? `; steps: ${last.json.steps.map((s: { name?: string; status?: string }) => `${s.name} ${s.status}`).join(', ')}`
    : '';
  const now = last.status === 200 ? `still ${JSON.stringify(last.json?.status)}${steps}` : last.said;
  throw new Error(`after ${timeoutMs / 1000} s the order is ${now}`);
}

/** GET /products/:sku → its stock. */
export async function stockOf(shop: ShopRun, sku: string): Promise<number> {
  const res = await http(`${shop.run.url}/products/${sku}`);
  if (res.status !== 200 || typeof res.json?.stock !== 'number') {
    throw new Error(`GET /products/${sku} should answer 200 { stock }: ${res.said}`);
  }
  return res.json.stock as number;
}

/** The order's PaymentIntents at Stripe (found by `metadata.order_id`), oldest first. */
export const intentsFor = (shop: ShopRun, id: string) =>
  [...shop.stripe.store.intents.values()].filter((pi) => pi.metadata.order_id === id);

/** What Stripe actually took for the order: its succeeded PaymentIntents. */
export const paidIntentsFor = (shop: ShopRun, id: string) =>
  intentsFor(shop, id).filter((pi) => pi.status === 'succeeded');

/** The refunds of the order's PaymentIntents. */
export const refundsFor = (shop: ShopRun, id: string) => {
  const intents = new Set(intentsFor(shop, id).map((pi) => pi.id));
  return [...shop.stripe.store.refunds.values()].filter((r) => intents.has(String(r.payment_intent)));
};

/** The parcels DHL booked for the order (`refNo` = the order id), cancelled ones included. */
export const bookingsFor = (shop: ShopRun, id: string) => shop.carriers.bookings().filter((b) => b.refNo === id);

/** A short account of what the vendors hold for an order, for failure messages. */
export function vendorsSay(shop: ShopRun, id: string): string {
  const intents = intentsFor(shop, id).map((pi) => `${pi.id} ${pi.status} ${pi.amount}`);
  const refunds = refundsFor(shop, id).map((r) => `${r.id} ${r.amount}`);
  const parcels = bookingsFor(shop, id).map((b) => `${b.shipmentNo} ${b.state}`);
  return `Stripe: payments [${intents.join(', ')}], refunds [${refunds.join(', ')}]; DHL: parcels [${parcels.join(', ')}]`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
