import type { FormValue } from '../shared/index.ts';
import { invalid, missingParam, unknownParam } from './errors.ts';

export type Params = Record<string, FormValue>;

/** Every route accepts `expand` (ignored: the mock's objects hold ids, which is what an unexpanded field holds). */
const ALWAYS_ALLOWED = ['expand'];

/** Stripe rejects parameters it does not know; so do we, naming the first one. */
export function allowOnly(params: Params, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key) && !ALWAYS_ALLOWED.includes(key)) throw unknownParam(key);
  }
}

export function str(params: Params, name: string, required: true): string;
export function str(params: Params, name: string, required?: false): string | undefined;
export function str(params: Params, name: string, required = false): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') {
    if (required) throw missingParam(name);
    return undefined;
  }
  if (typeof value !== 'string')
    throw invalid(`Invalid string: ${name} must be a string`, 'parameter_invalid_string', name);
  return value;
}

export function int(params: Params, name: string, required: true): number;
export function int(params: Params, name: string, required?: false): number | undefined;
export function int(params: Params, name: string, required = false): number | undefined {
  const value = str(params, name, required as false);
  if (value === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(value)) throw invalid(`Invalid integer: ${value}`, 'parameter_invalid_integer', name);
  return Number(value);
}

export function bool(params: Params, name: string): boolean | undefined {
  const value = str(params, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false')
    throw invalid(`Invalid boolean: ${value}`, 'parameter_invalid_boolean', name);
  return value === 'true';
}

export function oneOf<T extends string>(params: Params, name: string, values: readonly T[]): T | undefined {
  const value = str(params, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw invalid(`Invalid ${name}: must be one of ${values.join(', ')}`, 'parameter_invalid_string', name);
  }
  return value as T;
}

export function strArray(params: Params, name: string, required = false): string[] | undefined {
  const value = params[name];
  if (value === undefined || value === '') {
    if (required) throw missingParam(name);
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw invalid(`Invalid array: ${name} must be a list of strings`, 'parameter_invalid_array', name);
  }
  return value;
}

export function currency(params: Params, required: true): string;
export function currency(params: Params, required?: false): string | undefined;
export function currency(params: Params, required = false): string | undefined {
  const value = str(params, 'currency', required as false)?.toLowerCase();
  if (value !== undefined && !/^[a-z]{3}$/.test(value))
    throw invalid(`Invalid currency: ${value}`, 'parameter_invalid_string', 'currency');
  return value;
}

/**
 * Apply `metadata[...]` the Stripe way: keys merge into what is there, an empty value removes a key,
 * `metadata=` (empty) clears all. At most 50 keys, keys up to 40 characters, values up to 500.
 */
export function mergeMetadata(current: Record<string, string>, params: Params): Record<string, string> {
  const value = params.metadata;
  if (value === undefined) return current;
  if (value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid('Invalid metadata: must be a hash', 'parameter_invalid_object', 'metadata');
  const next = { ...current };
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw invalid(`Invalid metadata[${k}]: must be a string`, 'parameter_invalid_string', `metadata[${k}]`);
    if (k.length > 40)
      throw invalid('Metadata keys can be at most 40 characters long.', 'parameter_invalid_string', `metadata[${k}]`);
    if (v.length > 500)
      throw invalid(
        'Metadata values can be at most 500 characters long.',
        'parameter_invalid_string',
        `metadata[${k}]`,
      );
    if (v === '') delete next[k];
    else next[k] = v;
  }
  if (Object.keys(next).length > 50)
    throw invalid('Metadata can have at most 50 keys.', 'parameter_invalid_object', 'metadata');
  return next;
}
