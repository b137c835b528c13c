// The provider verification written another way: state handlers with setup and teardown, the store emptied after
// each interaction instead of before.
import { describe, it } from 'node:test';
import { Verifier } from '@pact-foundation/pact';
import { type Order, startOrderApi, store } from './order-api.ts';

const put = (order: Partial<Order> & Pick<Order, 'id' | 'customer_id' | 'status'>) => {
  store.customers.add(order.customer_id);
  store.orders.set(order.id, {
    total_cents: 100,
    currency: 'eur',
    note: null,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    ...order,
  });
};
const empty = async () => {
  store.customers.clear();
  store.orders.clear();
};

describe('the order API as a provider', () => {
  it('satisfies the warehouse', async () => {
    const api = await startOrderApi();
    try {
      await new Verifier({
        provider: 'order-api',
        providerBaseUrl: api.url,
        pactUrls: [`${import.meta.dirname}/warehouse-order-api.json`],
        stateHandlers: {
          'order ord_7 is paid': { setup: async () => put({ id: 'ord_7', customer_id: 'cus_3', status: 'paid' }), teardown: empty },
          'customer cus_3 has orders': {
            setup: async () => put({ id: 'ord_1', customer_id: 'cus_3', status: 'shipped' }),
            teardown: empty,
          },
        },
        logLevel: 'error',
      }).verifyProvider();
    } finally {
      await api.close();
    }
  });
});
