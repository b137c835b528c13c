// One call to DHL's tracking API, nothing more: no timeout of its own, no retry. What to do when it fails is your part.

/** What DHL says about a shipment (`shipments[0]` of its answer); `events` are newest first. */
export interface DhlShipment {
  id: string;
  service: string;
  status: DhlEvent;
  events: DhlEvent[];
}
export interface DhlEvent {
  timestamp: string;
  /** pre-transit | transit | delivered | failure | unknown */
  statusCode: string;
  status: string;
  description: string;
}

/** Why a call to a carrier gave no shipment. */
export class CarrierError extends Error {
  /** The HTTP status the carrier answered; undefined when no answer came (timeout, reset, refused connection). */
  readonly status: number | undefined;
  /** The answer's `Retry-After`, in milliseconds, when it had one (seconds or an HTTP date). */
  readonly retryAfterMs: number | undefined;
  /** True when the `signal` given to the call aborted it (e.g. `AbortSignal.timeout`). */
  readonly timedOut: boolean;
  constructor(message: string, options: { status?: number; retryAfterMs?: number; timedOut?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CarrierError';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.timedOut = options.timedOut ?? false;
  }
}

/** `Retry-After` is either whole seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Asks DHL once for one shipment. Resolves with the shipment, or rejects with a CarrierError: `status` set when DHL
 * answered something other than 200, `timedOut` when `signal` aborted the call, neither for a network failure.
 */
export async function fetchDhlShipment(dhl: { url: string; apiKey: string }, trackingNumber: string, signal?: AbortSignal): Promise<DhlShipment> {
  const url = `${dhl.url}/track/shipments?trackingNumber=${encodeURIComponent(trackingNumber)}`;
  try {
    const res = await fetch(url, { headers: { 'DHL-API-Key': dhl.apiKey, Accept: 'application/json' }, signal });
    const text = await res.text(); // the body too must arrive before the signal aborts
    if (res.status !== 200) {
      throw new CarrierError(`DHL answered ${res.status}: ${text.slice(0, 200)}`, {
        status: res.status,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
      });
    }
    const shipment = (JSON.parse(text) as { shipments?: DhlShipment[] }).shipments?.[0];
    if (!shipment) throw new CarrierError('DHL answered 200 without a shipment', { status: 502 });
    return shipment;
  } catch (error) {
    if (error instanceof CarrierError) throw error;
    if (signal?.aborted) throw new CarrierError('DHL did not answer in time', { timedOut: true, cause: error });
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new CarrierError(`no answer from DHL (${code ?? (error as Error).message})`, { cause: error });
  }
}
