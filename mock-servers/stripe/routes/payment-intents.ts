import { Hono } from 'hono';
import type { StripeRoutesContext, Vars } from '../context.ts';
import { list, requestInfo } from '../context.ts';
import { invalid, noSuch } from '../errors.ts';
import { allowOnly, bool, currency, int, mergeMetadata, oneOf, str } from '../params.ts';
import type { Params } from '../params.ts';
import { checkPaymentMethod } from '../store.ts';

/** What creating or updating a PaymentIntent sets. */
const PI_FIELDS = ['amount', 'currency', 'customer', 'description', 'metadata', 'payment_method', 'receipt_email'];
/** Also accepted (on create, `return_url` and `capture_method` are checked; the others have no effect here). */
const IGNORED_PI_PARAMS = [
  'return_url',
  'off_session',
  'setup_future_usage',
  'statement_descriptor',
  'automatic_payment_methods',
  'payment_method_types',
  'capture_method',
  'confirmation_method',
  'mandate_data',
  'payment_method_options',
  'shipping',
];

/** A `return_url` must be an absolute http(s) URL; checked before anything changes. */
const returnUrlOf = (p: Params): string | undefined => {
  const url = str(p, 'return_url');
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw invalid(
      `Invalid URL: ${url}. return_url must be an absolute http or https URL.`,
      'url_invalid',
      'return_url',
    );
  return url;
};

/** `/v1/payment_intents`: create (and confirm), list (by `customer`), retrieve, update, confirm, cancel. */
export function paymentIntents({ store, latency, authenticationUrl }: StripeRoutesContext): Hono<Vars> {
  const app = new Hono<Vars>();
  app.post('/', async (c) => {
    const p = c.get('params');
    allowOnly(p, [...PI_FIELDS, 'confirm', ...IGNORED_PI_PARAMS]);
    const amount = int(p, 'amount', true);
    const cur = currency(p, true);
    if (amount < 1)
      throw invalid('This value must be greater than or equal to 1.', 'parameter_invalid_integer', 'amount');
    if (amount < 50) throw invalid('Amount must be at least 50 cents', 'amount_too_small', 'amount');
    if (amount > 99_999_999) throw invalid('Amount must be no more than 999,999.99', 'amount_too_large', 'amount');
    if (oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual']) === 'manual') {
      throw invalid('This mock supports capture_method=automatic only.', 'parameter_invalid_string', 'capture_method');
    }
    const customer = str(p, 'customer');
    if (customer !== undefined && !store.customers.has(customer)) throw noSuch('customer', customer, 'customer');
    const confirm = bool(p, 'confirm');
    const returnUrl = returnUrlOf(p);
    // Every check before the PaymentIntent exists: a request that fails them creates nothing and sends no event.
    const method = str(p, 'payment_method');
    if (method !== undefined) checkPaymentMethod(method);
    if (confirm && method === undefined) {
      throw invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_xxx, specify a payment method attached to this customer along with the customer ID.",
        'payment_intent_unexpected_state',
        'payment_method',
      );
    }
    str(p, 'description');
    str(p, 'receipt_email');
    mergeMetadata({}, p);
    await latency();
    const pi = store.createPaymentIntent(
      {
        amount,
        currency: cur,
        customer: customer ?? null,
        description: str(p, 'description') ?? null,
        metadata: mergeMetadata({}, p),
        payment_method: str(p, 'payment_method') ?? null,
        receipt_email: str(p, 'receipt_email') ?? null,
      },
      requestInfo(c),
    );
    if (confirm)
      store.confirmPaymentIntent(pi, undefined, requestInfo(c), {
        ...(returnUrl ? { returnUrl } : {}),
        authenticationUrl,
      });
    return c.json(pi);
  });
  app.get('/', (c) => {
    const customer = c.get('params').customer;
    return c.json(
      list(c, [...store.intents.values()], '/v1/payment_intents', (x) => !customer || x.customer === customer),
    );
  });
  app.get('/:id', (c) => c.json(store.getOr404(store.intents, 'payment_intent', c.req.param('id'))));
  app.post('/:id', async (c) => {
    const p = c.get('params');
    allowOnly(p, [...PI_FIELDS, ...IGNORED_PI_PARAMS]);
    const pi = store.getOr404(store.intents, 'payment_intent', c.req.param('id'));
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      throw invalid(
        `You cannot update this PaymentIntent because it has a status of ${pi.status}.`,
        'payment_intent_unexpected_state',
      );
    }
    // Read and check every parameter first, then change the PaymentIntent: a rejected update changes nothing.
    const amount = int(p, 'amount') ?? pi.amount;
    const cur = currency(p) ?? pi.currency;
    const description = str(p, 'description') ?? pi.description;
    const receiptEmail = str(p, 'receipt_email') ?? pi.receipt_email;
    const metadata = mergeMetadata(pi.metadata, p);
    const method = str(p, 'payment_method');
    if (method) checkPaymentMethod(method);
    await latency();
    Object.assign(pi, { amount, currency: cur, description, receipt_email: receiptEmail, metadata });
    if (method) Object.assign(pi, { payment_method: method, status: 'requires_confirmation', next_action: null });
    return c.json(pi);
  });
  app.post('/:id/confirm', async (c) => {
    const p = c.get('params');
    allowOnly(p, [
      'payment_method',
      'receipt_email',
      'return_url',
      'off_session',
      'mandate_data',
      'payment_method_options',
      'setup_future_usage',
      'shipping',
    ]);
    const pi = store.getOr404(store.intents, 'payment_intent', c.req.param('id'));
    const returnUrl = returnUrlOf(p);
    await latency();
    return c.json(
      store.confirmPaymentIntent(pi, str(p, 'payment_method'), requestInfo(c), {
        ...(returnUrl ? { returnUrl } : {}),
        authenticationUrl,
      }),
    );
  });
  app.post('/:id/cancel', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['cancellation_reason']);
    const pi = store.getOr404(store.intents, 'payment_intent', c.req.param('id'));
    const reason = oneOf(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']);
    await latency();
    return c.json(store.cancelPaymentIntent(pi, reason, requestInfo(c)));
  });
  return app;
}
