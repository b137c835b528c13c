// Lesson 09: the order service's verification of the shipping service's pact.
// Run after the consumer test: node lessons/examples/09-integration-in-practice/provider.pact.test.ts
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ServerType, serve } from '@hono/node-server';
import { Verifier } from '@pact-foundation/pact';
import { app, orders } from './order-service.ts';
import { stateHandlers } from './provider-states.ts';

// #region provider
let server: ServerType;
let baseUrl: string;

before(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      baseUrl = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
after(() => {
  server.close();
});

test('the order service satisfies the shipping-service pact', async () => {
  await new Verifier({
    provider: 'order-service',
    providerBaseUrl: baseUrl,
    pactUrls: [join(process.env.PACT_DIR ?? join(import.meta.dirname, 'pacts'), 'shipping-service-order-service.json')],
    stateHandlers,
    beforeEach: async () => orders.clear(), // every interaction starts from an empty store
    logLevel: 'warn',
  }).verifyProvider();
});
// #endregion provider
