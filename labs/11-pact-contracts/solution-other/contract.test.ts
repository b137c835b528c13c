// The same contract written another way: describe/it, one pact per call, string() and like() for every value,
// other example ids (with the matching provider-state parameters).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { orderApi } from './client.ts';

const { atLeastOneLike, like, string } = MatchersV3;

const newPact = () =>
  new PactV4({ consumer: 'storefront', provider: 'order-api', dir: process.env.OUTPUT_DIR ?? 'pacts', logLevel: 'error' });

const order = (id: string, status: string) => ({
  id: string(id),
  status: string(status),
  total_cents: like(1250),
  currency: string('usd'),
});

describe('the storefront, as a consumer of the order API', () => {
  it('shows one order', async () => {
    await newPact()
      .addInteraction()
      .given('an order exists', { id: 'ord_42' })
      .uponReceiving('GET an order')
      .withRequest('GET', '/v1/orders/ord_42')
      .willRespondWith(200, (res) => res.jsonBody(order('ord_42', 'shipped')))
      .executeTest(async ({ url }) => {
        assert.deepEqual(await orderApi(url).getOrder('ord_42'), {
          id: 'ord_42',
          status: 'shipped',
          totalCents: 1250,
          currency: 'usd',
        });
      });
  });

  it('shows nothing for an order the API does not know', async () => {
    await newPact()
      .addInteraction()
      .uponReceiving('GET an unknown order')
      .withRequest('GET', '/v1/orders/ord_nobody')
      .willRespondWith(404)
      .executeTest(async ({ url }) => {
        assert.equal(await orderApi(url).getOrder('ord_nobody'), null);
      });
  });

  it('lists what a customer ordered', async () => {
    await newPact()
      .addInteraction()
      .given('a customer with orders exists', { customer_id: 'cus_9' })
      .uponReceiving('GET a customer’s orders')
      .withRequest('GET', '/v1/customers/cus_9/orders')
      .willRespondWith(200, (res) =>
        res.jsonBody({ data: atLeastOneLike(order('ord_1', 'paid'), 2), pagination: { total: like(2) } }),
      )
      .executeTest(async ({ url }) => {
        const list = await orderApi(url).listOrders('cus_9');
        assert.equal(list.orders.length, 2);
        assert.equal(list.total, 2);
      });
  });

  it('places an order', async () => {
    await newPact()
      .addInteraction()
      .given('a customer exists', { customer_id: 'cus_9' })
      .uponReceiving('POST an order')
      .withRequest('POST', '/v1/customers/cus_9/orders', (req) => req.jsonBody({ total_cents: 1250, currency: 'usd' }))
      .willRespondWith(201, (res) => res.jsonBody(order('ord_new', 'pending')))
      .executeTest(async ({ url }) => {
        const placed = await orderApi(url).placeOrder('cus_9', { totalCents: 1250, currency: 'usd' });
        assert.equal(placed.status, 'pending');
      });
  });
});
