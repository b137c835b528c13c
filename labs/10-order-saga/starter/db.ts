// The shop's database: one SQLite file (node:sqlite, built into Node) in the data folder. The products table and
// its stock are given; the orders and the saga's log are yours to add (see the TODOs in main.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Product } from './config.ts';

/**
 * Opens (or creates) `shop.sqlite` in `dataDir`. Products are put on the shelf only the first time: a restart keeps
 * the stock as the orders left it.
 */
export function openDatabase(dataDir: string, products: Product[]): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, 'shop.sqlite'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(`CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    weight_grams INTEGER NOT NULL,
    stock INTEGER NOT NULL CHECK (stock >= 0)
  ) STRICT`);
  const shelve = db.prepare(
    'INSERT OR IGNORE INTO products (sku, name, price_cents, weight_grams, stock) VALUES (?, ?, ?, ?, ?)',
  );
  for (const p of products) shelve.run(p.sku, p.name, p.price_cents, p.weight_grams, p.stock);
  return db;
}

export interface ProductRow {
  sku: string;
  name: string;
  price_cents: number;
  weight_grams: number;
  stock: number;
}

export function findProduct(db: DatabaseSync, sku: string): ProductRow | undefined {
  return db.prepare('SELECT sku, name, price_cents, weight_grams, stock FROM products WHERE sku = ?').get(sku) as
    | ProductRow
    | undefined;
}

/** Runs `work` in one SQLite transaction: all of its writes happen, or none (an exception rolls them back). */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
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
