// Lesson 09: the shipping service's consumer test. Run: node lessons/examples/09-integration-in-practice/consumer.pact.test.ts
// It writes pacts/shipping-service-order-service.json next to this file (or into PACT_DIR).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { getOrder } from './order-client.ts';

// #region consumer
const { like, regex, integer, string } = MatchersV3;

const pact = new PactV4({
  consumer: 'shipping-service',
  provider: 'order-service',
  dir: process.env.PACT_DIR ?? join(import.meta.dirname, 'pacts'), // the contract file is written here
  logLevel: 'warn',
});

test('returns an existing order', async () => {
  await pact
    .addInteraction()
    .given('order 7f3a9c exists')
    .uponReceiving('a request for order 7f3a9c')
    .withRequest('GET', '/orders/7f3a9c', (req) => {
      req.headers({ Accept: 'application/json' });
    })
    .willRespondWith(200, (res) => {
      res.headers({ 'Content-Type': regex(/^application\/json/, 'application/json') });
      res.jsonBody({
        id: string('7f3a9c'),
        status: regex(/^(pending|paid|shipped|cancelled)$/, 'paid'),
        total: { amount: integer(4999), currency: string('EUR') },
        shippingAddress: like({ city: 'Kyiv', postcode: '01001' }),
      });
    })
    .executeTest(async (mockServer) => {
      const order = await getOrder(mockServer.url, '7f3a9c');
      assert.equal(order?.status, 'paid');
    });
});

test('returns null for an unknown order', async () => {
  await pact
    .addInteraction()
    .given('order nope does not exist')
    .uponReceiving('a request for an unknown order')
    .withRequest('GET', '/orders/nope')
    .willRespondWith(404)
    .executeTest(async (mockServer) => {
      assert.equal(await getOrder(mockServer.url, 'nope'), null);
    });
});
// #endregion consumer
