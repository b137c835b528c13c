import type { DeliveryEngine } from '../engine/index.ts';
import type { IdFactory } from '../shared/index.ts';
import { invalid, noSuch, StripeError } from './errors.ts';

/** The API version this mock speaks (the one the installed `stripe` SDK pins). */
export const STRIPE_API_VERSION = '2026-10-28.endive';

type Obj = Record<string, unknown> & { id: string; created: number };

export interface Customer extends Obj {
  object: 'customer';
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  metadata: Record<string, string>;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'succeeded'
  | 'canceled';

export interface PaymentIntent extends Obj {
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  status: PaymentIntentStatus;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  next_action: Record<string, unknown> | null;
  client_secret: string;
  canceled_at: number | null;
  cancellation_reason: string | null;
  receipt_email: string | null;
}

export interface Charge extends Obj {
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  payment_method: string;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  metadata: Record<string, string>;
}

export interface Refund extends Obj {
  object: 'refund';
  amount: number;
  charge: string;
  payment_intent: string;
  status: 'succeeded';
}

export interface WebhookEndpointObject extends Obj {
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  secret?: string;
  metadata: Record<string, string>;
  description: string | null;
  api_version: string | null;
}

export interface StripeEvent extends Obj {
  object: 'event';
  type: string;
  api_version: string;
  data: { object: Obj; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

/** Who caused an event: the API request (id + idempotency key), or nobody (`null`s) for control-API triggers. */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

/**
 * Stripe's test PaymentMethods that decline (https://docs.stripe.com/testing#declined-payments), each with the error
 * Stripe answers: `code`, `decline_code` and message. The `pm_card_chargeDeclined…` names without `visa_` are the older
 * spellings of the same cards, still accepted by Stripe.
 */
interface Decline {
  code: string;
  decline_code: string;
  message: string;
}
const DECLINED = 'Your card was declined.';
const DECLINES: Record<string, Decline> = {
  pm_card_visa_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: DECLINED },
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: DECLINED },
  pm_card_visa_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_visa_chargeDeclinedLostCard: { code: 'card_declined', decline_code: 'lost_card', message: DECLINED },
  pm_card_chargeDeclinedLostCard: { code: 'card_declined', decline_code: 'lost_card', message: DECLINED },
  pm_card_visa_chargeDeclinedStolenCard: { code: 'card_declined', decline_code: 'stolen_card', message: DECLINED },
  pm_card_chargeDeclinedStolenCard: { code: 'card_declined', decline_code: 'stolen_card', message: DECLINED },
  pm_card_chargeDeclinedExpiredCard: {
    code: 'expired_card',
    decline_code: 'expired_card',
    message: 'Your card has expired.',
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    code: 'incorrect_cvc',
    decline_code: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
  },
  pm_card_chargeDeclinedProcessingError: {
    code: 'processing_error',
    decline_code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: {
    code: 'card_declined',
    decline_code: 'card_velocity_exceeded',
    message: DECLINED,
  },
  pm_card_chargeDeclinedFraudulent: { code: 'card_declined', decline_code: 'fraudulent', message: DECLINED },
};

/** Stripe's test PaymentMethods that succeed (https://docs.stripe.com/testing#cards): one per brand and funding. */
const SUCCEEDS = new Set([
  'pm_card_visa',
  'pm_card_visa_debit',
  'pm_card_mastercard',
  'pm_card_mastercard_debit',
  'pm_card_mastercard_prepaid',
  'pm_card_amex',
  'pm_card_discover',
  'pm_card_diners',
  'pm_card_jcb',
  'pm_card_unionpay',
  'pm_card_us',
  'pm_card_bypassPending',
]);

/**
 * Stripe's test PaymentMethods that need 3-D Secure (https://docs.stripe.com/testing#regulatory-cards), with their
 * last four digits: the confirm answers `requires_action`; authenticated, they succeed.
 */
const AUTHENTICATION_REQUIRED: Record<string, string> = {
  pm_card_threeDSecure2Required: '3220',
  pm_card_authenticationRequired: '3184',
};
export const needsAuthentication = (method: string): boolean => Object.hasOwn(AUTHENTICATION_REQUIRED, method);

/** The decline a test PaymentMethod causes, if it is one of those. */
export const declineOf = (method: string): Decline | undefined =>
  Object.hasOwn(DECLINES, method) ? DECLINES[method] : undefined;

/**
 * Only Stripe's test PaymentMethods exist here (`pm_card_visa`, `pm_card_visa_chargeDeclined`, …, the lists above); any
 * other id, `pm_card_…` too, is "No such PaymentMethod", as on Stripe. Checked before anything is created or changed,
 * so a request naming a missing one leaves no trace.
 */
export function checkPaymentMethod(method: string): void {
  if (!SUCCEEDS.has(method) && !declineOf(method) && !needsAuthentication(method))
    throw noSuch('PaymentMethod', method, 'payment_method');
}

/** The card behind a test PaymentMethod, as `payment_method_details.card` shows it (brand and last4 per Stripe's docs). */
function testCard(method: string, threeDSecure: Record<string, unknown> | null = null): Record<string, unknown> {
  const brand =
    ['mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay'].find((b) => method.includes(b)) ?? 'visa';
  const last4 =
    (Object.hasOwn(DECLINE_LAST4, method) ? DECLINE_LAST4[method] : undefined) ??
    (Object.hasOwn(AUTHENTICATION_REQUIRED, method) ? AUTHENTICATION_REQUIRED[method] : undefined) ??
    (
      {
        visa: '4242',
        mastercard: '4444',
        amex: '8431',
        discover: '1117',
        diners: '0004',
        jcb: '0505',
        unionpay: '0005',
      } as Record<string, string>
    )[brand]!;
  return {
    amount_authorized: null,
    authorization_code: null,
    brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    exp_month: 12,
    exp_year: new Date().getUTCFullYear() + 3,
    extended_authorization: { status: 'disabled' },
    fingerprint: `fp${last4}${brand}`.slice(0, 16),
    funding: 'credit',
    incremental_authorization: { status: 'unavailable' },
    installments: null,
    last4,
    mandate: null,
    multicapture: { status: 'unavailable' },
    network: brand,
    network_token: { used: false },
    network_transaction_id: null,
    overcapture: { maximum_amount_capturable: 0, status: 'unavailable' },
    regulated_status: 'unregulated',
    three_d_secure: threeDSecure,
    wallet: null,
  };
}

const DECLINE_LAST4: Record<string, string> = {
  pm_card_chargeDeclined: '0002',
  pm_card_visa_chargeDeclined: '0002',
  pm_card_chargeDeclinedInsufficientFunds: '9995',
  pm_card_visa_chargeDeclinedInsufficientFunds: '9995',
  pm_card_chargeDeclinedLostCard: '9987',
  pm_card_visa_chargeDeclinedLostCard: '9987',
  pm_card_chargeDeclinedStolenCard: '9979',
  pm_card_visa_chargeDeclinedStolenCard: '9979',
  pm_card_chargeDeclinedExpiredCard: '0069',
  pm_card_chargeDeclinedIncorrectCvc: '0127',
  pm_card_chargeDeclinedProcessingError: '0119',
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: '6975',
  pm_card_chargeDeclinedFraudulent: '0019',
};

const now = () => Math.floor(Date.now() / 1000);
const clone = <T>(value: T): T => structuredClone(value);

export function createStripeStore(deps: { ids: IdFactory; engine: DeliveryEngine }) {
  const { ids, engine } = deps;
  const customers = new Map<string, Customer>();
  const intents = new Map<string, PaymentIntent>();
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, Refund>();
  const endpoints = new Map<string, WebhookEndpointObject>();
  const events = new Map<string, StripeEvent>();
  // Deliveries still pending per event, so `pending_webhooks` counts down as endpoints accept them.
  const pendingByDelivery = new Map<string, string>();

  engine.subscribe(({ delivery }) => {
    const eventId = pendingByDelivery.get(delivery.id);
    if (!eventId || (delivery.status !== 'succeeded' && delivery.status !== 'failed')) return;
    pendingByDelivery.delete(delivery.id);
    const event = events.get(eventId);
    if (event && event.pending_webhooks > 0) event.pending_webhooks -= 1;
  });

  function emit(type: string, object: Obj, request: RequestInfo, previous?: Record<string, unknown>): StripeEvent {
    const targets = [...endpoints.values()].filter(
      (e) => e.status === 'enabled' && (e.enabled_events.includes('*') || e.enabled_events.includes(type)),
    );
    const event: StripeEvent = {
      id: ids.id('evt_', 24),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: now(),
      data: { object: clone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: targets.length,
      request: { ...request },
      type,
    };
    events.set(event.id, event);
    for (const endpoint of targets) {
      // Stripe sends pretty-printed JSON; the signature covers these exact bytes.
      const body = JSON.stringify({ ...event, api_version: endpoint.api_version ?? STRIPE_API_VERSION }, null, 2);
      const delivery = engine.deliver({
        endpoint: { id: endpoint.id, url: endpoint.url, secret: endpoint.secret },
        eventId: event.id,
        eventType: type,
        body,
      });
      if (delivery.status !== 'succeeded') pendingByDelivery.set(delivery.id, event.id);
    }
    return event;
  }

  function getOr404<T>(map: Map<string, T>, kind: string, id: string, param = 'id'): T {
    const found = map.get(id);
    if (!found) throw noSuch(kind, id, param);
    return found;
  }

  function createCharge(
    pi: PaymentIntent,
    paymentMethod: string,
    decline: Decline | undefined,
    threeDSecure: Record<string, unknown> | null = null,
  ): Charge {
    const declined = decline !== undefined;
    const declineCode = decline?.decline_code;
    const charge: Charge = {
      id: ids.id('ch_', 24),
      object: 'charge',
      amount: pi.amount,
      amount_captured: declined ? 0 : pi.amount,
      amount_refunded: 0,
      balance_transaction: declined ? null : ids.id('txn_', 24),
      captured: !declined,
      created: now(),
      currency: pi.currency,
      customer: pi.customer,
      description: pi.description,
      failure_code: decline?.code ?? null,
      failure_message: decline?.message ?? null,
      livemode: false,
      metadata: { ...pi.metadata },
      outcome: declined
        ? {
            network_status: 'declined_by_network',
            reason: declineCode,
            risk_level: 'normal',
            seller_message: 'The bank did not return any further details with this decline.',
            type: 'issuer_declined',
          }
        : {
            network_status: 'approved_by_network',
            reason: null,
            risk_level: 'normal',
            seller_message: 'Payment complete.',
            type: 'authorized',
          },
      paid: !declined,
      payment_intent: pi.id,
      payment_method: paymentMethod,
      receipt_email: pi.receipt_email,
      refunded: false,
      status: declined ? 'failed' : 'succeeded',
      // The rest of Stripe's Charge (every field its OpenAPI spec requires), as a card payment in test mode shows it.
      application: null,
      application_fee: null,
      application_fee_amount: null,
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: null,
        name: null,
        phone: null,
        tax_id: null,
      },
      calculated_statement_descriptor: 'INTEGRATION LAB',
      disputed: false,
      failure_balance_transaction: null,
      fraud_details: {},
      on_behalf_of: null,
      payment_method_details: { card: testCard(paymentMethod, threeDSecure), type: 'card' },
      receipt_number: null,
      receipt_url: `https://pay.stripe.com/receipts/payment/${ids.id('', 40)}`,
      review: null,
      shipping: null,
      source: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      transfer_data: null,
      transfer_group: null,
    };
    charges.set(charge.id, charge);
    return charge;
  }

  return {
    customers,
    intents,
    charges,
    refunds,
    endpoints,
    events,
    emit,
    getOr404,

    reset() {
      for (const map of [customers, intents, charges, refunds, endpoints, events, pendingByDelivery]) map.clear();
    },

    createCustomer(
      fields: Pick<Customer, 'email' | 'name' | 'description' | 'phone' | 'metadata'>,
      request: RequestInfo,
    ): Customer {
      const customer: Customer = {
        id: ids.id('cus_', 14),
        object: 'customer',
        address: null,
        balance: 0,
        created: now(),
        currency: null,
        default_source: null,
        delinquent: false,
        invoice_prefix: ids.hex(8).toUpperCase(),
        invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
        livemode: false,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
        ...fields,
      };
      customers.set(customer.id, customer);
      emit('customer.created', customer, request);
      return customer;
    },

    updateCustomer(customer: Customer, changes: Partial<Customer>, request: RequestInfo): Customer {
      const previous: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(changes)) {
        if (JSON.stringify(customer[k]) !== JSON.stringify(v)) previous[k] = clone(customer[k]);
      }
      Object.assign(customer, changes);
      if (Object.keys(previous).length > 0) emit('customer.updated', customer, request, previous);
      return customer;
    },

    createPaymentIntent(
      fields: Pick<
        PaymentIntent,
        'amount' | 'currency' | 'customer' | 'description' | 'metadata' | 'payment_method' | 'receipt_email'
      >,
      request: RequestInfo,
    ): PaymentIntent {
      const id = ids.id('pi_', 24);
      const pi: PaymentIntent = {
        id,
        object: 'payment_intent',
        amount_capturable: 0,
        amount_details: { tip: {} },
        amount_received: 0,
        application: null,
        application_fee_amount: null,
        automatic_payment_methods: null,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: 'automatic',
        client_secret: `${id}_secret_${ids.id('', 25)}`,
        confirmation_method: 'automatic',
        created: now(),
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        next_action: null,
        payment_method_types: ['card'],
        processing: null,
        // The rest of Stripe's PaymentIntent (every field its OpenAPI spec requires), as a card payment shows it.
        allowed_payment_method_types: null,
        customer_account: null,
        excluded_payment_method_types: null,
        managed_payments: null,
        on_behalf_of: null,
        payment_method_configuration_details: null,
        payment_method_options: {
          card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
        },
        payment_record: null,
        review: null,
        setup_future_usage: null,
        shipping: null,
        source: null,
        statement_descriptor: null,
        statement_descriptor_suffix: null,
        transfer_group: null,
        status: fields.payment_method ? 'requires_confirmation' : 'requires_payment_method',
        ...fields,
      };
      intents.set(pi.id, pi);
      emit('payment_intent.created', pi, request);
      return pi;
    },

    /**
     * Confirm: a test card either succeeds (charge + events), declines (402 card_error, like Stripe), or needs 3-D
     * Secure (`requires_action` with `next_action`: `redirect_to_url` to `authenticationUrl` when the confirm gave a
     * `return_url`, else `use_stripe_sdk`, which only Stripe.js reads).
     */
    confirmPaymentIntent(
      pi: PaymentIntent,
      paymentMethod: string | undefined,
      request: RequestInfo,
      authentication: { returnUrl?: string; authenticationUrl?: (pi: PaymentIntent) => string } = {},
    ): PaymentIntent {
      if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
        throw invalid(
          `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method.`,
          'payment_intent_unexpected_state',
        );
      }
      const method = paymentMethod ?? pi.payment_method;
      if (!method) {
        throw invalid(
          "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
          'payment_intent_unexpected_state',
        );
      }
      checkPaymentMethod(method);
      pi.payment_method = method;
      if (needsAuthentication(method)) {
        const url = authentication.authenticationUrl?.(pi) ?? `https://hooks.stripe.com/3d_secure_2/hosted/${pi.id}`;
        pi.status = 'requires_action';
        pi.last_payment_error = null;
        pi.next_action = authentication.returnUrl
          ? { type: 'redirect_to_url', redirect_to_url: { url, return_url: authentication.returnUrl } }
          : {
              type: 'use_stripe_sdk',
              // Opaque to servers ("only intended to be used by Stripe.js"); what Stripe.js would open.
              use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: ids.id('src_', 24) },
            };
        emit('payment_intent.requires_action', pi, request);
        return pi;
      }
      const decline = declineOf(method);
      const charge = createCharge(pi, method, decline);
      pi.latest_charge = charge.id;
      if (decline) {
        const docUrl = `https://stripe.com/docs/error-codes/${decline.code.replaceAll('_', '-')}`;
        pi.status = 'requires_payment_method';
        pi.last_payment_error = {
          type: 'card_error',
          code: decline.code,
          decline_code: decline.decline_code,
          charge: charge.id,
          message: decline.message,
          doc_url: docUrl,
          payment_method: { id: method, object: 'payment_method', type: 'card' },
        };
        emit('charge.failed', charge, request);
        emit('payment_intent.payment_failed', pi, request);
        throw new StripeError(402, {
          type: 'card_error',
          code: decline.code,
          decline_code: decline.decline_code,
          message: decline.message,
          charge: charge.id,
          doc_url: docUrl,
          payment_intent: clone(pi),
        });
      }
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      pi.last_payment_error = null;
      // Stripe's own order: the charge event comes first, then the payment intent's.
      emit('charge.succeeded', charge, request);
      emit('payment_intent.succeeded', pi, request);
      return pi;
    },

    /**
     * The customer finishes 3-D Secure (on the mock's authentication page, or `POST
     * /_control/payment_intents/:id/authenticate`): `complete` charges the card (`charge.succeeded`,
     * `payment_intent.succeeded`); `fail` leaves the PaymentIntent in `requires_payment_method` with Stripe's
     * `payment_intent_authentication_failure` (`payment_intent.payment_failed`; no charge is made).
     */
    authenticatePaymentIntent(pi: PaymentIntent, outcome: 'complete' | 'fail', request: RequestInfo): PaymentIntent {
      if (pi.status !== 'requires_action') {
        throw invalid(
          `This PaymentIntent (${pi.id}) has a status of ${pi.status}: only one in requires_action awaits authentication.`,
          'payment_intent_unexpected_state',
        );
      }
      const method = pi.payment_method!;
      pi.next_action = null;
      if (outcome === 'fail') {
        pi.status = 'requires_payment_method';
        pi.payment_method = null;
        pi.last_payment_error = {
          type: 'invalid_request_error',
          code: 'payment_intent_authentication_failure',
          message:
            'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
          doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
          payment_method: { id: method, object: 'payment_method', type: 'card' },
        };
        emit('payment_intent.payment_failed', pi, request);
        return pi;
      }
      const charge = createCharge(pi, method, undefined, {
        authentication_flow: 'challenge',
        electronic_commerce_indicator: '05',
        exemption_indicator: null,
        result: 'authenticated',
        result_reason: null,
        transaction_id: ids.guid(),
        version: '2.2.0',
      });
      pi.latest_charge = charge.id;
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      pi.last_payment_error = null;
      emit('charge.succeeded', charge, request);
      emit('payment_intent.succeeded', pi, request);
      return pi;
    },

    cancelPaymentIntent(pi: PaymentIntent, reason: string | undefined, request: RequestInfo): PaymentIntent {
      if (pi.status === 'succeeded' || pi.status === 'canceled') {
        throw invalid(
          `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
          'payment_intent_unexpected_state',
        );
      }
      pi.status = 'canceled';
      pi.next_action = null;
      pi.canceled_at = now();
      pi.cancellation_reason = reason ?? null;
      emit('payment_intent.canceled', pi, request);
      return pi;
    },

    refund(
      charge: Charge,
      amount: number | undefined,
      fields: { reason: string | null; metadata: Record<string, string> },
      request: RequestInfo,
    ): Refund {
      if (charge.status !== 'succeeded')
        throw invalid(`Charge ${charge.id} has not succeeded, so it cannot be refunded.`, 'charge_not_refundable');
      const remaining = charge.amount - charge.amount_refunded;
      if (remaining <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
      const value = amount ?? remaining;
      if (value <= 0) throw invalid('Invalid positive integer', 'parameter_invalid_integer', 'amount');
      if (value > remaining) {
        throw invalid(
          `Refund amount (${value}) is greater than unrefunded amount on charge (${remaining})`,
          'amount_too_large',
          'amount',
        );
      }
      const refund: Refund = {
        id: ids.id('re_', 24),
        object: 'refund',
        amount: value,
        balance_transaction: ids.id('txn_', 24),
        charge: charge.id,
        created: now(),
        currency: charge.currency,
        destination_details: { type: 'card' },
        metadata: fields.metadata,
        payment_intent: charge.payment_intent,
        reason: fields.reason,
        receipt_number: null,
        source_transfer_reversal: null,
        status: 'succeeded',
        transfer_reversal: null,
        customer: (charge.customer as string | null) ?? null,
        customer_account: null,
        payment_method: charge.payment_method,
      };
      refunds.set(refund.id, refund);
      const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
      charge.amount_refunded += value;
      charge.refunded = charge.amount_refunded === charge.amount;
      emit('charge.refunded', charge, request, previous);
      emit('refund.created', refund, request);
      return refund;
    },

    createEndpoint(
      fields: {
        url: string;
        enabled_events: string[];
        description: string | null;
        metadata: Record<string, string>;
        api_version: string | null;
      },
      secret: string,
    ): WebhookEndpointObject {
      const endpoint: WebhookEndpointObject = {
        id: ids.id('we_', 24),
        object: 'webhook_endpoint',
        application: null,
        created: now(),
        livemode: false,
        status: 'enabled',
        secret,
        ...fields,
      };
      endpoints.set(endpoint.id, endpoint);
      return endpoint;
    },
  };
}

export type StripeStore = ReturnType<typeof createStripeStore>;
