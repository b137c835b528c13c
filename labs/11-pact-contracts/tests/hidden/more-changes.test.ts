import { beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import type { Change } from '../provider.ts';
import { checkContract, soundPact, verify } from '../support.ts';

// More breaking changes of the same kinds as the public ones, on the reference provider: fields the storefront reads,
// renamed, retyped, dropped. Described here, not in provider.ts, which students see.
let sound: string | undefined;
beforeAll(async () => {
  sound = soundPact(await checkContract());
}, 60_000);

const changes: { says: string; change: Change; hint: string }[] = [
  {
    says: 'renames status to state',
    change: {
      order: (o) => {
        o.state = o.status;
        delete o.status;
      },
    },
    hint: 'The storefront shows each order’s status: is it in every order your pact expects?',
  },
  {
    says: 'sends order ids as numbers',
    change: {
      order: (o) => {
        o.id = Number(String(o.id).replace(/\D/g, '')) || 1;
      },
    },
    hint: 'Match the id by type with an example that is a string, like the API’s ids.',
  },
  {
    says: 'stops sending pagination.total',
    change: {
      pagination: (p) => {
        delete p.total;
      },
    },
    hint: 'The client reads pagination.total of the list: does your pact expect it?',
  },
];
for (const { says, change, hint } of changes) {
  graded(`it fails when the provider ${says}`, { rule: 'catches-breaking', points: 1, hint }, async () => {
    expect(sound, 'interactions that verify against the reference provider (none: nothing to judge)').toBeDefined();
    const failed = await verify(sound!, 'reference', change);
    if (failed === undefined) expect.fail(`your pact still passes when the provider ${says}`);
  });
}
