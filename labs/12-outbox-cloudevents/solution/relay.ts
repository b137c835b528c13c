// The outbox relay: publishes the outbox rows Kafka has not acknowledged yet, oldest first, and marks them sent.
import type { DatabaseSync } from 'node:sqlite';
import { CONSTANTS } from 'cloudevents';
import type { Producer } from 'kafkajs';
import { transaction } from './db.ts';

export interface RelayOptions {
  db: DatabaseSync;
  producer: Producer;
  topic: string;
  /** Pause when the outbox is empty, before looking again. */
  intervalMs: number;
  /** Crash windows the tests aim at: after reading a batch (before publishing it), after Kafka acknowledged it (before marking it). */
  pauseBeforePublishMs: number;
  pauseAfterPublishMs: number;
}

interface OutboxRow {
  seq: number;
  aggregate_id: string;
  payload: string;
}

const BATCH = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// #region relay
/** One pass: publish up to BATCH unpublished rows in the order they were written, then mark them. How many it sent. */
async function relayOnce(options: RelayOptions): Promise<number> {
  const { db, producer, topic } = options;
  const rows = db
    .prepare('SELECT seq, aggregate_id, payload FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT ?')
    .all(BATCH) as unknown as OutboxRow[];
  if (rows.length === 0) return 0;
  if (options.pauseBeforePublishMs) await sleep(options.pauseBeforePublishMs);
  // Structured mode: the value is the whole event as it was stored, the header names the CloudEvents JSON format.
  // The key is the order id, so all events of one order go to one partition, in this order.
  await producer.send({
    topic,
    acks: -1,
    messages: rows.map((row) => ({
      key: row.aggregate_id,
      value: row.payload,
      headers: { 'content-type': CONSTANTS.DEFAULT_CE_CONTENT_TYPE },
    })),
  });
  // Kafka has them. A crash from here to the UPDATE sends them again after the restart: the same rows, the same ids.
  if (options.pauseAfterPublishMs) await sleep(options.pauseAfterPublishMs);
  const mark = db.prepare('UPDATE outbox SET published_at = ? WHERE seq = ?');
  const now = new Date().toISOString();
  transaction(db, () => {
    for (const row of rows) mark.run(now, row.seq);
  });
  return rows.length;
}
// #endregion relay

/** Run the relay until stop() is called: a pass, then a pause when there was nothing to send or Kafka failed. */
export function startRelay(options: RelayOptions): { stop(): void } {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      let sent = 0;
      try {
        sent = await relayOnce(options);
      } catch (error) {
        // Nothing was marked: the same rows go out on the next pass.
        console.error(`relay: publishing failed, trying again: ${(error as Error).message}`);
      }
      if (sent === 0 && !stopped) await sleep(options.intervalMs);
    }
  })();
  return {
    stop() {
      stopped = true;
    },
  };
}
