// Done for you: the service's SQLite database (Node's built-in node:sqlite, no server to run) and its tables. Do not
// change this file; write your SQL against these tables in main.ts, relay.ts and consumer.ts.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const SCHEMA = `
-- The write side: the orders themselves.
CREATE TABLE IF NOT EXISTS orders (
  order_id    TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  currency    TEXT NOT NULL,
  status      TEXT NOT NULL,              -- 'placed' or 'cancelled'
  updated_at  TEXT NOT NULL
);

-- The outbox: one row per event to publish, written in the same transaction as the change it announces.
CREATE TABLE IF NOT EXISTS outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order the rows were written in
  id           TEXT NOT NULL UNIQUE,               -- the CloudEvents id
  aggregate_id TEXT NOT NULL,                      -- the order id: the Kafka key
  type         TEXT NOT NULL,                      -- the CloudEvents type
  payload      TEXT NOT NULL,                      -- the whole CloudEvent as JSON (structured mode)
  created_at   TEXT NOT NULL,
  published_at TEXT                                -- NULL until Kafka has acknowledged it
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

-- The read side (the consumer): which events it has applied, and what it shows per customer and currency.
CREATE TABLE IF NOT EXISTS processed_events (
  source       TEXT NOT NULL,
  id           TEXT NOT NULL,
  processed_at TEXT NOT NULL,
  PRIMARY KEY (source, id)
);
CREATE TABLE IF NOT EXISTS customer_totals (
  customer_id      TEXT NOT NULL,
  currency         TEXT NOT NULL,
  orders_placed    INTEGER NOT NULL DEFAULT 0,
  orders_cancelled INTEGER NOT NULL DEFAULT 0,
  open_total_cents INTEGER NOT NULL DEFAULT 0,    -- placed minus cancelled
  PRIMARY KEY (customer_id, currency)
);
`;

/**
 * Open (and create) the database at DATABASE_FILE, by default under the scratch folder os.tmpdir(): the only place a
 * graded app may write. It survives a crash of the app: that is the point of an outbox.
 */
export function openDatabase(file = process.env.DATABASE_FILE ?? defaultFile()): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  // WAL lets the relay and the consumer read while a request writes; a writer waits up to 5 s for another one.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  return db;
}

function defaultFile(): string {
  return join(tmpdir(), 'integration-lab', `12-${process.env.NAME_PREFIX ?? 'dev'}.sqlite`);
}

/**
 * Run `work` in one transaction: COMMIT when it returns, ROLLBACK when it throws (and throw again). Everything the
 * statements inside it wrote is then either all in the database or none of it.
 */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** Whether an error is SQLite refusing a row because a PRIMARY KEY or UNIQUE value exists already. */
export function isUniqueViolation(error: unknown): boolean {
  return /UNIQUE constraint failed|PRIMARY KEY/i.test(String((error as Error)?.message ?? error));
}
