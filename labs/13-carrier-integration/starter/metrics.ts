// The service's metrics, kept by prom-client and served at GET /metrics in the Prometheus text format.
import { Registry } from 'prom-client';
import type { Carrier } from './events.ts';

export const registry = new Registry();

/** How one attempt at a carrier ended (README, "Metrics"). */
export type CallOutcome = 'success' | 'client_error' | 'rate_limited' | 'server_error' | 'no_answer';

// TODO 7: the counter carrier_calls_total{carrier, outcome}, the histogram carrier_call_duration_seconds{carrier},
//         the gauge carrier_circuit_state{carrier} (0 for both carriers from the start) and the counter
//         dead_letters_total{reason}, each registered in `registry` (new Counter({ …, registers: [registry] })).

/** Count one attempt and observe its duration. */
export function recordCall(carrier: Carrier, outcome: CallOutcome, seconds: number): void {
  void carrier;
  void outcome;
  void seconds;
}

/** A breaker changed state. */
export function recordCircuit(carrier: Carrier, state: 'closed' | 'open' | 'half-open'): void {
  void carrier;
  void state;
}

/** A dead letter was sent. */
export function recordDeadLetter(reason: string): void {
  void reason;
}
