// Small helpers the lab's tests share (not a test file: Vitest only collects tests/public and tests/hidden).
// Each test judges ONE rule of lab.json: the helpers are tolerant of everything other rules grade (a create that
// answers 200 instead of 201 still gives a customer to test with), so one mistake costs one rule's points.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { expectErrorEnvelope, http, OpenApiContract } from '#testkit';

export type Reply = Awaited<ReturnType<typeof http>>;

/** An e-mail address no other test uses. */
export const uniqueEmail = (name = 'ada') => `${name}.${randomUUID().slice(0, 8)}@example.com`;

const ok = (res: Reply) => res.status >= 200 && res.status < 300;

/** The fields an error names in `details` (none when it has no details). */
export function detailFields(res: Reply): string[] {
  const details: unknown = res.json?.error?.details;
  return Array.isArray(details)
    ? details.map((d) => (d as { field?: unknown })?.field).filter((f): f is string => typeof f === 'string')
    : [];
}

/** The status, with what was sent and what came back when it is not the one expected. */
export function expectStatus(res: Reply, status: number, what = ''): void {
  expect(res.status, `${what ? `${what}: ` : ''}${res.said}`).toBe(status);
}

/** 400 naming at least these fields in error.details (other fields may be named too when the body has more problems). */
export function expectInvalid(res: Reply, fields: string[], what = ''): void {
  expectStatus(res, 400, what);
  const named = detailFields(res);
  for (const field of fields)
    expect(named, `${what ? `${what}: ` : ''}error.details names "${field}": ${res.said}`).toContain(field);
}

/** A route that answers 404 or 405 to a known resource is not there at all: judging it is another rule's business. */
export const notServed = (res: Reply) => res.status === 404 || res.status === 405;

/** The course's error envelope, as JSON (the error-envelope rule). */
export function expectEnvelope(res: Reply): void {
  expect(res.headers.get('content-type') ?? '(none)', `errors are JSON: ${res.said}`).toMatch(/^application\/json/);
  expectErrorEnvelope(res);
}

export interface Created {
  id: string;
  [field: string]: unknown;
}

/** A customer to test with, created by POST whatever 2xx it answers; the reply is kept for tests of that rule. */
export async function createCustomer(
  base: string,
  name = 'Ada Lovelace',
): Promise<Created & { email: string; reply: Reply }> {
  const email = uniqueEmail();
  const res = await http(`${base}/v1/customers`, { method: 'POST', json: { name, email } });
  expect(ok(res) && typeof res.json?.id === 'string', `could not create a customer to test with: ${res.said}`).toBe(
    true,
  );
  return { ...res.json, id: res.json.id, email, reply: res };
}

export interface OrderBody {
  total_cents: number;
  currency: string;
  status?: string;
  note?: string | null;
}

/** An order to test with, created by POST whatever 2xx it answers. */
export async function createOrder(
  base: string,
  customerId: string,
  body: OrderBody,
  headers: Record<string, string> = {},
) {
  const res = await http(`${base}/v1/customers/${customerId}/orders`, { method: 'POST', json: body, headers });
  expect(ok(res) && typeof res.json?.id === 'string', `could not create an order to test with: ${res.said}`).toBe(true);
  return res.json as Created & { created_at: string; status: string };
}

/**
 * Change an order so that its representation (and ETag) changes: PATCH, or PUT when PATCH is not served. Returns
 * false when neither works (then a test that needs a change cannot judge its own rule).
 */
export async function changeOrder(base: string, id: string, fields: Record<string, unknown>): Promise<boolean> {
  const patched = await http(`${base}/v1/orders/${id}`, { method: 'PATCH', json: fields });
  if (ok(patched)) return true;
  const current = (await http(`${base}/v1/orders/${id}`)).json;
  const put = await http(`${base}/v1/orders/${id}`, { method: 'PUT', json: { ...current, ...fields } });
  return ok(put);
}

/** Ids of a list reply's data (empty when the reply is not a list). */
export const idsOf = (res: Reply): string[] =>
  Array.isArray(res.json?.data) ? res.json.data.map((o: { id: string }) => o.id) : [];

/** The routes of the README's table, as the OpenAPI document must describe them (parameter names are free). */
export const README_ROUTES = [
  'GET /v1/customers',
  'POST /v1/customers',
  'GET /v1/customers/{id}',
  'PUT /v1/customers/{id}',
  'PATCH /v1/customers/{id}',
  'DELETE /v1/customers/{id}',
  'GET /v1/customers/{id}/orders',
  'POST /v1/customers/{id}/orders',
  'GET /v1/orders/{id}',
  'PUT /v1/orders/{id}',
  'PATCH /v1/orders/{id}',
  'DELETE /v1/orders/{id}',
] as const;

/**
 * The app's own OpenAPI document, to check its answers against. Served with the wrong Content-Type or not valid
 * OpenAPI is the openapi-served rule's business: here it only has to be a JSON object.
 */
export async function documentOf(base: string): Promise<OpenApiContract> {
  const res = await http(`${base}/openapi.json`);
  expect(
    typeof res.json === 'object' && res.json !== null && !Array.isArray(res.json),
    `GET /openapi.json gives a JSON document to check the answers against: ${res.said}`,
  ).toBe(true);
  return OpenApiContract.from(res.json);
}

/** A request a test made, the status it expects, and what came back. */
export type Probe = [method: string, path: string, status: number, reply: Reply];

/**
 * Every reply must match the document. A reply with another status than expected is skipped (its own rule judges
 * that status), and so is an operation the document leaves out (openapi-served judges coverage); at least half of
 * the probes must have been judged, so a document that describes nothing cannot pass.
 */
export function expectMatchesDocument(contract: OpenApiContract, probes: Probe[]): void {
  const problems: string[] = [];
  let judged = 0;
  for (const [method, path, status, reply] of probes) {
    if (reply.status !== status) continue;
    const found = contract.check(method, path, reply);
    if (found === undefined) continue;
    judged++;
    problems.push(...found);
  }
  expect(problems, 'answers of the API that its OpenAPI document does not describe').toEqual([]);
  expect(judged, `answers checked against the document (of ${probes.length} requests)`).toBeGreaterThanOrEqual(
    Math.ceil(probes.length / 2),
  );
}
