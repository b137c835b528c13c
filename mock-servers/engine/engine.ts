import { createIdFactory } from '../shared/index.ts';
import type { IdFactory } from '../shared/index.ts';
import { createFaultBook } from './faults.ts';
import type { FaultBook, FaultMode, FaultRule } from './faults.ts';
import { scaledMs, STRIPE_LIKE_RETRY_SCHEDULE } from './schedule.ts';
import { corruptSignature, signatureHeaders } from './signing.ts';
import { post } from './transport.ts';
import type { SigningScheme } from './signing.ts';

/** Where deliveries go. `secret` absent = unsigned (GitHub allows hooks without a secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  secret?: string | undefined;
}

export interface DeliveryInput {
  endpoint: WebhookEndpoint;
  eventId: string;
  eventType: string;
  /** The exact body to send (already serialised). */
  body: string;
  contentType?: string;
  /** Vendor headers that stay the same on every attempt (e.g. `X-GitHub-Event`). */
  headers?: Record<string, string>;
  /** Delivery id; GitHub uses the GUID here so redeliveries keep it. */
  id?: string;
  /** Skip sending and record why (e.g. GitHub's payload size cap). */
  skipReason?: string;
}

export type AttemptKind = 'initial' | 'retry' | 'replay' | 'duplicate';

export interface AttemptRecord {
  n: number;
  kind: AttemptKind;
  started_at: string;
  duration_ms: number;
  faults: FaultMode[];
  request: { method: 'POST'; url: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string } | null;
  error: string | null;
  succeeded: boolean;
}

export type DeliveryStatus = 'pending' | 'held' | 'retrying' | 'succeeded' | 'failed' | 'skipped';

export interface DeliveryRecord {
  id: string;
  /** A small counter, e.g. GitHub's numeric delivery id. */
  seq: number;
  endpoint_id: string;
  url: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  created_at: string;
  /** ISO time of the next scheduled retry, if one is scheduled. */
  next_attempt_at: string | null;
  /** Retries used so far out of the schedule. */
  retries: number;
  gave_up: boolean;
  skip_reason: string | null;
  body: string;
  attempts: AttemptRecord[];
}

export interface EngineChange {
  type: 'delivery';
  delivery: DeliveryRecord;
}

export interface DeliveryEngineOptions {
  scheme: SigningScheme;
  /** Multiplies every retry delay (1 = real time). */
  timeScale?: number;
  /** Seconds before each retry; `[]` = never retry. Default: Stripe-like, about three days. */
  retrySchedule?: readonly number[];
  /** Per-attempt HTTP timeout in real milliseconds (not scaled: it is about the receiver, not the calendar). */
  timeoutMs?: number;
  userAgent?: string;
  ids?: IdFactory;
  /** How many deliveries the log keeps (oldest finished ones are forgotten first). */
  maxLog?: number;
  /** How long a `reorder` fault waits for a next delivery before sending the held one anyway (real ms). */
  reorderHoldMs?: number;
  /** Keep at most this much of a receiver's response body in the log. */
  maxResponseBodyBytes?: number;
}

export interface DeliveryEngine {
  readonly scheme: SigningScheme;
  readonly faults: FaultBook;
  /** Queue a delivery; the first attempt starts at once. Returns the live record. */
  deliver(input: DeliveryInput): DeliveryRecord;
  /** Send a delivery again now (same body and id, freshly signed). No automatic retries follow a replay. */
  replay(id: string): Promise<AttemptRecord | undefined>;
  get(id: string): DeliveryRecord | undefined;
  list(filter?: { endpointId?: string; eventType?: string; status?: string }): DeliveryRecord[];
  /** Resolves when the delivery succeeded, gave up or was skipped (or at once if unknown). */
  settled(id: string): Promise<DeliveryRecord | undefined>;
  /** Called on every change to a delivery (server-sent events, inspector, vendor bookkeeping). */
  subscribe(listener: (change: EngineChange) => void): () => void;
  /** Forget all deliveries and faults; cancel pending retries. */
  reset(): void;
  close(): Promise<void>;
}

const FINAL: ReadonlySet<DeliveryStatus> = new Set(['succeeded', 'failed', 'skipped']);

interface Internal {
  record: DeliveryRecord;
  input: DeliveryInput;
}

export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const scheme = options.scheme;
  const timeScale = options.timeScale ?? 1;
  const schedule = options.retrySchedule ?? STRIPE_LIKE_RETRY_SCHEDULE;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ids = options.ids ?? createIdFactory();
  const maxLog = options.maxLog ?? 1000;
  const reorderHoldMs = options.reorderHoldMs ?? 2000;
  const maxResponseBody = options.maxResponseBodyBytes ?? 64 * 1024;
  const faults = createFaultBook();

  const log = new Map<string, Internal>();
  const listeners = new Set<(change: EngineChange) => void>();
  const waiters = new Map<string, Array<(r: DeliveryRecord) => void>>();
  const timers = new Set<NodeJS.Timeout>();
  // Deliveries held back by a `reorder` fault, per endpoint, with their remaining faults.
  const held = new Map<string, Array<{ item: Internal; faults: FaultRule[]; timer: NodeJS.Timeout }>>();
  let abort = new AbortController();
  let seq = 0;
  let closed = false;

  function emit(item: Internal): void {
    const change: EngineChange = { type: 'delivery', delivery: item.record };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // A broken listener must not stop deliveries.
      }
    }
    if (FINAL.has(item.record.status)) {
      for (const resolve of waiters.get(item.record.id) ?? []) resolve(item.record);
      waiters.delete(item.record.id);
    }
  }

  function later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  }

  function trimLog(): void {
    if (log.size <= maxLog) return;
    for (const [id, item] of log) {
      if (log.size <= maxLog) break;
      if (FINAL.has(item.record.status)) log.delete(id);
    }
  }

  function buildRequest(item: Internal, ruleModes: FaultRule[]): AttemptRecord['request'] {
    const { input, record } = item;
    const staleRule = ruleModes.find((r) => r.mode === 'stale_timestamp');
    const now = Math.floor(Date.now() / 1000);
    const timestamp = staleRule ? now - staleRule.stale_seconds : now;
    const headers: Record<string, string> = {
      'Content-Type': input.contentType ?? 'application/json; charset=utf-8',
      ...(options.userAgent ? { 'User-Agent': options.userAgent } : {}),
      ...input.headers,
    };
    if (input.endpoint.secret) {
      Object.assign(
        headers,
        signatureHeaders(scheme, { secret: input.endpoint.secret, body: input.body, timestamp, messageId: record.id }),
      );
      if (ruleModes.some((r) => r.mode === 'corrupt_signature')) corruptSignature(scheme, headers);
    }
    return { method: 'POST', url: input.endpoint.url, headers, body: input.body };
  }

  async function send(
    request: AttemptRecord['request'],
    kind: AttemptKind,
    n: number,
    modes: FaultMode[],
    dropResponse: boolean,
  ): Promise<AttemptRecord> {
    const started = Date.now();
    const attempt: AttemptRecord = {
      n,
      kind,
      started_at: new Date(started).toISOString(),
      duration_ms: 0,
      faults: modes,
      request,
      response: null,
      error: null,
      succeeded: false,
    };
    try {
      const res = await post(request.url, request.headers, request.body, { signal: abort.signal, timeoutMs });
      const text = res.body;
      attempt.response = {
        status: res.status,
        headers: res.headers,
        body: text.length > maxResponseBody ? `${text.slice(0, maxResponseBody)}…[truncated]` : text,
      };
      attempt.succeeded = res.status >= 200 && res.status < 300;
      if (dropResponse) {
        attempt.succeeded = false;
        attempt.error = 'response dropped by fault injection: the attempt counts as timed out';
      }
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      attempt.error =
        e.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    }
    attempt.duration_ms = Date.now() - started;
    return attempt;
  }

  async function runAttempt(
    item: Internal,
    kind: 'initial' | 'retry' | 'replay',
    rules?: FaultRule[],
  ): Promise<AttemptRecord | undefined> {
    if (closed) return undefined;
    const { record } = item;
    const applied = rules ?? faults.take(record.endpoint_id);
    const modes = applied.map((r) => r.mode);

    if (kind === 'initial' && rules === undefined && modes.includes('reorder')) {
      const rest = applied.filter((r) => r.mode !== 'reorder');
      const queue = held.get(record.endpoint_id) ?? [];
      const timer = later(reorderHoldMs, () => releaseHeld(record.endpoint_id, record.id));
      queue.push({ item, faults: [...rest, ...applied.filter((r) => r.mode === 'reorder')], timer });
      held.set(record.endpoint_id, queue);
      record.status = 'held';
      emit(item);
      return undefined;
    }

    const delayRule = applied.find((r) => r.mode === 'delay');
    if (delayRule) await new Promise<void>((resolve) => later(delayRule.delay_ms, resolve));
    if (closed || !log.has(record.id)) return undefined;

    const request = buildRequest(item, applied);
    const attempt = await send(request, kind, record.attempts.length + 1, modes, modes.includes('drop_response'));
    if (closed) return attempt;
    record.attempts.push(attempt);
    if (modes.includes('duplicate')) {
      // The identical request again: same id, same signature, same timestamp.
      record.attempts.push(await send(request, 'duplicate', record.attempts.length + 1, modes, false));
    }

    if (attempt.succeeded) {
      record.status = 'succeeded';
      record.next_attempt_at = null;
    } else if (kind !== 'replay' && record.status !== 'succeeded') {
      const wait = schedule[record.retries];
      if (wait === undefined) {
        record.status = 'failed';
        record.gave_up = schedule.length > 0;
        record.next_attempt_at = null;
      } else {
        const ms = scaledMs(wait, timeScale);
        record.status = 'retrying';
        record.next_attempt_at = new Date(Date.now() + ms).toISOString();
        later(ms, () => {
          record.retries += 1;
          void runAttempt(item, 'retry');
        });
      }
    } else if (record.status !== 'succeeded') {
      record.status = 'failed';
    }
    emit(item);
    // The delivery after a held one has gone out: now the held one follows it.
    if (kind === 'initial' && rules === undefined) releaseHeld(record.endpoint_id);
    return attempt;
  }

  function releaseHeld(endpointId: string, onlyId?: string): void {
    const queue = held.get(endpointId);
    if (!queue) return;
    const keep = onlyId ? queue.filter((h) => h.item.record.id !== onlyId) : [];
    const go = onlyId ? queue.filter((h) => h.item.record.id === onlyId) : queue;
    if (keep.length) held.set(endpointId, keep);
    else held.delete(endpointId);
    for (const h of go) {
      clearTimeout(h.timer);
      timers.delete(h.timer);
      h.item.record.status = 'pending';
      void runAttempt(h.item, 'initial', h.faults);
    }
  }

  return {
    scheme,
    faults,
    deliver(input) {
      const id = input.id ?? ids.id(scheme === 'stripe' ? 'whdel_' : 'msg_', 24);
      const record: DeliveryRecord = {
        id,
        seq: ++seq,
        endpoint_id: input.endpoint.id,
        url: input.endpoint.url,
        event_id: input.eventId,
        event_type: input.eventType,
        status: 'pending',
        created_at: new Date().toISOString(),
        next_attempt_at: null,
        retries: 0,
        gave_up: false,
        skip_reason: input.skipReason ?? null,
        body: input.body,
        attempts: [],
      };
      const item: Internal = { record, input };
      log.set(id, item);
      trimLog();
      if (input.skipReason) {
        record.status = 'skipped';
        emit(item);
      } else {
        emit(item);
        void runAttempt(item, 'initial');
      }
      return record;
    },
    async replay(id) {
      const item = log.get(id);
      if (!item || item.record.status === 'skipped') return undefined;
      return runAttempt(item, 'replay');
    },
    get: (id) => log.get(id)?.record,
    list(filter = {}) {
      return [...log.values()]
        .map((i) => i.record)
        .filter(
          (r) =>
            (!filter.endpointId || r.endpoint_id === filter.endpointId) &&
            (!filter.eventType || r.event_type === filter.eventType) &&
            (!filter.status || r.status === filter.status),
        );
    },
    settled(id) {
      const record = log.get(id)?.record;
      if (!record || FINAL.has(record.status)) return Promise.resolve(record);
      return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      held.clear();
      abort.abort();
      abort = new AbortController();
      log.clear();
      faults.clear();
      for (const [, resolvers] of waiters)
        for (const resolve of resolvers) resolve(undefined as unknown as DeliveryRecord);
      waiters.clear();
    },
    async close() {
      closed = true;
      this.reset();
      listeners.clear();
    },
  };
}
