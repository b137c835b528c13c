// Part 2, the provider side: verify the warehouse's pact against the order API. Run: node provider.test.ts
import { after, before, test } from 'node:test';
import { Verifier } from '@pact-foundation/pact';
import { type Order, startOrderApi, store } from './order-api.ts';

let api: Awaited<ReturnType<typeof startOrderApi>>;
before(async () => {
  api = await startOrderApi();
});
after(async () => {
  await api.close();
});

const anOrder = (id: string, customerId: string, status: Order['status']): Order => ({
  id,
  customer_id: customerId,
  status,
  total_cents: 4999,
  currency: 'eur',
  note: null,
  created_at: '2026-11-23T10:00:00.000Z',
  updated_at: '2026-11-23T10:00:00.000Z',
});

const stateHandlers = {
  'order ord_7 is paid': async () => {
    store.customers.add('cus_3');
    store.orders.set('ord_7', anOrder('ord_7', 'cus_3', 'paid'));
  },
  'customer cus_3 has orders': async () => {
    store.customers.add('cus_3');
    store.orders.set('ord_7', anOrder('ord_7', 'cus_3', 'paid'));
    store.orders.set('ord_8', anOrder('ord_8', 'cus_3', 'pending'));
  },
};

test('the order API honours the warehouse’s pact', async () => {
  await new Verifier({
    provider: 'order-api',
    providerBaseUrl: api.url,
    pactUrls: [new URL('./warehouse-order-api.json', import.meta.url).pathname],
    stateHandlers,
    // Every interaction starts from an empty store: no state leaks from one into the next.
    beforeEach: async () => {
      store.customers.clear();
      store.orders.clear();
    },
    logLevel: 'warn',
  }).verifyProvider();
});
