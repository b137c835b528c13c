// Input checks. Each one collects EVERY problem before answering, so a client can fix all fields in one round trip.
import type { FieldError } from './http.ts';
import { ORDER_STATUSES, type CustomerFields, type OrderFields, type OrderStatus } from './repository.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Returns a message when the value is invalid, undefined when it is fine. */
type Rule = (value: unknown) => string | undefined;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// #region body-rules
const customerRules: Record<keyof CustomerFields, Rule> = {
  name: (v) => (typeof v === 'string' && v.trim() !== '' && v.length <= 100 ? undefined : 'must be a string of 1 to 100 characters'),
  email: (v) => (typeof v === 'string' && v.length <= 254 && EMAIL.test(v) ? undefined : 'must be an e-mail address'),
};

const orderRules: Record<keyof OrderFields, Rule> = {
  status: (v) => (ORDER_STATUSES.includes(v as OrderStatus) ? undefined : `must be one of ${ORDER_STATUSES.join(', ')}`),
  total_cents: (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'must be a positive integer (minor units, e.g. cents)'),
  currency: (v) => (typeof v === 'string' && /^[a-z]{3}$/.test(v) ? undefined : 'must be a lower-case ISO 4217 code such as "eur"'),
  note: (v) => (v === null || (typeof v === 'string' && v.length <= 500) ? undefined : 'must be a string of at most 500 characters, or null'),
};

/**
 * Checks a JSON body against the rules. `required` fields must be present; `defaults` fill the optional ones that are
 * absent. Unknown fields are ignored (so a client may PUT back what it read, id and timestamps included).
 */
function checkBody<T>(body: unknown, rules: Record<string, Rule>, required: readonly string[], defaults: Partial<T>): Checked<Partial<T>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  }
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(rules)) {
    if (!Object.hasOwn(input, field)) {
      if (required.includes(field)) errors.push({ field, message: 'is required' });
      else if (Object.hasOwn(defaults, field)) value[field] = defaults[field as keyof T];
      continue;
    }
    const problem = rule(input[field]);
    if (problem) errors.push({ field, message: problem });
    else value[field] = input[field];
  }
  if (errors.length === 0 && Object.keys(value).length === 0) {
    errors.push({ field: '(body)', message: `must contain at least one of ${Object.keys(rules).join(', ')}` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: value as Partial<T> };
}

/** POST and PUT need the whole customer; PATCH any non-empty subset. */
export function checkCustomer(body: unknown, mode: 'whole' | 'patch'): Checked<Partial<CustomerFields>> {
  return checkBody<CustomerFields>(body, customerRules, mode === 'whole' ? ['name', 'email'] : [], {});
}

/**
 * POST: status defaults to "pending", note to null. PUT replaces the whole order, so a field left out is reset to
 * its default: that (and not merging) is what "replace" means. PATCH changes only the fields it sends.
 */
export function checkOrder(body: unknown, mode: 'create' | 'replace' | 'patch'): Checked<Partial<OrderFields>> {
  if (mode === 'patch') return checkBody<OrderFields>(body, orderRules, [], {});
  const required = mode === 'create' ? ['total_cents', 'currency'] : ['status', 'total_cents', 'currency'];
  return checkBody<OrderFields>(body, orderRules, required, { status: 'pending', note: null });
}
// #endregion body-rules

// #region list-query
export interface ListQuery {
  page: number;
  perPage: number;
  sort: 'created_at' | '-created_at';
  status?: OrderStatus;
  createdAfter?: number;
}

export const MAX_PER_PAGE = 100;
const SORTS = ['created_at', '-created_at'] as const;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Page, page size, sort and filters from the query string; nonsense is a 400 naming the field, never ignored. */
export function checkListQuery(query: Record<string, string>, filters: readonly ('status' | 'created_after')[]): Checked<ListQuery> {
  const errors: FieldError[] = [];
  const positiveInt = (field: string, fallback: number, max: number): number => {
    const raw = query[field];
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= max)) errors.push({ field, message: `must be an integer from 1 to ${max}` });
    return n;
  };
  const result: ListQuery = {
    page: positiveInt('page', 1, 1_000_000),
    perPage: positiveInt('per_page', 20, MAX_PER_PAGE),
    sort: '-created_at',
  };
  if (query.sort !== undefined) {
    if ((SORTS as readonly string[]).includes(query.sort)) result.sort = query.sort as ListQuery['sort'];
    else errors.push({ field: 'sort', message: `must be one of ${SORTS.join(', ')}` });
  }
  if (filters.includes('status') && query.status !== undefined) {
    if (ORDER_STATUSES.includes(query.status as OrderStatus)) result.status = query.status as OrderStatus;
    else errors.push({ field: 'status', message: `must be one of ${ORDER_STATUSES.join(', ')}` });
  }
  if (filters.includes('created_after') && query.created_after !== undefined) {
    const at = ISO_DATE_TIME.test(query.created_after) ? Date.parse(query.created_after) : NaN;
    if (Number.isNaN(at)) errors.push({ field: 'created_after', message: 'must be an ISO 8601 date-time such as 2026-03-01T00:00:00Z' });
    else result.createdAfter = at;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: result };
}
// #endregion list-query
