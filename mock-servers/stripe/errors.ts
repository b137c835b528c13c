/** Stripe's error body: `{ error: { type, code?, message, param?, … } }`. */
export interface StripeErrorBody {
  type:
    | 'invalid_request_error'
    | 'card_error'
    | 'idempotency_error'
    | 'api_error'
    | 'authentication_error'
    | 'rate_limit_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
}

/** Thrown anywhere in a Stripe route; the app turns it into Stripe's error response. */
export class StripeError extends Error {
  readonly status: 400 | 401 | 402 | 404 | 409 | 413 | 415;
  readonly body: StripeErrorBody;
  constructor(status: StripeError['status'], body: StripeErrorBody) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

const docs = (code: string) => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;

export const invalid = (
  message: string,
  code?: string,
  param?: string,
  status: StripeError['status'] = 400,
): StripeError =>
  new StripeError(status, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docs(code) } : {}),
    ...(param ? { param } : {}),
  });

export const missingParam = (param: string) => invalid(`Missing required param: ${param}.`, 'parameter_missing', param);
export const unknownParam = (param: string) =>
  invalid(`Received unknown parameter: ${param}`, 'parameter_unknown', param);
export const noSuch = (kind: string, id: string, param = 'id') =>
  invalid(`No such ${kind}: '${id}'`, 'resource_missing', param, 404);
