// Property-based fuzzing of every mock over HTTP on 127.0.0.1 (issue #13, item 4). For each mock, fast-check draws
// requests to its vendor routes and its `/_control` API (with the right token, none, a wrong one): random methods,
// paths, query strings, headers, form and JSON bodies with nested and prototype keys (`__proto__`, `constructor`,
// `prototype`), and bodies over the size limits. Every request must:
//   - get an answer below 500 (a mock may answer 5xx only when a test asked for it with a fault);
//   - leave the connection usable: no reset, and the next request (undici's keep-alive pool) gets through;
//   - when rejected (4xx), change nothing the mock shows (its lists and control state, read before and after);
//   - leave Object.prototype and its friends as they were.
// Bounded and reproducible: FUZZ_SEED (default 20261130) and FUZZ_RUNS (requests per mock, default 150). A failure
// prints the seed and the counterexample; rerun with FUZZ_SEED=… FUZZ_RUNS=… to replay it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

// ---------- what a request is ----------

type Body = { text: string } | { repeat: string; size: number };
interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Body;
}

/**
 * `@@KIND:N@@` in a path or body is replaced, when sent, by the Nth id (modulo) the mock has handed out so far that
 * starts with KIND (`cus_`, `pi_`…; empty for any).
 */
const refTo = (kind: string) => fc.nat(1000).map((n) => `@@${kind}:${n}@@`);
const ref = refTo('');

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const TOKEN_CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789-_'];
const printable = (maxLength: number) => fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength });
/** Any text, emoji and lone surrogates included. */
const anyText = (maxLength = 20) =>
  fc.oneof(fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: 'binary', maxLength }));
const junkText = fc.oneof(
  anyText(),
  printable(30),
  fc.constantFrom('', ' ', '%', '%E0%A4%A', '\u0000', 'null', '[]', '{}', 'x'.repeat(600)),
);

/** A JSON text whose objects may hold `__proto__` as an own key (JSON.stringify of a literal would lose it). */
function jsonText(keys: fc.Arbitrary<string>, leaves: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const { tree } = fc.letrec<{ tree: string; object: string; array: string; leaf: string }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('object'), tie('array')),
    object: fc
      .array(fc.tuple(keys, tie('tree')), { maxLength: 6 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    array: fc.array(tie('tree'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    leaf: leaves.map((v) => JSON.stringify(v) ?? 'null'),
  }));
  return tree;
}

/** A JSON object body built from a vocabulary of field names and plausible values, plus random ones. */
function jsonBody(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string> {
  const names = Object.keys(fields);
  const key = fc.oneof(fc.constantFrom(...names, ...PROTO_KEYS), anyText(8));
  const leaf = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom(...Object.values(fields)).chain((a) => a),
  );
  const plausible = fc
    .array(fc.tuple(fc.constantFrom(...names), fc.nat()), { maxLength: names.length })
    .chain((picked) =>
      fc.tuple(
        ...picked.map(([name]) =>
          fc
            .oneof(
              fields[name]!.map((v) => JSON.stringify(v) ?? 'null'),
              jsonText(key, leaf),
            )
            .map((v) => [name, v] as const),
        ),
      ),
    )
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  return fc.oneof(
    { weight: 5, arbitrary: plausible },
    { weight: 2, arbitrary: jsonText(key, leaf) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '[1,2]',
        'null',
        '"s"',
        '{"a":1}garbage',
        '{"__proto__":{"polluted":1}}',
        '{"constructor":{"prototype":{"polluted":1}}}',
      ),
    },
  );
}

/** A form body: names with 0–3 bracketed parts (from the vocabulary, prototype keys, indexes, random), any values. */
function formBody(fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(fields);
  const part = fc.oneof(fc.constantFrom(...names, ...PROTO_KEYS, '', '0', '1', '10'), anyText(6));
  const name = fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...names) },
        { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
        { weight: 1, arbitrary: anyText(8) },
      ),
      fc.array(part, { maxLength: 3 }),
    )
    .map(([head, parts]) => head + parts.map((p) => `[${p}]`).join(''));
  const pair = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names).chain((n) => fields[n]!.map((v) => [n, v] as const)) },
    {
      weight: 2,
      arbitrary: fc.tuple(
        name,
        fc.oneof(
          junkText,
          fc.constantFrom(...Object.values(fields)).chain((a) => a),
        ),
      ),
    },
  );
  const encode = fc.boolean();
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(fc.tuple(pair, encode), { maxLength: 8 })
        .map((pairs) =>
          pairs
            .map(([[k, v], enc]) => (enc ? `${encodeURIComponent(k)}=${encodeURIComponent(v)}` : `${k}=${v}`))
            .join('&'),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'a[[b]]=1',
        'a=1&a[b]=2',
        'a[b]=1&a=2',
        '[]=1',
        '=1',
        '&&&',
        '%zz=1',
        'a[0]=1&a[x]=2',
        'a[]=1&a[]=2&a[0][b]=3',
      ),
    },
  );
}

const bigBody = (sizes: number[]) =>
  fc.record({ repeat: fc.constantFrom('x', 'a=1&', '{"a":'), size: fc.constantFrom(...sizes) });

function body(text: fc.Arbitrary<string>, sizes: number[]): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 12, arbitrary: text.map((t) => ({ text: t })) },
    { weight: 2, arbitrary: junkText.map((t) => ({ text: t })) },
    { weight: 1, arbitrary: bigBody(sizes) },
  );
}

/** Paths from route templates (`{id}` filled from the ids seen, or junk), plus junk paths. */
function path(templates: string[]): fc.Arbitrary<string> {
  const segment = (kind: string) =>
    fc.oneof(
      { weight: 8, arbitrary: refTo(kind) },
      { weight: 2, arbitrary: junkText.map(encodeURIComponent) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '..',
          '%2e%2e',
          '',
          '%00',
          '%E0%A4%A',
          '__proto__',
          'constructor',
          '9'.repeat(30),
          '-1',
          '0',
          '1.5',
        ),
      },
    );
  // `{id}` is any id seen, `{cus_}` one that starts so.
  const filled = fc.constantFrom(...templates).chain((t) => {
    const parts = t.split(/\{([^}]*)\}/);
    const holes = parts.filter((_, i) => i % 2 === 1).map((k) => segment(k === 'id' ? '' : k));
    return fc
      .tuple(...holes)
      .map((fill) => parts.map((piece, i) => (i % 2 === 0 ? piece : fill[(i - 1) / 2])).join(''));
  });
  const query = fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            'limit',
            'starting_after',
            'ending_before',
            'email',
            'type',
            'types[]',
            'customer',
            'api',
            'trackingNumber',
            'token',
            '__proto__[limit]',
            'constructor[prototype][limit]',
            'expand[]',
          ),
          anyText(6),
        ),
        fc.oneof(fc.constantFrom('1', '0', '100', '101', '-1', 'abc', 'all', 'dhl', '*'), ref, junkText),
      ),
      { maxLength: 3 },
    )
    .map((pairs) =>
      pairs.length === 0
        ? ''
        : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
    );
  return fc
    .tuple(filled, fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query }))
    .map(([p, q]) => (q && p.includes('?') ? `${p}&${q.slice(1)}` : p + q));
}

/** The control routes the shared delivery engine adds to every mock that sends webhooks (Stripe, GitHub). */
const ENGINE_CONTROL_ROUTES = [
  'GET /_control/deliveries',
  'GET /_control/deliveries/{id}',
  'POST /_control/deliveries/{id}/replay',
  'GET /_control/secrets',
  'POST /_control/reset',
  'GET /_control/{id}',
  'GET /_inspector',
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'application/soap+xml',
  'text/xml',
  'text/plain',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
  ';;;',
  'application/x-www-form-urlencoded; charset=latin1',
];

function headers(
  auth: string[],
  mock: () => StartedMock,
  usualTypes: string[],
  extraNames: string[] = [],
): fc.Arbitrary<Record<string, string>> {
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constant('valid') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'wrong', 'bearer', 'query-like') },
  );
  const value = printable(40);
  return fc
    .record({
      // The first credential is the right one: most requests carry it, so they get past authentication.
      auth: fc.oneof(
        { weight: 8, arbitrary: fc.constant(auth[0]!) },
        { weight: 4, arbitrary: fc.constantFrom(...auth) },
        { weight: 1, arbitrary: value },
      ),
      type: fc.option(
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...usualTypes) },
          { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
          { weight: 1, arbitrary: value },
        ),
        { nil: undefined, freq: 8 },
      ),
      token,
      idempotency: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom('k1', 'k2', 'x'.repeat(300)), fc.uuid(), value) },
      ),
      extra: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(
              ...extraNames,
              'accept',
              'accept-encoding',
              'x-forwarded-for',
              'stripe-version',
              'x-github-api-version',
            ),
            fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 }),
          ),
          value,
        ),
        { maxLength: 3 },
      ),
    })
    .map(({ auth: a, type, token: t, idempotency, extra }) => {
      const h: Record<string, string> = {};
      for (const [k, v] of extra) h[k] = v.trim();
      if (a) h.authorization = a;
      if (type !== undefined) h['content-type'] = type;
      if (idempotency !== undefined) h['idempotency-key'] = idempotency.trim();
      const control = mock().controlToken;
      // The control token goes in the header the control API reads; a "bearer" one replaces the vendor credential.
      if (t === 'valid') h[CONTROL_TOKEN_HEADER.toLowerCase()] = control;
      if (t === 'wrong') h[CONTROL_TOKEN_HEADER.toLowerCase()] = 'ctl_wrong_token_0123456789';
      if (t === 'bearer') h.authorization = `Bearer ${control}`;
      if (t === 'query-like') h[CONTROL_TOKEN_HEADER.toLowerCase()] = `${control} `;
      return h;
    });
}

/**
 * A body aimed at one route: most of its fields (from the vocabulary, valid values more often than not), sometimes
 * one stray pair on top, so that requests get past the first check and reach deeper ones.
 */
function focused(
  vocabulary: Record<string, fc.Arbitrary<unknown>>,
  names: string[],
  as: 'form' | 'json',
  stray: fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  const known = names.filter((n) => vocabulary[n] !== undefined);
  // Each field is there five times in six, so most requests are complete enough to reach the route's deeper checks.
  const fields = fc
    .tuple(
      ...known.map((n) =>
        fc.option(
          vocabulary[n]!.map((v) => [n, v] as const),
          { freq: 6, nil: undefined },
        ),
      ),
    )
    .map((pairs) => pairs.filter((pair): pair is readonly [string, unknown] => pair !== undefined));
  const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: stray });
  return fc.tuple(fields, rarely).map(([pairs, extra]) => {
    if (as === 'json')
      return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
    const text = pairs
      .map(
        ([k, v]) =>
          `${encodeURIComponent(k).replaceAll('%5B', '[').replaceAll('%5D', ']')}=${encodeURIComponent(String(v))}`,
      )
      .join('&');
    return extra === undefined ? text : `${text}&${extra}`;
  });
}

/** Mostly one of the valid values, sometimes one of the wrong ones. */
const mostly = <T>(valid: T[], wrong: T[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...wrong) });

/**
 * Routes are written `METHOD /path/{id} field field…`; mostly sent with their own method (sometimes any), and with a
 * body aimed at their fields (sometimes any body).
 */
function request(p: {
  vendorRoutes: string[];
  controlRoutes: string[];
  headers: fc.Arbitrary<Record<string, string>>;
  body: fc.Arbitrary<Body>;
  vendorFocus?: (names: string[]) => fc.Arbitrary<string>;
  controlFocus?: (names: string[]) => fc.Arbitrary<string>;
  /** The media type a vendor route reads (the control API reads JSON). */
  vendorType: string;
}): fc.Arbitrary<Req> {
  const route = (routes: string[], type: string, focus?: (names: string[]) => fc.Arbitrary<string>) =>
    fc.constantFrom(...routes).chain((r) => {
      const [method, template, ...names] = r.split(' ') as [string, string, ...string[]];
      const aimed =
        focus && names.length > 0
          ? fc.oneof(
              { weight: 4, arbitrary: focus(names).map((text): Body => ({ text })) },
              { weight: 1, arbitrary: p.body },
            )
          : p.body;
      return fc.tuple(
        fc.oneof({ weight: 6, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
        path([template]),
        aimed,
        fc.constant(type),
      );
    });
  return fc
    .record({
      route: fc.oneof(
        { weight: 3, arbitrary: route(p.vendorRoutes, p.vendorType, p.vendorFocus) },
        { weight: 2, arbitrary: route(p.controlRoutes, 'application/json', p.controlFocus) },
        {
          weight: 1,
          arbitrary: fc.tuple(
            fc.constantFrom(...METHODS),
            fc.constantFrom(
              '/',
              '//',
              '/' + 'a'.repeat(5000),
              '/%E0%A4%A',
              '/_control',
              '/_inspector',
              '/_control/%2e%2e/secrets',
              '/%5Fcontrol/secrets',
            ),
            p.body,
            fc.constant(p.vendorType),
          ),
        },
      ),
      headers: p.headers,
      // Mostly the media type the route reads, otherwise whatever the headers drew.
      ownType: fc.nat(3),
    })
    .map(({ route: [method, path, body, type], headers, ownType }) => {
      const h = ownType > 0 ? { ...headers, 'content-type': type } : headers;
      return method === 'GET' || method === 'HEAD' ? { method, path, headers: h } : { method, path, headers: h, body };
    });
}

// ---------- sending, and what the mock shows ----------

interface Sent {
  status: number;
  text: string;
  headers: Headers;
}

async function send(mock: StartedMock, req: Req, ids: string[]): Promise<Sent> {
  const fill = (s: string) =>
    s.replace(/(?:@@|%40%40)([A-Za-z_]*)(?::|%3A)(\d+)(?:@@|%40%40)/g, (_, kind: string, n: string) => {
      const pool = ids.filter((id) => id.startsWith(kind));
      return pool.length === 0 ? 'none' : pool[Number(n) % pool.length]!;
    });
  const body =
    req.body === undefined
      ? undefined
      : 'text' in req.body
        ? fill(req.body.text)
        : req.body.repeat.repeat(Math.ceil(req.body.size / req.body.repeat.length));
  const res = await fetch(`${mock.url}${fill(req.path)}`, {
    method: req.method,
    headers: req.headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  // Every id, tracking number and client the mock hands out feeds later requests.
  if (res.status < 300) {
    for (const m of text.matchAll(/"(?:id|guid|trackingNumber|number)":"?([A-Za-z0-9_.:-]{1,80})/g))
      if (!ids.includes(m[1]!)) ids.push(m[1]!);
  }
  return { status: res.status, text, headers: res.headers };
}

const controlGet = async (mock: StartedMock, path: string, auth = 'Bearer sk_test_fuzz_key_0001'): Promise<unknown> => {
  const res = await fetch(`${mock.url}${path}`, {
    headers: { [CONTROL_TOKEN_HEADER]: mock.controlToken, authorization: auth },
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`snapshot GET ${path} → ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
};

/** Names and values of every own property of the built-in prototypes: must never change. */
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const prototypeState = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(',')).join('|');
const PRISTINE = prototypeState();

interface Spec {
  name: 'stripe' | 'github' | 'oauth' | 'carriers';
  options: Record<string, unknown>;
  arbitrary(mock: () => StartedMock): fc.Arbitrary<Req>;
  /** Everything a rejected request must leave as it was, read over HTTP. */
  snapshot(mock: StartedMock): Promise<unknown>;
  /** A rejection the vendor documents as changing state (e.g. a card decline is recorded on the PaymentIntent). */
  changesStateWhenRejected?(req: Req, sent: Sent): boolean;
  /** After a request the test must undo (a fault it switched on), so later requests are not failed on purpose. */
  undo?(mock: StartedMock, req: Req, sent: Sent): Promise<void>;
}

const ids = (list: unknown) => ((list as { data?: Array<{ id: string }> }).data ?? []).map((x) => x.id);
const STRIPE_KEY = 'sk_test_fuzz_key_0001';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const GITHUB_TOKEN = 'ghp_fuzz_token_000000000000000000000001';
/** The GitHub App's installation token: check runs are written with it (a personal token gets 403). */
const GITHUB_APP_TOKEN = 'ghs_fuzz_app_token_000000000000000000001';

const SPECS: Spec[] = [
  {
    name: 'stripe',
    options: { maxBodyBytes: 16 * 1024, timeScale: 0.0001, retrySchedule: [1], seed: 'fuzz', maxHangMs: 50 },
    arbitrary: (mock) => {
      const money = mostly(
        ['2000', '1500', '50', '99999999'],
        ['49', '0', '-1', '100000000', 'abc', '1e3', '20.5', ''],
      );
      const formVocab: Record<string, fc.Arbitrary<string>> = {
        amount: money,
        currency: mostly(['usd', 'eur', 'USD'], ['us', 'dollars', '']),
        customer: fc.oneof(refTo('cus_'), fc.constant('')),
        payment_method: mostly(
          [
            'pm_card_visa',
            'pm_card_mastercard',
            'pm_card_chargeDeclined',
            'pm_card_visa_chargeDeclined',
            'pm_card_chargeDeclinedInsufficientFunds',
            'pm_card_threeDSecure2Required',
            'pm_card_authenticationRequired',
          ],
          ['pm_card_bogus', 'pm_x', '', 'card_visa'],
        ),
        confirm: mostly(['true', 'false'], ['yes']),
        'metadata[order]': junkText,
        metadata: fc.constantFrom('', 'x'),
        description: junkText,
        email: fc.constantFrom('a@example.com', '', 'not-an-email'),
        name: junkText,
        limit: fc.constantFrom('1', '100', '101', '0', 'x'),
        starting_after: ref,
        ending_before: ref,
        url: fc.constantFrom('http://127.0.0.1:9/hook', 'https://example.invalid/h', 'ftp://x', 'nope', ''),
        'enabled_events[]': fc.constantFrom('*', 'payment_intent.succeeded', 'charge.refunded', 'bogus.event', ''),
        payment_intent: refTo('pi_'),
        charge: refTo('ch_'),
        reason: fc.constantFrom('requested_by_customer', 'duplicate', 'fraudulent', 'whim'),
        cancellation_reason: fc.constantFrom('requested_by_customer', 'abandoned', 'x'),
        'expand[]': fc.constantFrom('customer', 'latest_charge'),
        disabled: fc.constantFrom('true', 'false', '1'),
        capture_method: fc.constantFrom('automatic', 'manual', 'x'),
        receipt_email: fc.constantFrom('a@example.com', 'x'),
        api_version: fc.constantFrom('2024-06-20', 'x'),
        return_url: fc.constantFrom('https://shop.example/done', 'javascript:alert(1)', 'nope', ''),
        outcome: fc.constantFrom('complete', 'fail', 'maybe', ''),
        client_secret: fc.oneof(fc.constantFrom('pi_x_secret_y', ''), refTo('pi_')),
      };
      const form = formBody(formVocab);
      const controlVocab: Record<string, fc.Arbitrary<unknown>> = {
        type: fc.constantFrom(
          'payment_intent.succeeded',
          'payment_intent.payment_failed',
          'charge.refunded',
          'customer.created',
          'invoice.paid',
          'x',
          '',
        ),
        amount: fc.constantFrom(2000, 49, -1, 1.5, '2000'),
        data: fc.constantFrom({ object: { id: 'in_1' } }, { object: {} }, null, { object: { id: 5 } }),
        url: fc.constantFrom('http://127.0.0.1:9/hook', 'nope'),
        enabled_events: fc.constantFrom(['*'], ['bogus'], 'x', [1]),
        mode: fc.constantFrom('duplicate', 'delay', 'corrupt_signature', 'error', 'hang_after', 'x'),
        path: fc.constantFrom('/v1/refunds', '/v1/payment_intents', 'refunds', 5),
        method: fc.constantFrom('POST', 'GET', 'PUT'),
        count: fc.constantFrom(1, 0, -1, 1e9),
        delay_ms: fc.constantFrom(0, 10, 70_000),
        endpoint_id: fc.constantFrom('we_1', '', 5),
        outcome: fc.constantFrom('complete', 'fail', 'maybe', 1),
      };
      const control = jsonBody(controlVocab);
      return request({
        vendorRoutes: [
          'POST /v1/customers email name description metadata[order]',
          'GET /v1/customers',
          'GET /v1/customers/{cus_}',
          'POST /v1/customers/{cus_} email name metadata[order] metadata',
          'DELETE /v1/customers/{cus_}',
          'POST /v1/payment_intents amount currency confirm payment_method customer metadata[order] capture_method',
          'POST /v1/payment_intents amount currency confirm payment_method',
          'POST /v1/payment_intents amount currency confirm payment_method return_url',
          'GET /v1/payment_intents',
          'GET /v1/payment_intents/{pi_}',
          'POST /v1/payment_intents/{pi_} amount currency payment_method description metadata[order]',
          'POST /v1/payment_intents/{pi_}/confirm payment_method receipt_email',
          'POST /v1/payment_intents/{pi_}/confirm payment_method return_url',
          'GET /3d_secure_2/hosted/{pi_}',
          'POST /3d_secure_2/hosted/{pi_} outcome client_secret',
          'POST /v1/payment_intents/{pi_}/cancel cancellation_reason',
          'GET /v1/charges',
          'GET /v1/charges/{ch_}',
          'POST /v1/refunds payment_intent charge amount reason metadata[order]',
          'GET /v1/refunds',
          'GET /v1/refunds/{re_}',
          'POST /v1/webhook_endpoints url enabled_events[] description api_version',
          'GET /v1/webhook_endpoints',
          'GET /v1/webhook_endpoints/{we_}',
          'POST /v1/webhook_endpoints/{we_} url enabled_events[] disabled',
          'DELETE /v1/webhook_endpoints/{we_}',
          'GET /v1/events',
          'GET /v1/events/{evt_}',
          'GET /v1/{id}',
        ],
        controlRoutes: [
          'GET /_control',
          'POST /_control/events type amount data',
          'POST /_control/endpoints url enabled_events',
          'GET /_control/faults',
          'POST /_control/faults mode count delay_ms endpoint_id',
          'DELETE /_control/faults/{id}',
          'DELETE /_control/faults',
          'GET /_control/api-faults',
          'POST /_control/api-faults mode path count method',
          'DELETE /_control/api-faults',
          'POST /_control/payment_intents/{pi_}/authenticate outcome',
          ...ENGINE_CONTROL_ROUTES,
        ],
        vendorFocus: (names) => focused(formVocab, names, 'form', form),
        controlFocus: (names) => focused(controlVocab, names, 'json', control),
        vendorType: 'application/x-www-form-urlencoded',
        headers: headers(
          [
            `Bearer ${STRIPE_KEY}`,
            `Bearer ${STRIPE_KEY}`,
            `Basic ${Buffer.from(`${STRIPE_KEY}:`).toString('base64')}`,
            'Bearer sk_live_123',
            'Bearer sk_test_x',
            'Basic !!!',
            '',
          ],
          mock,
          ['application/x-www-form-urlencoded', 'application/json'],
        ),
        body: body(fc.oneof({ weight: 3, arbitrary: form }, { weight: 2, arbitrary: control }), [20_000, 1_100_000]),
      });
    },
    snapshot: async (mock) => {
      const lists = await Promise.all(
        ['customers', 'payment_intents', 'charges', 'refunds', 'webhook_endpoints', 'events'].map((l) =>
          controlGet(mock, `/v1/${l}?limit=100`),
        ),
      );
      const [faults, apiFaults, deliveries] = await Promise.all([
        controlGet(mock, '/_control/faults'),
        controlGet(mock, '/_control/api-faults'),
        controlGet(mock, '/_control/deliveries?limit=1000'),
      ]);
      // An event's `pending_webhooks` counts down as deliveries finish in the background, so it is left out.
      const data = lists.map((l) =>
        (l as { data: Array<Record<string, unknown>> }).data.map(({ pending_webhooks: _, ...o }) => o),
      );
      return { lists: data, faults, apiFaults, deliveries: ids(deliveries) };
    },
    // An API fault a request switched on (an injected 500, a held answer) is switched off again.
    undo: async (mock, req, sent) => {
      if (sent.status < 300 && req.method === 'POST' && req.path.startsWith('/_control/api-faults')) {
        await fetch(`${mock.url}/_control/api-faults`, {
          method: 'DELETE',
          headers: { [CONTROL_TOKEN_HEADER]: mock.controlToken },
        }).then((r) => r.text());
      }
    },
    // A declined card is recorded on the PaymentIntent (last_payment_error, a failed charge, payment_failed events),
    // as on Stripe; the 402 says so.
    changesStateWhenRejected: (_req, sent) => sent.status === 402,
  },
  {
    name: 'github',
    options: {
      maxRequestBytes: 16 * 1024,
      timeScale: 0.0001,
      seed: 'fuzz',
      tokens: ['ghp_fuzz_token_000000000000000000000001'],
      appTokens: [GITHUB_APP_TOKEN],
    },
    arbitrary: (mock) => {
      const jsonVocab: Record<string, fc.Arbitrary<unknown>> = {
        name: fc.constantFrom('web', 'other', 'check', 'repo-1', 'bad name', ''),
        config: fc.constantFrom(
          { url: 'http://127.0.0.1:9/hook', content_type: 'json' },
          { url: 'http://127.0.0.1:9/h', content_type: 'form', secret: 's' },
          { url: 'ftp://x' },
          { content_type: 'xml' },
          null,
          'x',
          [],
        ),
        events: fc.constantFrom(['push'], ['*'], ['pull_request', 'issues'], ['bogus'], [], 'push', [1]),
        active: fc.constantFrom(true, false, 'yes'),
        state: fc.constantFrom('success', 'failure', 'pending', 'error', 'nope'),
        target_url: fc.constantFrom('https://ci.example/1', 5, null),
        description: fc.constantFrom('ok', 7),
        context: fc.constantFrom('ci/build', {}, null),
        head_sha: fc.constantFrom(SHA, 'abc1234', 'zzz', 5),
        status: fc.constantFrom('queued', 'in_progress', 'completed', 'done'),
        conclusion: fc.constantFrom('success', 'failure', 'neutral', 'maybe', null),
        output: fc.constantFrom({ title: 'T', summary: 'S' }, null, 'x', [], { title: 5 }),
        started_at: fc.constantFrom('2024-01-01T00:00:00Z', 'yesterday', 5),
        details_url: fc.constantFrom('https://x', 3),
        event: fc.constantFrom('push', 'pull_request', 'issues', 'ping', 'release', 7),
        action: fc.constantFrom('opened', 'closed', 'edited', 'synchronize', 'reopened', 'labeled', 'deleted', 5),
        repo: fc.constantFrom('octocat/hello-world', 'octocat/missing', 'x', 5),
        number: fc.constantFrom(1, 2, 99, '1', -1),
        sender: fc.constantFrom('monalisa', 'bad login!', 5),
        commits: fc.constantFrom(['fix'], [], 'x', [1]),
        merged: fc.constantFrom(true, false, 'yes'),
        title: fc.constantFrom('T', 5),
        label: fc.constantFrom('bug', 5),
        mode: fc.constantFrom('duplicate', 'x'),
        count: fc.constantFrom(1, -1),
      };
      const json = jsonBody(jsonVocab);
      const token = GITHUB_TOKEN;
      return request({
        vendorRoutes: [
          'GET /repos/octocat/hello-world',
          'GET /repos/{id}/{id}',
          'POST /user/repos name',
          'POST /repos/octocat/hello-world/hooks name config events active',
          'POST /repos/octocat/hello-world/hooks config events',
          'GET /repos/octocat/hello-world/hooks',
          'GET /repos/octocat/hello-world/hooks/{id}',
          'PATCH /repos/octocat/hello-world/hooks/{id} config events active',
          'DELETE /repos/octocat/hello-world/hooks/{id}',
          'POST /repos/octocat/hello-world/hooks/{id}/pings',
          'GET /repos/octocat/hello-world/hooks/{id}/deliveries',
          'GET /repos/octocat/hello-world/hooks/{id}/deliveries/{id}',
          'POST /repos/octocat/hello-world/hooks/{id}/deliveries/{id}/attempts',
          `POST /repos/octocat/hello-world/statuses/${SHA} state target_url description context`,
          'POST /repos/octocat/hello-world/statuses/{id} state context',
          `GET /repos/octocat/hello-world/commits/${SHA}/statuses`,
          'POST /repos/octocat/hello-world/check-runs name head_sha status conclusion output started_at details_url',
          'GET /repos/octocat/hello-world/check-runs/{id}',
          'PATCH /repos/octocat/hello-world/check-runs/{id} status conclusion output name',
          `GET /repos/octocat/hello-world/commits/${SHA}/check-runs`,
          'GET /repos/octocat/nope/hooks',
        ],
        controlRoutes: [
          'GET /_control',
          'POST /_control/events event repo action number sender commits merged title label',
          'POST /_control/events event action',
          'GET /_control/faults',
          'POST /_control/faults mode count',
          'DELETE /_control/faults/{id}',
          ...ENGINE_CONTROL_ROUTES,
        ],
        vendorFocus: (names) => focused(jsonVocab, names, 'json', json),
        controlFocus: (names) => focused(jsonVocab, names, 'json', json),
        vendorType: 'application/json',
        headers: headers(
          [
            `token ${token}`,
            `Bearer ${token}`,
            `token ${GITHUB_APP_TOKEN}`,
            'token ghp_wrong',
            'Bearer',
            'Basic eDp5',
            '',
          ],
          mock,
          ['application/json'],
          ['x-github-event'],
        ),
        body: body(json, [20_000, 1_100_000]),
      });
    },
    snapshot: async (mock) => {
      const hooks = (await controlGet(mock, '/repos/octocat/hello-world/hooks', `token ${GITHUB_TOKEN}`)) as Array<
        Record<string, unknown>
      >;
      const [secrets, faults, deliveries, statuses, runs] = await Promise.all([
        controlGet(mock, '/_control/secrets'),
        controlGet(mock, '/_control/faults'),
        controlGet(mock, '/_control/deliveries?limit=1000'),
        controlGet(mock, `/repos/octocat/hello-world/commits/${SHA}/statuses`),
        controlGet(mock, `/repos/octocat/hello-world/commits/${SHA}/check-runs`),
      ]);
      // `last_response` follows deliveries still under way, so it is left out.
      return {
        hooks: hooks.map(({ last_response: _, ...h }) => h),
        secrets,
        faults,
        deliveries: ids(deliveries),
        statuses,
        runs,
      };
    },
  },
  {
    name: 'oauth',
    options: {},
    arbitrary: (mock) => {
      const formVocab: Record<string, fc.Arbitrary<string>> = {
        grant_type: fc.constantFrom('client_credentials', 'client_credentials', 'password', 'authorization_code', ''),
        client_id: fc.constantFrom('lab-client', 'lab-admin', 'nobody', ''),
        client_secret: fc.constantFrom('lab-client-secret', 'lab-admin-secret', 'wrong', ''),
        scope: fc.constantFrom('shipments:read', 'admin', 'shipments:read tracking:read', 'nope', ''),
        audience: junkText,
      };
      const form = formBody(formVocab);
      const jsonVocab: Record<string, fc.Arbitrary<unknown>> = {
        id: fc.constantFrom('fuzz-client', 'lab-client', '', 5),
        secret: fc.constantFrom('s3cret', '', null),
        scopes: fc.constantFrom(['a', 'b'], [], 'a', [1]),
        defaultScopes: fc.constantFrom(['a'], ['z'], 'a'),
        roles: fc.constantFrom(['admin'], [], [null]),
        keepPrevious: fc.constantFrom(true, false, 'no'),
        variant: fc.constantFrom(
          'valid',
          'expired',
          'not-yet-valid',
          'alg-none',
          'hs256-public-key',
          'unknown-key',
          'tampered',
          'nope',
        ),
        clientId: fc.constantFrom('lab-client', 'nobody', 5),
        subject: fc.constantFrom('u1', '', 5),
        scope: fc.constantFrom(['shipments:read'], 'x', [5]),
        audience: fc.constantFrom('api', 5),
        issuer: fc.constantFrom('https://i', ''),
        expiresInSeconds: fc.constantFrom(60, -60, 1e12, '60', 1.5),
        claims: fc.constantFrom(
          { exp: 'soon' },
          { iat: '1' },
          { nbf: true },
          { aud: ['a'] },
          { aud: 5 },
          { sub: {} },
          { exp: 1e300 },
          { extra: 1 },
          [],
          null,
          'x',
        ),
      };
      const json = jsonBody(jsonVocab);
      return request({
        vendorRoutes: [
          'POST /oauth/token grant_type client_id client_secret scope',
          'POST /oauth/token grant_type scope',
          'GET /oauth/token',
          'GET /.well-known/jwks.json',
          'GET /.well-known/openid-configuration',
          'GET /.well-known/oauth-authorization-server',
          'GET /{id}',
        ],
        controlRoutes: [
          'GET /_control/secrets',
          'GET /_control/clients',
          'POST /_control/clients id secret scopes defaultScopes roles',
          'DELETE /_control/clients/{id}',
          'GET /_control/keys',
          'POST /_control/keys/rotate keepPrevious',
          'POST /_control/tokens variant clientId subject scope roles audience issuer expiresInSeconds claims',
          'POST /_control/tokens variant claims',
          'POST /_control/reset',
          'GET /_control/{id}',
        ],
        vendorFocus: (names) => focused(formVocab, names, 'form', form),
        controlFocus: (names) => focused(jsonVocab, names, 'json', json),
        vendorType: 'application/x-www-form-urlencoded',
        headers: headers(
          [
            `Basic ${Buffer.from('lab-client:lab-client-secret').toString('base64')}`,
            `Basic ${Buffer.from('lab-client:wrong').toString('base64')}`,
            'Basic !!!',
            `Basic ${Buffer.from('no-colon').toString('base64')}`,
            'Bearer x',
            '',
          ],
          mock,
          ['application/x-www-form-urlencoded', 'application/json'],
        ),
        body: body(fc.oneof(form, json), [20_000, 70_000]),
      });
    },
    snapshot: async (mock) => {
      const [clients, keys, jwks] = await Promise.all([
        controlGet(mock, '/_control/clients'),
        controlGet(mock, '/_control/keys'),
        controlGet(mock, '/.well-known/jwks.json'),
      ]);
      return { clients, keys, jwks };
    },
  },
  {
    name: 'carriers',
    options: { timeScale: 0.001, maxHangMs: 50 },
    arbitrary: (mock) => {
      const soap = fc
        .record({
          barcode: fc.oneof(ref, fc.constantFrom('RA123456789RU', '', '<x/>', ']]>', '&amp;', '&bogus;')),
          login: fc.constantFrom('lab-user', 'nobody', '', '<'),
          password: fc.constantFrom('lab-password', 'x', ''),
          ns: fc.constantFrom(
            'http://www.w3.org/2003/05/soap-envelope',
            'http://schemas.xmlsoap.org/soap/envelope/',
            'urn:other',
          ),
          op: fc.constantFrom('getOperationHistory', 'getSomethingElse'),
        })
        .map(
          ({ barcode, login, password, ns, op }) => `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="${ns}" xmlns:oper="http://russianpost.org/operationhistory" xmlns:data="http://russianpost.org/operationhistory/data">
<soap:Header><data:AuthorizationHeader soap:mustUnderstand="1"><data:login>${login}</data:login><data:password>${password}</data:password></data:AuthorizationHeader></soap:Header>
<soap:Body><oper:${op}><data:OperationHistoryRequest><data:Barcode>${barcode}</data:Barcode><data:MessageType>0</data:MessageType></data:OperationHistoryRequest></oper:${op}></soap:Body></soap:Envelope>`,
        );
      const xmlJunk = fc.constantFrom(
        '<',
        '<a><b></a>',
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        '<?xml version="1.0"?><x/>',
        '<soap:Envelope/>',
        '<a xmlns:p="u"><p:b/></a>',
      );
      const jsonVocab: Record<string, fc.Arbitrary<unknown>> = {
        api: fc.constantFrom('dhl', 'postal', 'dhl-shipping', 'all', 'ups', 5),
        scenario: fc.constantFrom('delivered', 'in-progress', 'slow', 'failed', 'unknown', 'lost'),
        trackingNumber: fc.constantFrom('FUZZ-0001', 'ab', 'lower-case', 5),
        latencyMs: fc.constantFrom(0, 5, -1, 1e9),
        errorRate: fc.constantFrom(0, 0.5, 2),
        failNext: fc.constantFrom(0, 1, 1.5),
        hangNext: fc.constantFrom(0, 1, -1),
        hangAfterNext: fc.constantFrom(0, 1, 2.5),
        errorStatus: fc.constantFrom(500, 503, 404),
        limit: fc.constantFrom(1, 1000, 0, 'x'),
        windowSeconds: fc.constantFrom(1, 0, 1e9),
      };
      const json = jsonBody(jsonVocab);
      return request({
        vendorRoutes: [
          'GET /track/shipments',
          'GET /track/shipments?trackingNumber={id}',
          'GET /track/shipments?trackingNumber={id}',
          'POST /track/shipments',
          'GET /track/{id}',
          'POST /postal/tracking',
          'POST /postal/tracking',
          'POST /postal/{id}',
          'POST /parcel/de/shipping/v2/orders',
          'DELETE /parcel/de/shipping/v2/orders?shipment={id}',
          'GET /parcel/de/shipping/v2/orders',
          'GET /{id}',
        ],
        controlRoutes: [
          'GET /_control/secrets',
          'GET /_control/shipments',
          'POST /_control/shipments api scenario trackingNumber',
          'POST /_control/shipments api scenario',
          'GET /_control/faults',
          'POST /_control/faults api latencyMs errorRate failNext hangNext hangAfterNext errorStatus',
          'GET /_control/bookings',
          'DELETE /_control/faults',
          'GET /_control/requests',
          'GET /_control/requests?api={id}',
          'DELETE /_control/requests',
          'GET /_control/rate-limit',
          'POST /_control/rate-limit limit windowSeconds',
          'POST /_control/reset',
          'GET /_control/{id}',
        ],
        controlFocus: (names) => focused(jsonVocab, names, 'json', json),
        vendorType: 'application/soap+xml',
        headers: fc
          .tuple(
            headers(
              ['', 'Bearer x'],
              mock,
              ['application/soap+xml', 'application/json'],
              ['dhl-api-key', 'soapaction'],
            ),
            fc.constantFrom('demo-key', 'demo-key', 'wrong', undefined),
          )
          .map(([h, key]) => (key === undefined ? h : { ...h, 'dhl-api-key': key })),
        body: body(fc.oneof(soap, xmlJunk, json), [9_000, 70_000]),
      });
    },
    snapshot: async (mock) => {
      const [shipments, bookings, faults, rateLimit] = await Promise.all([
        controlGet(mock, '/_control/shipments'),
        controlGet(mock, '/_control/bookings'),
        controlGet(mock, '/_control/faults'),
        controlGet(mock, '/_control/rate-limit'),
      ]);
      return { shipments, bookings, faults, rateLimit };
    },
    // Faults a request switched on (errors, hangs, latency) and a tight rate limit are switched off again.
    undo: async (mock, req, sent) => {
      if (sent.status < 300 && /\/_control\/(faults|rate-limit)/.test(req.path) && req.method === 'POST') {
        await fetch(`${mock.url}/_control/reset`, {
          method: 'POST',
          headers: { [CONTROL_TOKEN_HEADER]: mock.controlToken },
        }).then((r) => r.text());
      }
    },
  },
];

describe.each(SPECS)('fuzzing the $name mock', (spec) => {
  let mock: StartedMock;
  const seen: string[] = [];
  beforeAll(async () => {
    mock = await startMock(spec.name, spec.options);
  });
  afterAll(() => mock.close());

  it(
    `${RUNS} random requests (seed ${SEED}): no 5xx, no reset, a rejected request changes nothing, no prototype touched`,
    async () => {
      const started = Date.now();
      let rejected = 0;
      const statuses: Record<number, number> = {};
      const property = fc.asyncProperty(
        spec.arbitrary(() => mock),
        async (req) => {
          const before = await spec.snapshot(mock);
          let sent: Sent;
          try {
            sent = await send(mock, req, seen);
          } catch (err) {
            const cause = (err as { cause?: { code?: string; message?: string } }).cause;
            throw new Error(
              `the connection failed: ${(err as Error).message} (${cause?.code ?? cause?.message ?? 'no cause'})`,
            );
          }
          const said = `${req.method} ${req.path} → ${sent.status} ${sent.text.slice(0, 300)}`;
          statuses[sent.status] = (statuses[sent.status] ?? 0) + 1;
          expect(sent.status, said).toBeLessThan(500);
          expect(prototypeState(), `built-in prototypes changed after ${said}`).toBe(PRISTINE);
          expect(Object.keys(Object.prototype), `Object.prototype got keys after ${said}`).toEqual([]);
          if (sent.status >= 400 && !spec.changesStateWhenRejected?.(req, sent)) {
            rejected++;
            expect(await spec.snapshot(mock), `state changed by a rejected request: ${said}`).toEqual(before);
          }
          await spec.undo?.(mock, req, sent);
          // The connection pool must still work: a reset socket shows up here as a failed fetch.
          const next = await fetch(`${mock.url}/_control/secrets`, {
            headers: { [CONTROL_TOKEN_HEADER]: mock.controlToken },
          });
          await next.text();
          expect(next.status, `the request after ${said}`).toBe(200);
        },
      );
      await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
      // Not a vacuous run: many requests are rejected, and some get through.
      expect(rejected).toBeGreaterThan(RUNS / 10);
      expect(
        Object.entries(statuses)
          .filter(([s]) => Number(s) < 300)
          .reduce((n, [, k]) => n + k, 0),
      ).toBeGreaterThan(RUNS / 20);
      console.log(
        `fuzz ${spec.name}: ${RUNS} requests, ${rejected} rejected, seed ${SEED}, ${Date.now() - started} ms; statuses ${JSON.stringify(statuses)}`,
      );
    },
    30_000 + RUNS * 200,
  ); // about 20 ms a request here; the margin is for a loaded machine and larger FUZZ_RUNS
});
