import type { ErrorDetail } from '../shared/index.ts';

/**
 * What can go wrong on the way to a receiver, on demand:
 * - `duplicate`: the same request (same id, same signature) is sent twice;
 * - `reorder`: this delivery is held back and sent right after the next one to the same endpoint;
 * - `delay`: wait `delay_ms` before sending;
 * - `drop_response`: the receiver gets the request, but the mock treats the attempt as timed out (and retries);
 * - `stale_timestamp`: signed with a timestamp `stale_seconds` in the past (default 600 s, over Stripe's 300 s);
 * - `corrupt_signature`: the signature no longer matches the body.
 */
export const FAULT_MODES = [
  'duplicate',
  'reorder',
  'delay',
  'drop_response',
  'stale_timestamp',
  'corrupt_signature',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultRule {
  id: string;
  mode: FaultMode;
  /** Only attempts to this endpoint; every endpoint when absent. */
  endpoint_id: string | null;
  /** Attempts still to affect; `null` = until cleared. */
  remaining: number | null;
  delay_ms: number;
  stale_seconds: number;
  created_at: string;
}

export interface FaultBook {
  /** Validate and add a rule; returns the rule or the problems with the input. */
  add(input: Record<string, unknown>): { rule: FaultRule } | { errors: ErrorDetail[] };
  list(): FaultRule[];
  remove(id: string): boolean;
  clear(): void;
  /** The rules that apply to the next attempt to `endpointId`, each counted down by one. */
  take(endpointId: string): FaultRule[];
}

const MAX_DELAY_MS = 60_000;

export function createFaultBook(): FaultBook {
  let rules: FaultRule[] = [];
  let seq = 0;
  return {
    add(input) {
      const errors: ErrorDetail[] = [];
      const mode = input.mode;
      if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
        errors.push({ field: 'mode', message: `must be one of ${FAULT_MODES.join(', ')}` });
      }
      const count = input.count;
      if (
        count !== undefined &&
        count !== null &&
        !(Number.isInteger(count) && (count as number) > 0 && (count as number) <= 10_000)
      ) {
        errors.push({ field: 'count', message: 'must be an integer from 1 to 10000 (omit it for "until cleared")' });
      }
      const endpointId = input.endpoint_id;
      if (endpointId !== undefined && endpointId !== null && (typeof endpointId !== 'string' || endpointId === '')) {
        errors.push({ field: 'endpoint_id', message: 'must be a non-empty string' });
      }
      const delayMs = input.delay_ms ?? 1000;
      if (!(Number.isInteger(delayMs) && (delayMs as number) >= 0 && (delayMs as number) <= MAX_DELAY_MS)) {
        errors.push({ field: 'delay_ms', message: `must be an integer from 0 to ${MAX_DELAY_MS}` });
      }
      const staleSeconds = input.stale_seconds ?? 600;
      if (
        !(
          Number.isInteger(staleSeconds) &&
          (staleSeconds as number) > 0 &&
          (staleSeconds as number) <= 10 * 365 * 86400
        )
      ) {
        errors.push({ field: 'stale_seconds', message: 'must be a positive integer' });
      }
      if (errors.length > 0) return { errors };
      const rule: FaultRule = {
        id: `flt_${++seq}`,
        mode: mode as FaultMode,
        endpoint_id: (endpointId as string | undefined) ?? null,
        remaining: (count as number | undefined) ?? null,
        delay_ms: delayMs as number,
        stale_seconds: staleSeconds as number,
        created_at: new Date().toISOString(),
      };
      rules.push(rule);
      return { rule };
    },
    list: () => rules.map((r) => ({ ...r })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    take(endpointId) {
      const hits = rules.filter((r) => r.endpoint_id === null || r.endpoint_id === endpointId);
      for (const r of hits) if (r.remaining !== null) r.remaining -= 1;
      rules = rules.filter((r) => r.remaining === null || r.remaining > 0);
      return hits.map((r) => ({ ...r }));
    },
  };
}
