// Orders and the ids of Stripe events already handled, kept in one JSON file so both survive a restart.
// One file written atomically (temp file + rename) means an event is never "applied but not remembered".
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type OrderStatus = 'pending' | 'failed' | 'paid' | 'refunded';

export interface Order {
  id: string;
  amount: number;
  currency: string;
  status: OrderStatus;
  payment_intent_id: string | null;
  /** Ids of the Stripe events applied to this order, oldest first: the audit trail. */
  events: string[];
  /** When the receipt e-mail went out (the slow work done after answering Stripe). */
  receipt_sent_at: string | null;
  created_at: string;
  updated_at: string;
}

interface Snapshot {
  orders: Order[];
  processedEvents: string[];
}

// #region store
export function openStore(dir: string) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'store.json');
  const saved: Snapshot = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { orders: [], processedEvents: [] };
  const orders = new Map(saved.orders.map((o) => [o.id, o]));
  // Stripe retries for about three days; a real service would expire ids older than that (or use a unique index).
  const processed = new Set(saved.processedEvents);

  function save(): void {
    const snapshot: Snapshot = { orders: [...orders.values()], processedEvents: [...processed] };
    writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    renameSync(`${file}.tmp`, file);
  }

  return {
    orders,
    hasProcessed: (eventId: string) => processed.has(eventId),
    markProcessed: (eventId: string) => void processed.add(eventId),
    save,
  };
}
// #endregion store

export type Store = ReturnType<typeof openStore>;
