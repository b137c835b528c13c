// Calls to the carriers: one attempt (logged to integrations_log, counted in the metrics, written to the JSON log,
// carrying the trace), retries with a backoff and Retry-After, and a circuit breaker per carrier.
import type { DatabaseSync } from 'node:sqlite';
import type { Carrier, TrackingEvent } from './events.ts';
import type { TraceContext } from './trace.ts';

export interface CarrierConfig {
  dhlUrl: string;
  dhlKey: string;
  postalUrl: string;
  postalLogin: string;
  postalPassword: string;
  timeoutMs: number;
  attempts: number;
  baseMs: number;
  retryAfterMaxMs: number;
  breakerThreshold: number;
  breakerOpenMs: number;
}

export interface Command {
  commandId: string;
  carrier: Carrier;
  trackingNumber: string;
  trace: TraceContext;
}

/** What became of a command: its events, or why it goes to the dead letters. */
export type Outcome =
  | { ok: true; events: TrackingEvent[] }
  | { ok: false; reason: 'unknown_shipment' | 'retries_exhausted' | 'circuit_open'; detail: string };

export function createCarriers(config: CarrierConfig, db: DatabaseSync) {
  void config;
  void db;
  return {
    // TODO 4: one attempt: GET DHL's /track/shipments?trackingNumber=… with the DHL-API-Key header, or POST the SOAP
    //         request (soap.ts) to the postal service's /postal/tracking; abandon it after timeoutMs. Record it: a
    //         row of integrations_log (db.ts), recordCall() (metrics.ts), one JSON log line (log.ts) with the
    //         command id as correlation_id, and send a traceparent of the command's trace (TODO 10).
    // TODO 5: retries (README, "Retries"): which answers, how many attempts, the waits, Retry-After.
    // TODO 6: a circuit breaker per carrier (README, "The circuit breaker"); tell recordCircuit() its changes.
    async track(command: Command): Promise<Outcome> {
      return { ok: false, reason: 'retries_exhausted', detail: `${command.carrier}: not written yet (TODO 4)` };
    },
  };
}
