// The storefront's client for the order API of lab 01. Given, ready-made: you test it, you do not change it.
// It reads only what the storefront shows: an order's id, status, total and currency, and how many orders a
// customer has.

export interface OrderView {
  id: string;
  status: string;
  totalCents: number;
  currency: string;
}

/** The order API answered something this client cannot use. */
export class OrderApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function orderApi(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  return {
    /** One order, or null when the API does not know it (404). */
    async getOrder(id: string): Promise<OrderView | null> {
      const res = await call('GET', `/v1/orders/${encodeURIComponent(id)}`);
      if (res.status === 404) return null;
      if (res.status !== 200) throw new OrderApiError(res.status, `GET order answered ${res.status}`);
      return toView(res.json);
    },
    /** A customer's orders (first page) and how many there are in all. */
    async listOrders(customerId: string): Promise<{ orders: OrderView[]; total: number }> {
      const res = await call('GET', `/v1/customers/${encodeURIComponent(customerId)}/orders`);
      if (res.status !== 200) throw new OrderApiError(res.status, `GET orders answered ${res.status}`);
      if (!Array.isArray(res.json?.data)) throw new OrderApiError(res.status, 'the list has no data array');
      const total = res.json.pagination?.total;
      if (typeof total !== 'number') throw new OrderApiError(res.status, 'the list has no pagination.total');
      return { orders: res.json.data.map(toView), total };
    },
    /** Place an order; only 201 Created means it was. */
    async placeOrder(customerId: string, order: { totalCents: number; currency: string }): Promise<OrderView> {
      const res = await call('POST', `/v1/customers/${encodeURIComponent(customerId)}/orders`, {
        total_cents: order.totalCents,
        currency: order.currency,
      });
      if (res.status !== 201) throw new OrderApiError(res.status, `POST order answered ${res.status}`);
      return toView(res.json);
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a reply is checked field by field here
function toView(o: any): OrderView {
  const ok =
    typeof o?.id === 'string' &&
    typeof o.status === 'string' &&
    Number.isInteger(o.total_cents) &&
    typeof o.currency === 'string';
  if (!ok) throw new OrderApiError(200, `not an order: ${JSON.stringify(o)}`);
  return { id: o.id, status: o.status, totalCents: o.total_cents, currency: o.currency };
}
