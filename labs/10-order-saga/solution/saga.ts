// The order saga: reserve stock → charge the card → book the parcel → confirm, each step recorded in SQLite before
// and after it runs, so a crash at any point is picked up on the next start; when a step fails, every step done
// before it is undone in reverse order.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseSync } from 'node:sqlite';
import type { Config } from './config.ts';
import { inTransaction } from './db.ts';
import { type Address, CallError, bookParcel, cancelParcel, chargeCard, refundCharge } from './vendors.ts';

export const STEPS = ['reserve_stock', 'charge', 'book_shipment', 'confirm'] as const;
export type StepName = (typeof STEPS)[number];
/** `started`: its call may have gone out, the answer is not recorded; the step runs again with the same key. */
export type StepStatus = 'pending' | 'started' | 'done' | 'failed' | 'compensated';
export type OrderStatus = 'pending' | 'compensating' | 'completed' | 'compensated';

export interface Order {
  id: string;
  status: OrderStatus;
  sku: string;
  quantity: number;
  amount_cents: number;
  currency: string;
  weight_grams: number;
  payment_method: string;
  address: Address;
  payment_intent: string | null;
  shipment_no: string | null;
  reserved_at: number | null;
  failure: { step: StepName; reason: string } | null;
  created_at: string;
}

// #region log
export function createSagaTables(db: DatabaseSync): void {
  db.exec(`CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    weight_grams INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    address TEXT NOT NULL,
    payment_intent TEXT,
    shipment_no TEXT,
    reserved_at INTEGER,
    failure TEXT,
    created_at TEXT NOT NULL
  ) STRICT`);
  db.exec(`CREATE TABLE IF NOT EXISTS saga_steps (
    order_id TEXT NOT NULL REFERENCES orders (id),
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (order_id, step)
  ) STRICT`);
}

/** Records a new order and its four pending steps in one transaction: after this, a crash cannot lose it. */
export function insertOrder(db: DatabaseSync, order: Omit<Order, 'status' | 'payment_intent' | 'shipment_no' | 'reserved_at' | 'failure'>): void {
  inTransaction(db, () => {
    db.prepare(
      `INSERT INTO orders (id, status, sku, quantity, amount_cents, currency, weight_grams, payment_method, address, created_at)
       VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      order.id,
      order.sku,
      order.quantity,
      order.amount_cents,
      order.currency,
      order.weight_grams,
      order.payment_method,
      JSON.stringify(order.address),
      order.created_at,
    );
    const step = db.prepare(`INSERT INTO saga_steps (order_id, step, status, updated_at) VALUES (?, ?, 'pending', ?)`);
    for (const name of STEPS) step.run(order.id, name, order.created_at);
  });
}

export function findOrder(db: DatabaseSync, id: string): Order | undefined {
  const row = db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    ...(row as unknown as Order),
    address: JSON.parse(row.address as string) as Address,
    failure: row.failure ? (JSON.parse(row.failure as string) as Order['failure']) : null,
  };
}

export function stepsOf(db: DatabaseSync, id: string): { name: StepName; status: StepStatus }[] {
  const rows = db.prepare('SELECT step, status FROM saga_steps WHERE order_id = ?').all(id) as {
    step: StepName;
    status: StepStatus;
  }[];
  return STEPS.map((name) => ({ name, status: rows.find((r) => r.step === name)?.status ?? 'pending' }));
}

function setStep(db: DatabaseSync, id: string, step: StepName, status: StepStatus): void {
  db.prepare('UPDATE saga_steps SET status = ?, updated_at = ? WHERE order_id = ? AND step = ?').run(
    status,
    new Date().toISOString(),
    id,
    step,
  );
}

function setOrder(db: DatabaseSync, id: string, fields: Partial<Record<'status' | 'payment_intent' | 'shipment_no' | 'failure', string>> & { reserved_at?: number }): void {
  for (const [column, value] of Object.entries(fields)) {
    db.prepare(`UPDATE orders SET ${column} = ? WHERE id = ?`).run(value, id);
  }
}
// #endregion log

export function createSaga(db: DatabaseSync, config: Config) {
  const { saga, stripe, dhl } = config;
  const running = new Set<string>();

  // #region keys
  /** One key per order and step, the same on every attempt and after a restart: a repeated call is never doubled. */
  const keyFor = (orderId: string, action: string) => `${orderId}:${action}`;
  // #endregion keys

  /**
   * Calls until the vendor gives a definite answer. A timeout or a 5xx says nothing about whether the charge or
   * booking happened, so giving up would leave it unknown; with the same key, asking again is safe.
   */
  async function untilDefinite<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof CallError) || error.definite) throw error;
        console.warn(`${error.message}; asking again in ${saga.retryDelayMs} ms`);
        await sleep(saga.retryDelayMs);
      }
    }
  }

  /** Runs one forward step. Answers a failure reason when the step is refused, nothing when it is done. */
  async function forward(order: Order, step: StepName): Promise<string | undefined> {
    switch (step) {
      case 'reserve_stock':
        // #region reserve
        // The stock and the log change in one transaction: a crash leaves both as they were, or both done.
        return inTransaction(db, () => {
          const taken = db
            .prepare('UPDATE products SET stock = stock - ? WHERE sku = ? AND stock >= ?')
            .run(order.quantity, order.sku, order.quantity);
          if (taken.changes === 0) {
            setStep(db, order.id, step, 'failed');
            return 'out_of_stock';
          }
          setOrder(db, order.id, { reserved_at: Date.now() });
          setStep(db, order.id, step, 'done');
          return undefined;
        });
      // #endregion reserve
      case 'charge': {
        setStep(db, order.id, step, 'started');
        try {
          const charge = await untilDefinite(() =>
            chargeCard(
              stripe,
              saga.callTimeoutMs,
              {
                id: order.id,
                amountCents: order.amount_cents,
                currency: order.currency,
                paymentMethod: order.payment_method,
              },
              keyFor(order.id, 'charge'),
            ),
          );
          inTransaction(db, () => {
            setOrder(db, order.id, { payment_intent: charge.paymentIntent });
            setStep(db, order.id, step, 'done');
          });
          return undefined;
        } catch (error) {
          if (!(error instanceof CallError)) throw error;
          setStep(db, order.id, step, 'failed');
          return error.reason;
        }
      }
      case 'book_shipment': {
        setStep(db, order.id, step, 'started');
        try {
          const parcel = await untilDefinite(() =>
            bookParcel(
              dhl,
              saga.callTimeoutMs,
              { id: order.id, address: order.address, weightGrams: order.weight_grams },
              keyFor(order.id, 'book'),
            ),
          );
          inTransaction(db, () => {
            setOrder(db, order.id, { shipment_no: parcel.shipmentNo });
            setStep(db, order.id, step, 'done');
          });
          return undefined;
        } catch (error) {
          if (!(error instanceof CallError)) throw error;
          setStep(db, order.id, step, 'failed');
          return error.reason;
        }
      }
      case 'confirm':
        return inTransaction(db, () => {
          const fresh = findOrder(db, order.id)!;
          if (fresh.reserved_at === null || Date.now() - fresh.reserved_at > saga.reservationTtlMs) {
            setStep(db, order.id, step, 'failed');
            return 'reservation_expired';
          }
          setStep(db, order.id, step, 'done');
          setOrder(db, order.id, { status: 'completed' });
          return undefined;
        });
    }
  }

  // #region compensate
  /** Undoes one done step; each undo is safe to repeat after a crash. */
  async function compensate(order: Order, step: StepName): Promise<void> {
    switch (step) {
      case 'book_shipment':
        await untilDefinite(() => cancelParcel(dhl, saga.callTimeoutMs, order.shipment_no!));
        setStep(db, order.id, step, 'compensated');
        return;
      case 'charge':
        await untilDefinite(() =>
          refundCharge(stripe, saga.callTimeoutMs, order.payment_intent!, order.amount_cents, keyFor(order.id, 'refund')),
        );
        setStep(db, order.id, step, 'compensated');
        return;
      case 'reserve_stock':
        inTransaction(db, () => {
          db.prepare('UPDATE products SET stock = stock + ? WHERE sku = ?').run(order.quantity, order.sku);
          setStep(db, order.id, step, 'compensated');
        });
        return;
      case 'confirm':
        return; // the last step: when it is done, nothing after it can fail
    }
  }
  // #endregion compensate

  // #region run
  async function run(orderId: string): Promise<void> {
    let order = findOrder(db, orderId);
    if (!order || order.status === 'completed' || order.status === 'compensated') return;
    if (order.status === 'pending') {
      for (const step of STEPS) {
        const status = stepsOf(db, orderId).find((s) => s.name === step)!.status;
        if (status === 'done') continue;
        if (status === 'failed') break;
        await sleep(saga.stepDelayMs);
        const refused = await forward(findOrder(db, orderId)!, step);
        if (refused !== undefined) {
          setOrder(db, orderId, { status: 'compensating', failure: JSON.stringify({ step, reason: refused }) });
          break;
        }
      }
    }
    order = findOrder(db, orderId)!;
    if (order.status !== 'compensating') return;
    // Undo what was done, newest first; a step compensated before a crash is not undone twice.
    for (const step of [...STEPS].reverse()) {
      if (stepsOf(db, orderId).find((s) => s.name === step)!.status !== 'done') continue;
      await sleep(saga.stepDelayMs);
      await compensate(order, step);
    }
    setOrder(db, orderId, { status: 'compensated' });
  }
  // #endregion run

  return {
    /** Runs an order's saga in the background, once at a time per order. */
    start(orderId: string): void {
      if (running.has(orderId)) return;
      running.add(orderId);
      run(orderId)
        .catch((error) => console.error(`order ${orderId}: the saga stopped:`, error))
        .finally(() => running.delete(orderId));
    },
    // #region resume
    /** On start-up: every order a crash left unfinished goes on from where its log says it was. */
    resumeAll(): number {
      const open = db.prepare(`SELECT id FROM orders WHERE status IN ('pending', 'compensating')`).all() as {
        id: string;
      }[];
      for (const { id } of open) this.start(id);
      return open.length;
    },
    // #endregion resume
  };
}
