// Conformance of the Stripe mock's objects with the types the official `stripe` SDK generates from Stripe's OpenAPI
// spec (node_modules/stripe/esm/resources/*.d.ts; the spec version is in node_modules/stripe/OPENAPI_VERSION). For
// every object the mock answers or sends in an event (customer, payment_intent, charge, refund, webhook_endpoint,
// event): each field the type declares as required (no `?`) is there, no field the type does not declare, and each
// value has a kind the type allows (string, number, boolean, array, object, null). The nested objects are not
// checked field by field.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

interface Field {
  optional: boolean;
  kinds: Set<string>;
  type: string;
}

/** The top-level fields of `export interface NAME {` in one of the SDK's resource type files. */
function sdkFields(file: string, name: string): Map<string, Field> {
  const text = readFileSync(new URL(`../../node_modules/stripe/esm/resources/${file}.d.ts`, import.meta.url), 'utf8');
  const start = text.indexOf(`\nexport interface ${name} {\n`);
  if (start < 0) throw new Error(`no interface ${name} in ${file}.d.ts`);
  const body = text.slice(start, text.indexOf('\n}\n', start));
  const fields = new Map<string, Field>();
  for (const m of body.matchAll(/^ {4}([a-z_0-9]+)(\?)?: ([^\n]+?);?$/gm)) {
    const type = m[3]!;
    const kinds = new Set<string>();
    if (/\bnull\b/.test(type)) kinds.add('null');
    if (/\bstring\b|'/.test(type)) kinds.add('string');
    if (/\bnumber\b/.test(type)) kinds.add('number');
    if (/\bboolean\b|\btrue\b|\bfalse\b/.test(type)) kinds.add('boolean');
    if (/Array</.test(type)) kinds.add('array');
    if (/Metadata|\{/.test(type)) kinds.add('object');
    // A named type outside Array<…>: a string enum (`type Status = 'succeeded' | …` in the namespace) or an object.
    for (const ref of type.replace(/Array<[^>]*>/g, '').matchAll(/\b([A-Z][A-Za-z]*(?:\.[A-Z][A-Za-z]*)*)\b/g)) {
      const last = ref[1]!.split('.').at(-1)!;
      const alias = new RegExp(`\\n\\s*type ${last} = ([^;]+);`).exec(text);
      kinds.add(alias && /^\s*('|string\b)/.test(alias[1]!) ? 'string' : 'object');
    }
    fields.set(m[1]!, { optional: m[2] === '?', kinds, type });
  }
  return fields;
}

const TYPES: Record<string, Map<string, Field>> = {
  customer: sdkFields('Customers', 'Customer'),
  payment_intent: sdkFields('PaymentIntents', 'PaymentIntent'),
  charge: sdkFields('Charges', 'Charge'),
  refund: sdkFields('Refunds', 'Refund'),
  webhook_endpoint: sdkFields('WebhookEndpoints', 'WebhookEndpoint'),
  event: sdkFields('Events', 'EventBase'),
};

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** What is wrong with one object, by the SDK's type of its `object`. */
function problems(obj: Record<string, unknown>): string[] {
  const fields = TYPES[String(obj.object)];
  if (!fields) return [`no SDK type for object "${String(obj.object)}"`];
  const out: string[] = [];
  for (const [name, field] of fields) if (!field.optional && !Object.hasOwn(obj, name)) out.push(`missing ${name}`);
  for (const [name, value] of Object.entries(obj)) {
    const field = fields.get(name);
    if (!field) out.push(`unknown field ${name}`);
    else if (!field.kinds.has(kindOf(value))) out.push(`${name} is ${kindOf(value)}, the SDK says ${field.type}`);
  }
  return out;
}

const KEY = 'sk_test_conformance_0001';
const FORM = { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' };

describe('Stripe objects match the official SDK types', () => {
  let stripe: StartedMock;
  beforeAll(async () => {
    stripe = await startMock('stripe', { timeScale: 0.0001 });
  });
  afterAll(() => stripe.close());

  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${stripe.url}${path}`, { method, headers: FORM, ...(body === undefined ? {} : { body }) });
    return (await res.json()) as Record<string, unknown>;
  };

  it('every object of every flow, answered or sent in an event', async () => {
    expect(TYPES.payment_intent!.size, 'the SDK types were read').toBeGreaterThan(30);
    await controlFetch(stripe, '/_control/reset', { method: 'POST' });
    const objects: Record<string, unknown>[] = [];
    const customer = await call('POST', '/v1/customers', 'email=ada@example.com&name=Ada&metadata[plan]=pro');
    objects.push(customer, await call('POST', `/v1/customers/${String(customer.id)}`, 'phone=%2B15555550100'));
    const pi = await call('POST', '/v1/payment_intents', `amount=2000&currency=usd&customer=${String(customer.id)}`);
    objects.push(pi, await call('POST', `/v1/payment_intents/${String(pi.id)}/confirm`, 'payment_method=pm_card_visa'));
    const declined = await call(
      'POST',
      '/v1/payment_intents',
      'amount=1500&currency=eur&payment_method=pm_card_chargeDeclined&confirm=true',
    );
    objects.push((declined.error as { payment_intent: Record<string, unknown> }).payment_intent);
    const canceled = await call('POST', '/v1/payment_intents', 'amount=990&currency=usd');
    objects.push(
      await call('POST', `/v1/payment_intents/${String(canceled.id)}/cancel`, 'cancellation_reason=abandoned'),
    );
    objects.push(await call('POST', '/v1/refunds', `payment_intent=${String(pi.id)}&amount=500`));
    // 3-D Secure: requires_action (redirect_to_url, use_stripe_sdk), then authenticated or failed.
    for (const [extra, outcome] of [
      ['&return_url=https://shop.example/done', 'complete'],
      ['', 'fail'],
    ] as const) {
      const threeDs = await call(
        'POST',
        '/v1/payment_intents',
        `amount=3100&currency=usd&payment_method=pm_card_threeDSecure2Required&confirm=true${extra}`,
      );
      objects.push(threeDs);
      const authenticated = await controlFetch(stripe, `/_control/payment_intents/${String(threeDs.id)}/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome }),
      });
      objects.push((await authenticated.json()) as Record<string, unknown>);
    }
    for (const list of ['charges', 'refunds', 'payment_intents', 'customers'])
      objects.push(...((await call('GET', `/v1/${list}?limit=100`)).data as Record<string, unknown>[]));
    objects.push(await call('POST', '/v1/webhook_endpoints', 'url=https://example.com/hook&enabled_events[]=*'));
    const events = (await call('GET', '/v1/events?limit=100')).data as Array<Record<string, unknown>>;
    objects.push(...events, ...events.map((e) => (e.data as { object: Record<string, unknown> }).object));

    const report = objects.map((o) => ({ object: `${String(o.object)} ${String(o.id)}`, problems: problems(o) }));
    const bad = report.filter((r) => r.problems.length > 0);
    const byKind = new Map<string, [number, number]>();
    for (const r of report) {
      const kind = r.object.split(' ')[0]!;
      const [ok, all] = byKind.get(kind) ?? [0, 0];
      byKind.set(kind, [ok + (r.problems.length === 0 ? 1 : 0), all + 1]);
    }
    console.log(
      `stripe objects: ${report.length - bad.length} of ${report.length} match the SDK types; ${[...byKind].map(([k, [ok, all]]) => `${k} ${ok}/${all}`).join(', ')}`,
    );
    expect(bad.map((r) => `${r.object}: ${r.problems.join(', ')}`).join('\n')).toBe('');
  });
});
