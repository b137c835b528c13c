// Done for you: the service's SQLite database (Node's built-in node:sqlite, no server to run) and its tables. Do not
// change this file; write your SQL against these tables in the other files.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** The file name inside DATA_DIR; the README fixes it, the graders read it. */
export const DATABASE_FILE_NAME = 'integrations.sqlite';

const SCHEMA = `
-- One row per external call: every attempt at a carrier, answered or not.
CREATE TABLE IF NOT EXISTS integrations_log (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  at              TEXT NOT NULL,      -- when the attempt started, ISO 8601 UTC
  carrier         TEXT NOT NULL,      -- 'dhl' or 'postal'
  command_id      TEXT NOT NULL,      -- the command the call was made for (the correlation id)
  tracking_number TEXT NOT NULL,
  request         TEXT NOT NULL,      -- method and path (with the query), e.g. 'GET /track/shipments?trackingNumber=…'
  attempt         INTEGER NOT NULL,   -- 1 for the first attempt of a command, 2 for the first retry, …
  response_status INTEGER,            -- the HTTP status, NULL when no answer came (timeout, connection error)
  duration_ms     INTEGER NOT NULL,   -- from sending the request to its answer (or giving up)
  error           TEXT                -- why there was no answer, or NULL
);

-- Every external event the service has published, by its external_event_id (README): the dedupe table.
CREATE TABLE IF NOT EXISTS published_events (
  external_event_id TEXT PRIMARY KEY,
  carrier           TEXT NOT NULL,
  tracking_number   TEXT NOT NULL,
  via               TEXT NOT NULL,    -- 'poll' or 'webhook': which path saw it first
  published_at      TEXT NOT NULL
);
`;

/** Open (and create) DATA_DIR/integrations.sqlite; DATA_DIR defaults to a folder under the scratch folder os.tmpdir(). */
export function openDatabase(dir = process.env.DATA_DIR ?? defaultDir()): DatabaseSync {
  mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, DATABASE_FILE_NAME));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  return db;
}

function defaultDir(): string {
  return join(tmpdir(), 'integration-lab', `13-${process.env.NAME_PREFIX ?? 'dev'}`);
}
