// Failures of Stripe's own API (`/_control/api-faults`), as a client meets them: an injected outage answers 500
// api_error and changes nothing; a held-back answer (`hang_after`) lets the charge happen while the client hears
// nothing, and a retry with the same Idempotency-Key gets the first answer. The official SDK, which retries with one
// key of its own, is the judge: through both faults it makes exactly one charge.
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';
import type { StripeControl } from '../../mock-servers/stripe/index.ts';

const KEY = 'sk_test_api_faults_0001';
const FORM = { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' };
const CHARGE = 'amount=2000&currency=eur&payment_method=pm_card_visa&confirm=true';

describe('Stripe API faults', () => {
  let mock: StartedMock;
  let control: StripeControl;
  beforeAll(async () => {
    mock = await startMock('stripe', { timeScale: 0.0001, maxHangMs: 5000 });
    control = (mock.mock as { control: StripeControl }).control;
  });
  afterAll(() => mock.close());
  beforeEach(async () => {
    await controlFetch(mock, '/_control/reset', { method: 'POST' });
  });

  const addFault = (body: unknown) =>
    controlFetch(mock, '/_control/api-faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const post = (path: string, body: string, key?: string, signal?: AbortSignal) =>
    fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { ...FORM, ...(key ? { 'idempotency-key': key } : {}) },
      body,
      ...(signal ? { signal } : {}),
    });

  it('an error fault answers 500 api_error for the next request only and creates nothing', async () => {
    const rule = await addFault({ mode: 'error', path: '/v1/payment_intents' });
    expect(rule.status).toBe(201);
    expect(await rule.json()).toMatchObject({
      mode: 'error',
      path: '/v1/payment_intents',
      method: 'POST',
      remaining: 1,
    });
    const failed = await post('/v1/payment_intents', CHARGE, 'order-1-charge');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { type: 'api_error' } });
    expect(control.store.intents.size).toBe(0);
    // The key was not used up: the retry with it is carried out.
    const retried = await post('/v1/payment_intents', CHARGE, 'order-1-charge');
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(control.store.intents.size).toBe(1);
    expect(((await (await controlFetch(mock, '/_control/api-faults')).json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('a hang_after fault charges, holds the answer until the client gives up, and the same key replays the charge', async () => {
    await addFault({ mode: 'hang_after', path: '/v1/payment_intents' });
    await expect(post('/v1/payment_intents', CHARGE, 'order-2-charge', AbortSignal.timeout(300))).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError' }),
    );
    const [intent] = [...control.store.intents.values()];
    expect(intent).toMatchObject({ status: 'succeeded', amount: 2000 });
    const again = await post('/v1/payment_intents', CHARGE, 'order-2-charge');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(intent!.id);
    // A new key is a new request: that is how a client charges twice.
    await post('/v1/payment_intents', CHARGE, 'order-2-charge-again');
    expect(control.store.charges.size).toBe(2);
  });

  it('a fault for one path leaves the others alone, and DELETE clears every fault', async () => {
    await addFault({ mode: 'error', path: '/v1/refunds', count: 5 });
    expect((await post('/v1/payment_intents', CHARGE)).status).toBe(200);
    const pi = [...control.store.intents.values()][0]!;
    expect((await post('/v1/refunds', `payment_intent=${pi.id}`)).status).toBe(500);
    expect(control.store.refunds.size).toBe(0);
    expect((await controlFetch(mock, '/_control/api-faults', { method: 'DELETE' })).status).toBe(200);
    expect((await post('/v1/refunds', `payment_intent=${pi.id}`)).status).toBe(200);
  });

  it('refuses a rule that is not one with 422 in our envelope', async () => {
    for (const body of [{ mode: 'explode' }, { mode: 'error', count: 0 }, { mode: 'error', path: 'refunds' }]) {
      const res = await addFault(body);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_fault', details: expect.any(Array) } });
    }
    expect(((await (await controlFetch(mock, '/_control/api-faults')).json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('the official SDK, retrying with its own key, charges once through an outage and a lost answer', async () => {
    const stripe = new Stripe(KEY, {
      host: '127.0.0.1',
      port: mock.port,
      protocol: 'http',
      maxNetworkRetries: 3,
      timeout: 400,
    });
    await addFault({ mode: 'error', path: '/v1/payment_intents' });
    await addFault({ mode: 'hang_after', path: '/v1/payment_intents' });
    const intent = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(intent.status).toBe('succeeded');
    expect(control.store.intents.size).toBe(1);
    expect(control.store.charges.size).toBe(1);
  });
});
