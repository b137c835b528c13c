// Lesson 06: sagas. A trip is booked in three steps at three vendors — a seat on a flight, a hotel room, a rental
// car — each with an undo. First the bare orchestrator, then one that keeps a log in SQLite so that a crash in the
// middle is picked up again instead of leaving a paid seat and no hotel.
import type { DatabaseSync } from 'node:sqlite';

// #region orchestrator
export interface SagaStep<C> {
  name: string;
  run(ctx: C): Promise<void>;
  compensate(ctx: C): Promise<void>;
}

export async function runSaga<C>(steps: SagaStep<C>[], ctx: C): Promise<'completed' | 'compensated'> {
  const done: SagaStep<C>[] = [];
  for (const step of steps) {
    try {
      await step.run(ctx);
      done.push(step);
    } catch (err) {
      console.error(`saga step ${step.name} failed: ${(err as Error).message}`);
      // Undo completed steps newest first. Compensations must be idempotent: they may be retried.
      for (const finished of done.reverse()) await finished.compensate(ctx);
      return 'compensated';
    }
  }
  return 'completed';
}
// #endregion orchestrator

// #region durable
/** A step of a trip: `book` answers the vendor's reference (a ticket, a room, a car); `cancel` undoes it. */
export interface TripStep {
  name: string;
  book(idempotencyKey: string): Promise<string>;
  cancel(reference: string, idempotencyKey: string): Promise<void>;
}

/** The vendor said no, and will say no again: time to compensate. Any other error is a crash (or a bug). */
export class Refused extends Error {}

export function createTripLog(db: DatabaseSync) {
  db.exec(`CREATE TABLE IF NOT EXISTS trip_steps (
    trip TEXT NOT NULL, step TEXT NOT NULL, state TEXT NOT NULL, reference TEXT,
    PRIMARY KEY (trip, step))`);
  const read = db.prepare('SELECT state, reference FROM trip_steps WHERE trip = ? AND step = ?');
  const write = db.prepare(
    `INSERT INTO trip_steps (trip, step, state, reference) VALUES (?, ?, ?, ?)
     ON CONFLICT (trip, step) DO UPDATE SET state = excluded.state, reference = excluded.reference`,
  );
  return {
    get: (trip: string, step: string) =>
      read.get(trip, step) as
        | { state: 'started' | 'booked' | 'refused' | 'cancelled'; reference: string | null }
        | undefined,
    set: (trip: string, step: string, state: string, reference: string | null = null) =>
      write.run(trip, step, state, reference),
  };
}

/**
 * Books a trip, or undoes what was booked. Call it again with the same trip id after a crash: booked steps are
 * skipped, a step found `started` is sent again with the same key (the vendor answers what it did the first time),
 * and cancelled steps are not cancelled twice.
 */
export async function bookTrip(
  log: ReturnType<typeof createTripLog>,
  trip: string,
  steps: TripStep[],
): Promise<'booked' | 'cancelled'> {
  let refused = steps.some((s) => log.get(trip, s.name)?.state === 'refused');
  for (const step of refused ? [] : steps) {
    if (log.get(trip, step.name)?.state === 'booked') continue;
    log.set(trip, step.name, 'started'); // before the call: a crash now means "ask again"
    try {
      log.set(trip, step.name, 'booked', await step.book(`${trip}:${step.name}`));
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      log.set(trip, step.name, 'refused');
      refused = true;
      break;
    }
  }
  if (!refused) return 'booked';
  for (const step of [...steps].reverse()) {
    const entry = log.get(trip, step.name);
    if (entry?.state !== 'booked') continue;
    await step.cancel(entry.reference!, `${trip}:${step.name}:cancel`);
    log.set(trip, step.name, 'cancelled', entry.reference);
  }
  return 'cancelled';
}
// #endregion durable
