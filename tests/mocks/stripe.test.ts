// The Stripe mock judged by the official `stripe` SDK: API calls, errors, idempotency, and webhooks that
// `stripe.webhooks.constructEvent` accepts.
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock, StripeControl } from '../../mock-servers/index.ts';
import { sleep, startReceiver } from './receiver.ts';

let mock: StartedMock;
let control: StripeControl;
let stripe: Stripe;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let secret: string;

const KEY = 'sk_test_integration_lab_1234';

beforeAll(async () => {
  mock = await startMock('stripe', { timeScale: 0.00001, apiKey: KEY, apiLatencyMs: 20 });
  control = mock.mock.control as StripeControl;
  stripe = new Stripe(KEY, { host: '127.0.0.1', port: mock.port, protocol: 'http', maxNetworkRetries: 0 });
  receiver = await startReceiver((r) => {
    // The receiver a student would write: verify on the raw body, 400 when it does not check out.
    try {
      stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), secret);
      return 200;
    } catch {
      return 400;
    }
  });
});
afterAll(async () => {
  await mock.close();
  await receiver.close();
});
beforeEach(async () => {
  await controlFetch(mock, '/_control/reset', { method: 'POST' });
  receiver.received.length = 0;
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  secret = endpoint.secret!;
});

/** Wait until every delivery so far has finished (the receiver answers before the engine logs the attempt). */
const settledAll = () => Promise.all(control.engine.list().map((d) => control.engine.settled(d.id)));
const types = () => receiver.received.map((r) => JSON.parse(r.body).type as string);

describe('Stripe mock with the official SDK', () => {
  it('creates and confirms a payment intent; every webhook it sends passes constructEvent', async () => {
    const customer = await stripe.customers.create({ email: 'ada@example.com', metadata: { plan: 'pro' } });
    const created = await stripe.paymentIntents.create({
      amount: 2599,
      currency: 'eur',
      customer: customer.id,
      metadata: { order_id: 'ord_42' },
    });
    expect(created).toMatchObject({
      object: 'payment_intent',
      status: 'requires_payment_method',
      amount: 2599,
      metadata: { order_id: 'ord_42' },
    });
    const confirmed = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    expect(confirmed.status).toBe('succeeded');
    expect((await stripe.paymentIntents.retrieve(created.id)).latest_charge).toMatch(/^ch_/);

    await receiver.waitFor(4);
    expect(types()).toEqual([
      'customer.created',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    for (const r of receiver.received) {
      const event = stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), secret);
      expect(event).toMatchObject({ object: 'event', livemode: false, api_version: expect.any(String) });
      expect(event.id).toMatch(/^evt_/);
    }
    const succeeded = JSON.parse(receiver.received[3]!.body) as Stripe.PaymentIntentSucceededEvent;
    expect(succeeded.data.object).toMatchObject({
      id: created.id,
      status: 'succeeded',
      metadata: { order_id: 'ord_42' },
    });
    expect(succeeded.request?.id).toMatch(/^req_/);
    await settledAll();
    expect(control.engine.list().every((d) => d.status === 'succeeded')).toBe(true);
  });

  it('lists events newest first and retrieves one; pending_webhooks falls to 0 once delivered', async () => {
    await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    await receiver.waitFor(3);
    await sleep(50);
    const events = await stripe.events.list({ limit: 2 });
    expect(events.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'charge.succeeded']);
    expect(events.has_more).toBe(true);
    const one = await stripe.events.retrieve(events.data[0]!.id);
    expect(one).toMatchObject({ id: events.data[0]!.id, pending_webhooks: 0 });
    const filtered = await stripe.events.list({ type: 'payment_intent.created' });
    expect(filtered.data).toHaveLength(1);
  });

  it('a declining test card: 402 card_error from the SDK and payment_intent.payment_failed delivered', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    const error = await stripe.paymentIntents
      .confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
    await receiver.waitFor(3);
    expect(types()).toEqual(['payment_intent.created', 'charge.failed', 'payment_intent.payment_failed']);
  });

  it('refunds emit charge.refunded with previous_attributes; cancel and its state rules', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    expect(refund).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', payment_intent: pi.id });
    await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 5000 })).rejects.toMatchObject({
      statusCode: 400,
      code: 'amount_too_large',
      param: 'amount',
    });
    await receiver.waitFor(5);
    const refunded = receiver.received.map((r) => JSON.parse(r.body)).find((e) => e.type === 'charge.refunded');
    expect(refunded.data).toMatchObject({
      object: { amount_refunded: 1000, refunded: false },
      previous_attributes: { amount_refunded: 0, refunded: false },
    });

    await expect(stripe.paymentIntents.cancel(pi.id)).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
    const open = await stripe.paymentIntents.create({ amount: 800, currency: 'usd' });
    expect(await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' })).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'abandoned',
    });
    expect((await stripe.paymentIntents.list({ limit: 10 })).data.map((p) => p.id)).toEqual([open.id, pi.id]);
  });

  it('a corrupted signature is rejected by the receiver (400), and the retry with a good one is accepted', async () => {
    await controlFetch(mock, '/_control/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'corrupt_signature', count: 1 }),
    });
    await stripe.customers.create({ email: 'x@example.com' });
    await receiver.waitFor(2);
    const [bad, good] = receiver.received;
    expect(() => stripe.webhooks.constructEvent(bad!.body, String(bad!.headers['stripe-signature']), secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(stripe.webhooks.constructEvent(good!.body, String(good!.headers['stripe-signature']), secret).type).toBe(
      'customer.created',
    );
    await settledAll();
    const [delivery] = control.engine.list();
    expect(delivery!.attempts.map((a) => a.response?.status)).toEqual([400, 200]);
  });

  it('Stripe errors: missing param, unknown param, unknown object, unknown URL', async () => {
    await expect(
      stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'parameter_missing',
      param: 'amount',
    });
    await expect(stripe.customers.create({ colour: 'blue' } as Stripe.CustomerCreateParams)).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'colour',
    });
    await expect(stripe.paymentIntents.retrieve('pi_nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
    const res = await fetch(`${mock.url}/v1/teapots`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringMatching(/Unrecognized request URL/),
    });
  });

  it("requires a valid API key (401 in Stripe's shape)", async () => {
    const wrong = new Stripe('sk_test_wrong_key_0000', {
      host: '127.0.0.1',
      port: mock.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await expect(wrong.customers.list()).rejects.toMatchObject({ statusCode: 401, type: 'StripeAuthenticationError' });
    const none = await fetch(`${mock.url}/v1/customers`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.message).toMatch(/did not provide an API key/);
  });
});

describe('Idempotency-Key', () => {
  const post = (key: string, body: string) =>
    fetch(`${mock.url}/v1/customers`, {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': key,
      },
    });

  it('same key + same params → the saved response, marked Idempotent-Replayed; no second object or event', async () => {
    const first = await post('k-1', 'email=a%40example.com&metadata[n]=1');
    const again = await post('k-1', 'metadata[n]=1&email=a%40example.com');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect((await again.json()).id).toBe((await first.json()).id);
    expect((await stripe.customers.list()).data).toHaveLength(1);
    expect(await stripe.events.list().then((l) => l.data.length)).toBe(1);
  });

  it('same key + other params → 400 idempotency_error', async () => {
    await post('k-2', 'email=a%40example.com');
    const res = await post('k-2', 'email=b%40example.com');
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe('idempotency_error');
  });

  it('a request that failed validation does not use up its key: the corrected retry goes through', async () => {
    const bad = await post('k-4', 'emial=typo%40example.com');
    expect(bad.status).toBe(400);
    const fixed = await post('k-4', 'email=typo%40example.com');
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('concurrent requests with one key → one succeeds, the other gets 409', async () => {
    const [a, b] = await Promise.all([post('k-3', 'email=c%40example.com'), post('k-3', 'email=c%40example.com')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const conflict = a.status === 409 ? a : b;
    expect((await conflict.json()).error).toMatchObject({ type: 'idempotency_error' });
  });

  it('the SDK passes idempotencyKey through and gets the same object back', async () => {
    const one = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey: 'order-77' });
    const two = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey: 'order-77' });
    expect(two.id).toBe(one.id);
    const events = await stripe.events.list({ type: 'payment_intent.created' });
    expect(events.data).toHaveLength(1);
    expect(events.data[0]!.request).toMatchObject({ idempotency_key: 'order-77' });
  });
});

describe('control API on the Stripe mock', () => {
  it('POST /_control/events runs a flow like `stripe trigger`; secrets are readable', async () => {
    const res = await controlFetch(mock, '/_control/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"charge.refunded"}',
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'charge.refunded',
      'refund.created',
    ]);
    const secrets = await (await controlFetch(mock, '/_control/secrets')).json();
    expect(secrets).toMatchObject({
      api_key: KEY,
      webhook_secret: expect.stringMatching(/^whsec_/),
      endpoints: [{ secret }],
    });
  });

  it('POST /_control/endpoints adds an endpoint signed with the fixed webhook secret (like stripe listen)', async () => {
    const other = await startReceiver();
    try {
      const res = await controlFetch(mock, '/_control/endpoints', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: other.url, enabled_events: ['customer.created'] }),
      });
      expect(res.status).toBe(201);
      expect((await res.json()).secret).toBe(control.webhookSecret);
      await stripe.customers.create({ name: 'Grace' });
      await other.waitFor(1);
      expect(
        stripe.webhooks.constructEvent(
          other.received[0]!.body,
          String(other.received[0]!.headers['stripe-signature']),
          control.webhookSecret,
        ).type,
      ).toBe('customer.created');
    } finally {
      await other.close();
    }
  });

  it('replays a delivery: the receiver sees it again with a fresh signature', async () => {
    await stripe.customers.create({ name: 'Linus' });
    await receiver.waitFor(1);
    const [delivery] = (await (await controlFetch(mock, '/_control/deliveries')).json()).data;
    const res = await controlFetch(mock, `/_control/deliveries/${delivery.id}/replay`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await res.json()).attempt).toMatchObject({ kind: 'replay', succeeded: true });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
  });

  it('answers control errors in our envelope', async () => {
    const missing = await controlFetch(mock, '/_control/deliveries/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: {
        code: 'not_found',
        message: expect.any(String),
        details: [],
        request_id: expect.any(String),
        timestamp: expect.any(String),
      },
    });
    const badFault = await controlFetch(mock, '/_control/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"mode":"gremlins"}',
    });
    expect(badFault.status).toBe(422);
    expect((await badFault.json()).error.details[0].field).toBe('mode');
  });
});
