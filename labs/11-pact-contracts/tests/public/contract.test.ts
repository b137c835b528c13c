import { beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import { type ProviderRuns, runProviderVerification } from '../order-api-variants.ts';
import { BREAKING, COMPATIBLE, type Variant } from '../provider.ts';
import { checkContract, type Contract, outputTail, soundPact, verify } from '../support.ts';

// Part 1 grades the student's consumer contract (contract.test.ts), part 2 their provider verification
// (provider.test.ts); both suites run at once, before the first test.
let contract: Contract;
let sound: string | undefined;
let part2: ProviderRuns;
beforeAll(async () => {
  [contract, part2] = await Promise.all([checkContract(), runProviderVerification()]);
  sound = soundPact(contract);
}, 60_000);

graded(
  'the consumer tests pass and write a pact',
  {
    rule: 'pact-written',
    points: 1,
    hint: 'Run node contract.test.ts in your folder: every test must pass, and new PactV4({ dir }) must point at process.env.OUTPUT_DIR.',
  },
  () => {
    const { suite } = contract;
    const how = suite.timedOut ? 'was stopped at the time limit' : `exited with ${suite.code ?? suite.signal}`;
    expect(suite.passed, `node contract.test.ts ${how}; its last output:\n${outputTail(contract.suite.output)}`).toBe(
      true,
    );
    expect(contract.interactions.length, `no pact with interactions was written into OUTPUT_DIR`).toBeGreaterThan(0);
  },
);

graded(
  'the pact is between storefront and order-api',
  {
    rule: 'pact-written',
    points: 1,
    hint: 'The consumer is named storefront and the provider order-api: the provider team finds its pacts by those names.',
  },
  () => {
    const names = contract.pacts.map(({ pact }) => `${pact.consumer?.name} → ${pact.provider?.name}`);
    expect(names.length, 'pacts written').toBeGreaterThan(0);
    expect(names, 'consumer → provider of each pact written').toEqual(names.map(() => 'storefront → order-api'));
  },
);

graded(
  'the pact verifies against the reference order API',
  {
    rule: 'no-false-alarm',
    points: 2,
    hint: 'Each given(…) must be one of the README’s provider states, with the ids your request uses; expect only what the order API really answers.',
  },
  () => {
    expect(contract.interactions.length, 'interactions in the pact').toBeGreaterThan(0);
    const [first, ...more] = contract.falseAlarms;
    if (first) {
      const others = more.length ? ` (and ${more.length} more interaction${more.length > 1 ? 's' : ''})` : '';
      expect.fail(
        `the correct provider fails ${first.why.split('\n')[0]}${others}\n${contract.falseAlarms.map((a) => a.why).join('\n')}`,
      );
    }
  },
);

const breakingHints: Record<keyof typeof BREAKING, string> = {
  'total-renamed': 'Does an interaction the storefront relies on expect total_cents in the body?',
  'total-as-string': 'Match total_cents by type as an integer: a string must not pass.',
  'currency-dropped': 'The storefront shows the currency: the pact must expect it.',
  'created-answers-200': 'Is placing an order (POST) one of your interactions, with the status the client checks?',
  'list-became-object': 'Is listing a customer’s orders one of your interactions, with data matched as an array?',
  'unknown-order-410': 'The client turns a 404 into null: is an unknown order one of your interactions?',
};
for (const [variant, change] of Object.entries(BREAKING) as [keyof typeof BREAKING, string][]) {
  graded(
    `it fails when the provider ${change}`,
    { rule: 'catches-breaking', points: 2, hint: breakingHints[variant] },
    async () => {
      expect(sound, 'interactions that verify against the reference provider (none: nothing to judge)').toBeDefined();
      const failed = await verify(sound!, variant as Variant);
      if (failed === undefined) expect.fail(`your pact still passes when the provider ${change}`);
    },
  );
}

const compatibleHints: Record<keyof typeof COMPATIBLE, string> = {
  'extra-fields': 'Expect the fields the client reads; a provider may add others.',
  'other-values': 'Use matchers (like, integer, eachLike, regex) instead of exact values and fixed list lengths.',
  'unread-fields-dropped': 'Leave out of the pact every field the client never reads (see client.ts).',
};
for (const [variant, change] of Object.entries(COMPATIBLE) as [keyof typeof COMPATIBLE, string][]) {
  graded(
    `it still passes when the provider ${change}`,
    { rule: 'tolerates-compatible', points: 2, hint: compatibleHints[variant] },
    async () => {
      const withBody = contract.sound.filter((s) => s.interaction.response?.body !== undefined);
      // A pact with no sound interaction that expects a body proves nothing about tolerance.
      expect(withBody.length, 'sound interactions that expect a response body').toBeGreaterThan(0);
      const failed = await verify(sound!, variant as Variant);
      if (failed !== undefined) expect.fail(`your pact fails when the provider ${change}: ${failed}`);
    },
  );
}

graded(
  'part 2: the provider verification replays the warehouse’s pact and passes against the order API',
  {
    rule: 'provider-verified',
    points: 3,
    hint: 'Run node provider.test.ts: each provider state of warehouse-order-api.json needs a handler that puts exactly that into store.',
  },
  () => {
    if (part2.missing(part2.good).length)
      expect.fail(
        `the order API never got ${part2.missing(part2.good).join(', ')}; node provider.test.ts printed:\n${outputTail(part2.good.output)}`,
      );
    const how = part2.good.timedOut
      ? 'was stopped at the time limit'
      : `exited with ${part2.good.code ?? part2.good.signal}`;
    if (!part2.good.passed)
      expect.fail(`node provider.test.ts ${how}; its last output:\n${outputTail(part2.good.output)}`);
  },
);

graded(
  'part 2: the provider verification fails when the order API breaks the pact',
  {
    rule: 'provider-catches',
    points: 3,
    hint: 'A failed verification must fail the test: await verifyProvider() and let its error through.',
  },
  () => {
    if (part2.missing(part2.broken).length)
      expect.fail(
        `the order API never got ${part2.missing(part2.broken).join(', ')}; node provider.test.ts printed:\n${outputTail(part2.broken.output)}`,
      );
    if (part2.broken.passed)
      expect.fail('node provider.test.ts still passes when a PATCH no longer changes the status');
  },
);
