// Consumer contract tests: the storefront (consumer) and the order API (provider). Run: node contract.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { orderApi } from './client.ts';

// The matchers you will need: like (same type), integer, regex, eachLike (an array of items like this one).
const { eachLike, integer, like, regex } = MatchersV3;
void [eachLike, integer, like, regex];

const pact = new PactV4({
  consumer: 'storefront',
  provider: 'order-api',
  dir: process.env.OUTPUT_DIR ?? 'pacts', // the grader reads the pact from OUTPUT_DIR
  logLevel: 'warn',
});

// Done for you: the shape of every interaction. This one needs no provider state: the order API knows no orders.
test('an unknown order is null', async () => {
  await pact
    .addInteraction()
    .uponReceiving('a request for an order that does not exist')
    .withRequest('GET', '/v1/orders/ord_missing')
    .willRespondWith(404)
    .executeTest(async (server) => {
      assert.equal(await orderApi(server.url).getOrder('ord_missing'), null);
    });
});

// TODO 1: getOrder('ord_1') reads one order. Provider state "an order exists" with { id: 'ord_1' }; expect 200 and
//         the fields the client reads (see client.ts), matched by type, not by value.
test.todo('reads one order');

// TODO 2: listOrders('cus_1'). Provider state "a customer with orders exists" with { customer_id: 'cus_1' }; the list's
//         data is an array of orders of any length, and the client reads pagination.total.
test.todo('lists a customer’s orders');

// TODO 3: placeOrder('cus_1', …). Provider state "a customer exists" with { customer_id: 'cus_1' }; the client sends
//         total_cents and currency and accepts only 201 with the new order.
test.todo('places an order');
