import { Hono } from 'hono';
import type { StripeRoutesContext, Vars } from '../context.ts';
import { list, requestInfo } from '../context.ts';
import { invalid } from '../errors.ts';
import { allowOnly, int, mergeMetadata, oneOf, str } from '../params.ts';

/** `/v1/charges`: list (by `payment_intent`) and retrieve; read-only, they come from confirmed payment intents. */
export function charges({ store }: StripeRoutesContext): Hono<Vars> {
  const app = new Hono<Vars>();
  app.get('/', (c) => {
    const pi = c.get('params').payment_intent;
    return c.json(list(c, [...store.charges.values()], '/v1/charges', (x) => !pi || x.payment_intent === pi));
  });
  app.get('/:id', (c) => c.json(store.getOr404(store.charges, 'charge', c.req.param('id'))));
  return app;
}

/** `/v1/refunds`: create (of a charge, or of a payment intent's charge), list (by `payment_intent`), retrieve. */
export function refunds({ store, latency }: StripeRoutesContext): Hono<Vars> {
  const app = new Hono<Vars>();
  app.post('/', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'instructions_email']);
    const piId = str(p, 'payment_intent');
    const chargeId = str(p, 'charge');
    if (!piId && !chargeId)
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
        'parameter_missing',
      );
    let charge;
    if (chargeId) charge = store.getOr404(store.charges, 'charge', chargeId, 'charge');
    else {
      const pi = store.getOr404(store.intents, 'payment_intent', piId!, 'payment_intent');
      if (pi.status !== 'succeeded' || !pi.latest_charge) {
        throw invalid(
          `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
          'charge_not_refundable',
          'payment_intent',
        );
      }
      charge = store.getOr404(store.charges, 'charge', pi.latest_charge, 'payment_intent');
    }
    const reason = oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']);
    const amount = int(p, 'amount');
    await latency();
    return c.json(
      store.refund(charge, amount, { reason: reason ?? null, metadata: mergeMetadata({}, p) }, requestInfo(c)),
    );
  });
  app.get('/', (c) => {
    const pi = c.get('params').payment_intent;
    return c.json(list(c, [...store.refunds.values()], '/v1/refunds', (x) => !pi || x.payment_intent === pi));
  });
  app.get('/:id', (c) => c.json(store.getOr404(store.refunds, 'refund', c.req.param('id'))));
  return app;
}
