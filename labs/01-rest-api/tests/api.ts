// Small helpers the lab's tests share (not a test file: Vitest only collects tests/public and tests/hidden).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { http } from '#testkit';

export type Reply = Awaited<ReturnType<typeof http>>;

/** An e-mail address no other test uses. */
export const uniqueEmail = (name = 'ada') => `${name}.${randomUUID().slice(0, 8)}@example.com`;

/** Asserts the course's error envelope; returns the fields named in details. */
export function expectEnvelope(res: Reply, status: number): string[] {
  expect(res.status, `status (body: ${res.text.slice(0, 300)})`).toBe(status);
  expect(res.headers.get('content-type'), 'errors are JSON').toMatch(/^application\/json/);
  const error = res.json?.error;
  expect(error, 'body has { error: { … } }').toBeTypeOf('object');
  expect(error.code, 'error.code').toBeTypeOf('string');
  expect(error.message, 'error.message').toBeTypeOf('string');
  expect(Array.isArray(error.details), 'error.details is an array').toBe(true);
  expect(error.request_id, 'error.request_id').toBeTypeOf('string');
  expect(Number.isNaN(Date.parse(error.timestamp)), 'error.timestamp is a date-time').toBe(false);
  return (error.details as { field: string }[]).map((d) => d.field);
}

export async function createCustomer(base: string, name = 'Ada Lovelace'): Promise<{ id: string; email: string }> {
  const email = uniqueEmail();
  const res = await http(`${base}/v1/customers`, { method: 'POST', json: { name, email } });
  expect(res.status, `POST /v1/customers (body: ${res.text.slice(0, 300)})`).toBe(201);
  expect(res.json?.id, 'the created customer has an id').toBeTypeOf('string');
  return { id: res.json.id, email };
}

export interface OrderBody {
  total_cents: number;
  currency: string;
  status?: string;
  note?: string | null;
}

export async function createOrder(base: string, customerId: string, body: OrderBody, headers: Record<string, string> = {}) {
  const res = await http(`${base}/v1/customers/${customerId}/orders`, { method: 'POST', json: body, headers });
  expect(res.status, `POST /v1/customers/{id}/orders (body: ${res.text.slice(0, 300)})`).toBe(201);
  expect(res.json?.id, 'the created order has an id').toBeTypeOf('string');
  return res.json as { id: string; created_at: string; status: string } & Record<string, unknown>;
}
