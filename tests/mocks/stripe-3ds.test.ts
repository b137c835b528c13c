// Stripe's 3-D Secure test cards as Stripe's testing docs describe them (issue #13): pm_card_threeDSecure2Required and
// pm_card_authenticationRequired confirm to `requires_action` with `next_action` (`redirect_to_url` when the confirm
// gave a return_url, else `use_stripe_sdk`); the customer completes or fails authentication on the mock's page (then
// back to return_url with Stripe's query parameters), or a test does it through the control API; then the charge and
// `payment_intent.succeeded`, or `payment_intent.payment_failed` with payment_intent_authentication_failure. Driven by
// the official SDK; every webhook verified by it.
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock, StripeControl } from '../../mock-servers/index.ts';
import { sleep, startReceiver } from './receiver.ts';

const KEY = 'sk_test_threeds_0001';
const RETURN = 'https://shop.example/checkout/done?order=7';

describe('Stripe 3-D Secure', () => {
  let mock: StartedMock<StripeControl>;
  let stripe: Stripe;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secret: string;
  beforeAll(async () => {
    mock = await startMock('stripe', { timeScale: 0.0001 });
    stripe = new Stripe(KEY, { host: '127.0.0.1', port: mock.port, protocol: 'http', maxNetworkRetries: 0 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await mock.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await controlFetch(mock, '/_control/reset', { method: 'POST' });
    receiver.received.length = 0;
    const endpoint = await controlFetch(mock, '/_control/endpoints', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url }),
    });
    secret = ((await endpoint.json()) as { secret: string }).secret;
  });

  /** The events the receiver got, verified by the SDK, in order: `type status` of each. */
  async function events(count: number) {
    await receiver.waitFor(count);
    await sleep(100);
    return receiver.received.map((r) => {
      const event = stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), secret);
      const object = event.data.object as { object: string; status?: string };
      return `${event.type} ${object.status ?? ''}`.trim();
    });
  }

  it('pm_card_threeDSecure2Required with a return_url: requires_action, redirect_to_url; the page completes it', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'eur',
      payment_method: 'pm_card_threeDSecure2Required',
      confirm: true,
      return_url: RETURN,
    });
    expect(pi.status).toBe('requires_action');
    expect(pi.latest_charge).toBeNull();
    expect(pi.next_action?.type).toBe('redirect_to_url');
    const redirect = pi.next_action!.redirect_to_url!;
    expect(redirect.return_url).toBe(RETURN);
    expect(redirect.url).toMatch(new RegExp(`^${mock.url}/`));

    // The customer's browser: the page, then "Complete authentication", then back to the shop.
    const page = await fetch(redirect.url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Complete authentication');
    expect(html).toContain('Fail authentication');
    const form = new URLSearchParams({ client_secret: pi.client_secret!, outcome: 'complete' });
    const done = await fetch(redirect.url!, { method: 'POST', body: form, redirect: 'manual' });
    expect(done.status).toBe(302);
    const back = new URL(done.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://shop.example/checkout/done');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      order: '7',
      payment_intent: pi.id,
      payment_intent_client_secret: pi.client_secret,
      redirect_status: 'succeeded',
    });

    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'succeeded', amount_received: 4200, next_action: null });
    const charge = await stripe.charges.retrieve(String(after.latest_charge));
    expect(charge.payment_method_details?.card?.three_d_secure).toMatchObject({ result: 'authenticated' });
    expect(charge.payment_method_details?.card?.last4).toBe('3220');
    expect(await events(4)).toEqual([
      'payment_intent.created requires_confirmation',
      'payment_intent.requires_action requires_action',
      'charge.succeeded succeeded',
      'payment_intent.succeeded succeeded',
    ]);
    // The page is done with: a second try is refused, as is a wrong client secret.
    expect((await fetch(redirect.url!)).status).toBe(409);
    const wrong = redirect.url!.replace(/client_secret=[^&]+/, 'client_secret=pi_x_secret_y');
    expect((await fetch(wrong)).status).toBe(404);
  });

  it('pm_card_authenticationRequired without a return_url: use_stripe_sdk; failed authentication, then a new card', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    const pi = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_authenticationRequired' });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action?.type).toBe('use_stripe_sdk');
    expect(pi.next_action?.use_stripe_sdk).toBeTypeOf('object');

    const failed = await controlFetch(mock, `/_control/payment_intents/${pi.id}/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'fail' }),
    });
    expect(failed.status).toBe(200);
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({
      status: 'requires_payment_method',
      next_action: null,
      latest_charge: null,
      last_payment_error: { code: 'payment_intent_authentication_failure', type: 'invalid_request_error' },
    });
    expect((await stripe.charges.list({ payment_intent: pi.id })).data).toEqual([]);
    expect(await events(3)).toEqual([
      'payment_intent.created requires_payment_method',
      'payment_intent.requires_action requires_action',
      'payment_intent.payment_failed requires_payment_method',
    ]);
    // Nothing left to authenticate: 409; a bad outcome 422; an unknown PaymentIntent 404.
    const again = (id: string, outcome: unknown) =>
      controlFetch(mock, `/_control/payment_intents/${id}/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome }),
      });
    expect((await again(pi.id, 'complete')).status).toBe(409);
    expect((await again(pi.id, 'maybe')).status).toBe(422);
    expect((await again('pi_nope', 'complete')).status).toBe(404);
    // The customer tries another card, which succeeds.
    const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(retried.status).toBe('succeeded');
  });

  it('in-process: control.authenticate completes it; a canceled one never awaits authentication again', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 990,
      currency: 'usd',
      payment_method: 'pm_card_threeDSecure2Required',
      confirm: true,
    });
    expect(mock.mock.control.authenticate(pi.id, 'complete')).toMatchObject({ status: 'succeeded' });
    const other = await stripe.paymentIntents.create({
      amount: 990,
      currency: 'usd',
      payment_method: 'pm_card_threeDSecure2Required',
      confirm: true,
    });
    const canceled = await stripe.paymentIntents.cancel(other.id);
    expect(canceled).toMatchObject({ status: 'canceled', next_action: null });
    expect(() => mock.mock.control.authenticate(other.id, 'complete')).toThrow(/requires_action/);
  });

  it('POST /_control/events {type: payment_intent.requires_action} builds that flow, like `stripe trigger`', async () => {
    const res = await controlFetch(mock, '/_control/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'payment_intent.requires_action' }),
    });
    expect(res.status).toBe(201);
    expect(await events(2)).toEqual([
      'payment_intent.created requires_confirmation',
      'payment_intent.requires_action requires_action',
    ]);
  });

  it('a return_url that is not an absolute http(s) URL is refused before anything is created', async () => {
    const error = await stripe.paymentIntents
      .create({
        amount: 990,
        currency: 'usd',
        payment_method: 'pm_card_threeDSecure2Required',
        confirm: true,
        return_url: 'javascript:alert(1)',
      })
      .then(
        () => undefined,
        (e: unknown) => e as Stripe.errors.StripeError,
      );
    expect(error).toMatchObject({ statusCode: 400, code: 'url_invalid', param: 'return_url' });
    expect((await stripe.paymentIntents.list()).data).toEqual([]);
  });
});
