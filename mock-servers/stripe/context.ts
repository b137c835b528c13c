import type { Context } from 'hono';
import type { IdFactory } from '../shared/index.ts';
import { invalid, noSuch } from './errors.ts';
import { int, str } from './params.ts';
import type { Params } from './params.ts';
import type { RequestInfo, StripeStore } from './store.ts';

/** What the `/v1/*` middleware of `createStripeMock` sets on every API request (`new Hono<Vars>()` in each module). */
export type Vars = { Variables: { requestId: string; params: Params; idempotencyKey: string | null; apiKey: string } };

/** What every route module gets from `createStripeMock` (one object, built once per mock). */
export interface StripeRoutesContext {
  store: StripeStore;
  ids: IdFactory;
  /** Waits `apiLatencyMs` (real ms) before a write, so concurrent requests with one idempotency key can meet. */
  latency(): Promise<void>;
  /** Where a customer authenticates a payment (the bank's 3-D Secure page; Stripe's is on hooks.stripe.com). */
  authenticationUrl(pi: { id: string; client_secret: string }): string;
}

/** The request an object or event came from (`request` on events). */
export const requestInfo = (c: Context<Vars>): RequestInfo => ({
  id: c.get('requestId'),
  idempotency_key: c.get('idempotencyKey'),
});

/** A Stripe list page: newest first, `limit` (1–100, default 10), `starting_after`, `ending_before`. */
export function list<T extends { id: string; created: number }>(
  c: Context<Vars>,
  items: T[],
  url: string,
  keep: (item: T) => boolean = () => true,
) {
  const p = c.get('params');
  const limit = int(p, 'limit') ?? 10;
  if (limit < 1 || limit > 100)
    throw invalid('This value must be between 1 and 100.', 'parameter_invalid_integer', 'limit');
  let rows = items.filter(keep).reverse(); // Maps keep insertion order: reversed is newest first
  const after = str(p, 'starting_after');
  const before = str(p, 'ending_before');
  if (after) {
    const at = rows.findIndex((r) => r.id === after);
    if (at < 0) throw noSuch('object', after, 'starting_after');
    rows = rows.slice(at + 1);
  } else if (before) {
    const at = rows.findIndex((r) => r.id === before);
    if (at < 0) throw noSuch('object', before, 'ending_before');
    rows = rows.slice(Math.max(0, at - limit), at);
  }
  return { object: 'list', data: rows.slice(0, limit), has_more: rows.length > limit, url };
}
