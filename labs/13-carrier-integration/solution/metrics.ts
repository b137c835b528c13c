// The service's metrics, kept by prom-client and served at GET /metrics in the Prometheus text format.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Carrier } from './events.ts';

export const registry = new Registry();

/** How one attempt at a carrier ended (README, "Metrics"). */
export type CallOutcome = 'success' | 'client_error' | 'rate_limited' | 'server_error' | 'no_answer';

const carrierCalls = new Counter({
  name: 'carrier_calls_total',
  help: 'Attempts at a carrier API, by carrier and outcome.',
  labelNames: ['carrier', 'outcome'] as const,
  registers: [registry],
});

const carrierCallDuration = new Histogram({
  name: 'carrier_call_duration_seconds',
  help: 'How long one attempt at a carrier API took, answered or not.',
  labelNames: ['carrier'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

const circuitState = new Gauge({
  name: 'carrier_circuit_state',
  help: "Each carrier's circuit breaker: 0 closed, 1 open, 2 half-open.",
  labelNames: ['carrier'] as const,
  registers: [registry],
});

const deadLetters = new Counter({
  name: 'dead_letters_total',
  help: 'Commands sent to the dead-letter topic, by reason.',
  labelNames: ['reason'] as const,
  registers: [registry],
});

// #region record-call
/** Count one attempt and observe its duration. */
export function recordCall(carrier: Carrier, outcome: CallOutcome, seconds: number): void {
  carrierCalls.inc({ carrier, outcome });
  carrierCallDuration.observe({ carrier }, seconds);
}
// #endregion record-call

const STATE_VALUE = { closed: 0, open: 1, 'half-open': 2 } as const;

/** A breaker changed state. */
export function recordCircuit(carrier: Carrier, state: keyof typeof STATE_VALUE): void {
  circuitState.set({ carrier }, STATE_VALUE[state]);
}

/** A dead letter was sent. */
export function recordDeadLetter(reason: string): void {
  deadLetters.inc({ reason });
}

for (const carrier of ['dhl', 'postal'] as const) recordCircuit(carrier, 'closed');
