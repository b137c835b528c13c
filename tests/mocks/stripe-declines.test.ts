// Stripe's test PaymentMethods as Stripe's testing docs describe them (issue #13): the decline cards answer 402
// card_error with Stripe's code and decline_code and record the failure on the PaymentIntent; an id that is not a
// test PaymentMethod is 404 and creates nothing. Over HTTP on 127.0.0.1, and through the official SDK.
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

const KEY = 'sk_test_declines_0001';
const FORM = { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' };

describe('Stripe test PaymentMethods', () => {
  let mock: StartedMock;
  let stripe: Stripe;
  beforeAll(async () => {
    mock = await startMock('stripe', { timeScale: 0.0001 });
    stripe = new Stripe(KEY, { host: '127.0.0.1', port: mock.port, protocol: 'http', maxNetworkRetries: 0 });
  });
  afterAll(() => mock.close());
  beforeEach(async () => {
    await controlFetch(mock, '/_control/reset', { method: 'POST' });
  });

  const post = (path: string, body: string, key?: string) =>
    fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { ...FORM, ...(key ? { 'idempotency-key': key } : {}) },
      body,
    });
  const types = async () =>
    (
      (await (await fetch(`${mock.url}/v1/events?limit=100`, { headers: FORM })).json()) as {
        data: Array<{ type: string }>;
      }
    ).data
      .map((e) => e.type)
      .reverse();

  it.each([
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card'],
    ['pm_card_visa_chargeDeclinedStolenCard', 'card_declined', 'stolen_card'],
    ['pm_card_visa_chargeDeclinedVelocityLimitExceeded', 'card_declined', 'card_velocity_exceeded'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
    ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc'],
    ['pm_card_chargeDeclinedProcessingError', 'processing_error', 'processing_error'],
  ])(
    '%s: 402 card_error %s/%s, recorded on the PaymentIntent, charge.failed then payment_intent.payment_failed',
    async (pm, code, declineCode) => {
      const created = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
      const error = await stripe.paymentIntents.confirm(created.id, { payment_method: pm }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `confirm with ${pm} must fail`).toBeInstanceOf(Stripe.errors.StripeCardError);
      const card = error as Stripe.errors.StripeCardError;
      expect({ status: card.statusCode, type: card.type, code: card.code, decline: card.decline_code }).toEqual({
        status: 402,
        type: 'StripeCardError',
        code,
        decline: declineCode,
      });
      const after = await stripe.paymentIntents.retrieve(created.id);
      expect(after.status).toBe('requires_payment_method');
      expect(after.last_payment_error).toMatchObject({ type: 'card_error', code, decline_code: declineCode });
      const charge = await stripe.charges.retrieve(String(after.latest_charge));
      expect(charge).toMatchObject({ status: 'failed', paid: false, failure_code: code });
      expect(await types()).toEqual(['payment_intent.created', 'charge.failed', 'payment_intent.payment_failed']);
    },
  );

  it.each(['pm_card_mastercard', 'pm_card_amex', 'pm_card_visa_debit'])('%s succeeds', async (pm) => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: pm, confirm: true });
    expect(pi.status).toBe('succeeded');
  });

  it.each(['pm_card_bogus', 'pm_card_visa_typo', 'pm_123'])(
    '%s is not a PaymentMethod: 404 resource_missing, nothing created, no event',
    async (pm) => {
      const res = await post(
        '/v1/payment_intents',
        `amount=2000&currency=usd&confirm=true&payment_method=${pm}`,
        `key-${pm}`,
      );
      const text = await res.text();
      expect(res.status, text).toBe(404);
      expect(JSON.parse(text)).toMatchObject({
        error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method' },
      });
      expect(await types()).toEqual([]);
      // The key was not used up: the corrected request with it creates one PaymentIntent.
      const fixed = await post(
        '/v1/payment_intents',
        'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa',
        `key-${pm}-2`,
      );
      expect(fixed.status).toBe(200);
    },
  );

  it('a declined create-and-confirm keeps its Idempotency-Key: the retry replays the 402 and makes no second PaymentIntent', async () => {
    const body = 'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa_chargeDeclined';
    const first = await post('/v1/payment_intents', body, 'order-42');
    const firstText = await first.text();
    const again = await post('/v1/payment_intents', body, 'order-42');
    expect(first.status, firstText).toBe(402);
    expect(again.status).toBe(402);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstText);
    const list = (await (await fetch(`${mock.url}/v1/payment_intents`, { headers: FORM })).json()) as {
      data: Array<{ status: string }>;
    };
    expect(list.data.map((p) => p.status)).toEqual(['requires_payment_method']);
  });
});
