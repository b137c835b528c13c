// Calls to the carriers: one attempt (logged to integrations_log, counted in the metrics, written to the JSON log,
// carrying the trace), retries with a backoff and Retry-After, and a circuit breaker per carrier.
import type { DatabaseSync } from 'node:sqlite';
import { type Carrier, fromDhl, fromPostal, type TrackingEvent } from './events.ts';
import { log } from './log.ts';
import { type CallOutcome, recordCall, recordCircuit } from './metrics.ts';
import { operationHistoryRequest, parseOperationHistory, SOAP_CONTENT_TYPE } from './soap.ts';
import { childTraceparent, type TraceContext } from './trace.ts';

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

interface Answer {
  status: number | null;
  body: string;
  retryAfter: string | null;
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// #region breaker
type State = 'closed' | 'open' | 'half-open';

function createBreaker(carrier: Carrier, threshold: number, openMs: number) {
  let state: State = 'closed';
  let failures = 0;
  let openedAt = 0;
  const set = (next: State) => {
    state = next;
    recordCircuit(carrier, next);
  };
  return {
    /** Whether a command may call the carrier now; after the open time, the next one is the probe. */
    allow(): boolean {
      if (state === 'open' && Date.now() - openedAt >= openMs) set('half-open');
      return state !== 'open';
    },
    success(): void {
      failures = 0;
      if (state !== 'closed') set('closed');
    },
    failure(): void {
      failures += 1;
      if (state === 'half-open' || failures >= threshold) {
        openedAt = Date.now();
        set('open');
      }
    },
  };
}
// #endregion breaker

export function createCarriers(config: CarrierConfig, db: DatabaseSync) {
  const breakers = {
    dhl: createBreaker('dhl', config.breakerThreshold, config.breakerOpenMs),
    postal: createBreaker('postal', config.breakerThreshold, config.breakerOpenMs),
  };
  const insertLog = db.prepare(
    `INSERT INTO integrations_log (at, carrier, command_id, tracking_number, request, attempt, response_status, duration_ms, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  function request(command: Command): { url: string; label: string; init: RequestInit } {
    const traceparent = childTraceparent(command.trace);
    if (command.carrier === 'dhl') {
      const path = `/track/shipments?trackingNumber=${encodeURIComponent(command.trackingNumber)}`;
      return {
        url: `${config.dhlUrl}${path}`,
        label: `GET ${path}`,
        init: { headers: { 'DHL-API-Key': config.dhlKey, accept: 'application/json', traceparent } },
      };
    }
    return {
      url: `${config.postalUrl}/postal/tracking`,
      label: 'POST /postal/tracking',
      init: {
        method: 'POST',
        headers: { 'content-type': SOAP_CONTENT_TYPE, traceparent },
        body: operationHistoryRequest(command.trackingNumber, config.postalLogin, config.postalPassword),
      },
    };
  }

  // #region attempt
  /** One attempt: sent with its own span id, abandoned after timeoutMs, and recorded three ways. */
  async function attempt(command: Command, n: number): Promise<Answer> {
    const { url, label, init } = request(command);
    const at = new Date().toISOString();
    const started = performance.now();
    let answer: Answer;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(config.timeoutMs) });
      answer = { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
    } catch (error) {
      const err = error as Error;
      answer = { status: null, body: '', retryAfter: null, error: err.name === 'TimeoutError' ? 'timeout' : err.message };
    }
    const ms = performance.now() - started;
    const outcome: CallOutcome =
      answer.status === null
        ? 'no_answer'
        : answer.status === 429
          ? 'rate_limited'
          : answer.status >= 500
            ? 'server_error'
            : answer.status >= 400
              ? 'client_error'
              : 'success';
    insertLog.run(
      at,
      command.carrier,
      command.commandId,
      command.trackingNumber,
      label,
      n,
      answer.status,
      Math.round(ms),
      answer.error ?? null,
    );
    recordCall(command.carrier, outcome, ms / 1000);
    log(outcome === 'success' ? 'info' : 'warn', 'carrier call', {
      correlation_id: command.commandId,
      trace_id: command.trace.traceId,
      carrier: command.carrier,
      tracking_number: command.trackingNumber,
      attempt: n,
      status: answer.status,
      outcome,
      duration_ms: Math.round(ms),
    });
    return answer;
  }
  // #endregion attempt

  /** Seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
  function retryAfterMs(value: string | null): number | undefined {
    if (value === null) return undefined;
    if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
  }

  function parse(command: Command, body: string): TrackingEvent[] {
    if (command.carrier === 'dhl') {
      const shipment = (JSON.parse(body) as { shipments?: unknown[] }).shipments?.[0];
      const events = fromDhl(shipment);
      if (typeof events === 'string') throw new Error(`DHL's answer: ${events}`);
      return events;
    }
    const history = parseOperationHistory(body);
    if ('fault' in history) throw new Error(`postal fault: ${history.fault.reason}`);
    return fromPostal(command.trackingNumber, history.records);
  }

  // #region retries
  async function withRetries(command: Command): Promise<Outcome> {
    let last = '';
    for (let n = 1; n <= config.attempts; n++) {
      const answer = await attempt(command, n);
      if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
        return { ok: true, events: parse(command, answer.body) };
      }
      if (answer.status !== null && answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
        // The carrier answered for good: another attempt would get the same answer.
        return { ok: false, reason: 'unknown_shipment', detail: `${command.carrier} answered ${answer.status}` };
      }
      last = answer.status === null ? `no answer (${answer.error})` : `answered ${answer.status}`;
      if (n === config.attempts) break;
      let wait = config.baseMs * 2 ** (n - 1);
      if (answer.status === 429) {
        const asked = retryAfterMs(answer.retryAfter);
        if (asked !== undefined && asked > config.retryAfterMaxMs) {
          return {
            ok: false,
            reason: 'retries_exhausted',
            detail: `${command.carrier} asked to retry after ${asked} ms, more than ${config.retryAfterMaxMs} ms`,
          };
        }
        if (asked !== undefined) wait = Math.max(wait, asked);
      }
      await sleep(wait);
    }
    return {
      ok: false,
      reason: 'retries_exhausted',
      detail: `${command.carrier} ${last} on all ${config.attempts} attempts`,
    };
  }
  // #endregion retries

  return {
    /** Track one shipment through its carrier, behind that carrier's breaker. */
    async track(command: Command): Promise<Outcome> {
      const breaker = breakers[command.carrier];
      if (!breaker.allow()) {
        return { ok: false, reason: 'circuit_open', detail: `the ${command.carrier} circuit is open` };
      }
      const outcome = await withRetries(command);
      if (!outcome.ok && outcome.reason === 'retries_exhausted') breaker.failure();
      else breaker.success();
      return outcome;
    },
  };
}
