// Lesson 09's Pact example, run as the lesson says (`node <file>`): the consumer test writes the pact, the provider's
// verification passes, and the change the lesson makes (status renamed to state) fails it, naming the key. Pact's
// mock server and the verifier need ports: everything here listens on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { Verifier } from '@pact-foundation/pact';
import { Hono } from 'hono';
import { afterAll, describe, expect, test } from 'vitest';
import { orders } from '../../lessons/examples/09-integration-in-practice/order-service.ts';
import { stateHandlers } from '../../lessons/examples/09-integration-in-practice/provider-states.ts';
import { repoRoot } from '../../cli/paths.ts';

const examples = join(repoRoot, 'lessons/examples/09-integration-in-practice');
const pactDir = mkdtempSync(join(tmpdir(), 'lesson-pact-'));
afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

const runNode = (file: string) =>
  spawnSync(process.execPath, [join(examples, file)], {
    env: { ...process.env, PACT_DIR: pactDir, PACT_DO_NOT_TRACK: 'true' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('lesson 09: a consumer contract with Pact', { timeout: 90_000 }, () => {
  test('the consumer test passes and writes the pact with its matching rules', () => {
    const run = runNode('consumer.pact.test.ts');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const pact = JSON.parse(readFileSync(join(pactDir, 'shipping-service-order-service.json'), 'utf8'));
    expect(pact.consumer.name).toBe('shipping-service');
    const found = pact.interactions.find(
      (i: { description: string }) => i.description === 'a request for order 7f3a9c',
    );
    expect(found.providerStates).toEqual([{ name: 'order 7f3a9c exists' }]);
    expect(found.response.matchingRules.body['$.status'].matchers).toEqual([
      { match: 'regex', regex: '^(pending|paid|shipped|cancelled)$' },
    ]);
  });

  test('the provider verification passes against the order service', () => {
    const run = runNode('provider.pact.test.ts');
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  test('it fails once the order service renames status to state, naming the missing key', async () => {
    const renamed = new Hono().get('/orders/:id', (c) => {
      const order = orders.get(c.req.param('id'));
      if (!order) return c.json({}, 404);
      const { status, ...rest } = order;
      return c.json({ ...rest, state: status });
    });
    let server: ServerType | undefined;
    const baseUrl = await new Promise<string>((resolve) => {
      server = serve({ fetch: renamed.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
    });
    try {
      const verification = new Verifier({
        provider: 'order-service',
        providerBaseUrl: baseUrl,
        pactUrls: [join(pactDir, 'shipping-service-order-service.json')],
        stateHandlers,
        beforeEach: async () => orders.clear(),
        logLevel: 'error',
      }).verifyProvider();
      await expect(verification).rejects.toThrow(/missing the following keys: status/);
    } finally {
      server?.close();
    }
  });
});
