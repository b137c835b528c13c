import { Hono } from 'hono';
import type { Context } from 'hono';
import { limitBody, safeEqual } from '../../shared/index.ts';
import type { StripeRoutesContext } from '../context.ts';
import type { StripeStore } from '../store.ts';

/** The PaymentIntent a page request is about, if the client secret in it is that PaymentIntent's. */
const awaitingAuthentication = (store: StripeStore, c: Context, secret: string | undefined) => {
  const pi = store.intents.get(c.req.param('id') ?? '');
  return pi && secret !== undefined && safeEqual(secret, pi.client_secret) ? pi : undefined;
};
const NO_SUCH_AUTHENTICATION =
  'No such authentication: the link is wrong or incomplete (it carries the PaymentIntent id and its client_secret).';

/**
 * `/3d_secure_2`: the page a customer authenticates a payment on (the bank's, in real life), then back to
 * `return_url`. Outside `/v1`: no API key, HTML and plain text.
 */
export function threeDSecure({ store }: StripeRoutesContext): Hono {
  const app = new Hono();
  app.use(
    '/*',
    limitBody(16 * 1024, (c) => c.text('The request body is too large.', 413)),
  );
  app.get('/hosted/:id', (c) => {
    const pi = awaitingAuthentication(store, c, c.req.query('client_secret'));
    if (!pi) return c.text(NO_SUCH_AUTHENTICATION, 404);
    if (pi.status !== 'requires_action')
      return c.text(`This payment no longer awaits authentication: its status is ${pi.status}.`, 409);
    const amount = `${(pi.amount / 100).toFixed(2)} ${pi.currency.toUpperCase()}`;
    const button = (outcome: string, label: string) =>
      `<form method="post"><input type="hidden" name="client_secret" value="${pi.client_secret}">` +
      `<button name="outcome" value="${outcome}">${label}</button></form>`;
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>3D Secure 2 Test Page</title></head>` +
        `<body><h1>3D Secure 2 Test Page</h1><p>Authenticate the payment of ${amount} (${pi.id}).</p>` +
        `${button('complete', 'Complete authentication')}${button('fail', 'Fail authentication')}</body></html>`,
    );
  });
  app.post('/hosted/:id', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const pi = awaitingAuthentication(store, c, form.get('client_secret') ?? c.req.query('client_secret'));
    if (!pi) return c.text(NO_SUCH_AUTHENTICATION, 404);
    const outcome = form.get('outcome');
    if (outcome !== 'complete' && outcome !== 'fail')
      return c.text('Send outcome=complete or outcome=fail (the page’s two buttons).', 400);
    if (pi.status !== 'requires_action')
      return c.text(`This payment no longer awaits authentication: its status is ${pi.status}.`, 409);
    const returnUrl = (pi.next_action as { redirect_to_url?: { return_url: string } } | null)?.redirect_to_url
      ?.return_url;
    store.authenticatePaymentIntent(pi, outcome, { id: null, idempotency_key: null });
    if (!returnUrl) return c.text(`Authentication ${outcome === 'complete' ? 'complete' : 'failed'}: close this page.`);
    // Back to the merchant's page, with what Stripe adds to return_url.
    const back = new URL(returnUrl);
    back.searchParams.set('payment_intent', pi.id);
    back.searchParams.set('payment_intent_client_secret', pi.client_secret);
    back.searchParams.set('redirect_status', outcome === 'complete' ? 'succeeded' : 'failed');
    return c.redirect(back.toString(), 302);
  });
  return app;
}
