// Grading a consumer contract: run the student's suite (in the sandbox) and verify the pact it wrote against the
// provider variants of provider.ts with Pact's Verifier. Each interaction is first verified alone against the
// reference provider: the ones that pass there (the sound ones) are what the variants are judged with, so a single
// false alarm costs the no-false-alarm rule only, never the catches of the other interactions.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { runSuite, type SuiteRun } from '#testkit';
import { type Change, startProvider, type Variant } from './provider.ts';

export interface Interaction {
  description: string;
  providerStates?: { name: string; params?: unknown }[];
  response?: { status?: number; body?: unknown };
  [key: string]: unknown;
}

interface PactFile {
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: Interaction[];
  [key: string]: unknown;
}

export interface Contract {
  suite: SuiteRun;
  /** The pacts the suite wrote (file name and content). */
  pacts: { file: string; pact: PactFile }[];
  /** Every interaction of every pact, with the pact it came from. */
  interactions: { pact: PactFile; interaction: Interaction }[];
  /** Interactions that verify alone against the reference provider. */
  sound: { pact: PactFile; interaction: Interaction }[];
  /** Interactions that fail against the reference provider, with what Pact said. */
  falseAlarms: { description: string; why: string }[];
}

const MAX_INTERACTIONS = 30;
// Pact reports usage to its makers unless told not to; grading stays on this machine.
process.env.PACT_DO_NOT_TRACK = 'true';

const scratch = () => mkdtempSync(join(tmpdir(), 'pact-check-'));

/** Write one pact holding `interactions` (they keep their pact's consumer, provider and metadata). */
function pactWith(interactions: { pact: PactFile; interaction: Interaction }[]): string {
  const first = interactions[0]!.pact;
  const file = join(scratch(), 'pact.json');
  writeFileSync(file, JSON.stringify({ ...first, interactions: interactions.map((i) => i.interaction) }));
  return file;
}

/** Verify a pact file against one provider variant: undefined when it passed, else what failed, in short. */
export async function verify(pactFile: string, variant: Variant, change?: Change): Promise<string | undefined> {
  const provider = await startProvider(variant, change);
  try {
    await new Verifier({
      provider: 'order-api',
      providerBaseUrl: provider.url,
      pactUrls: [pactFile],
      stateHandlers: provider.stateHandlers,
      beforeEach: async () => provider.reset(),
      logLevel: 'error',
    }).verifyProvider();
    return undefined;
  } catch (error) {
    return mismatches(error);
  } finally {
    await provider.close();
  }
}

/** Pact's verification error in a few lines: each failing interaction and its first mismatches. */
function mismatches(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(text.slice(text.indexOf('{'))) as {
      errors?: {
        interaction?: string;
        mismatch?: { mismatches?: { mismatch?: string; type?: string }[]; message?: string };
      }[];
    };
    return (parsed.errors ?? [])
      .map((e) => {
        // The status first: a wrong status explains every body mismatch after it.
        const what = (e.mismatch?.mismatches ?? [])
          .toSorted((x, y) => Number(y.type === 'StatusMismatch') - Number(x.type === 'StatusMismatch'))
          .map((m) => m.mismatch)
          .filter(Boolean);
        const name = (e.interaction ?? '').replace(/^Verifying a pact between \S+ and \S+ (- )?/, '');
        return `${name}: ${(what.length ? what : [e.mismatch?.message ?? 'failed']).slice(0, 2).join('; ')}`;
      })
      .join('\n');
  } catch {
    return text.slice(0, 600);
  }
}

/** Run the student's suite and sort the interactions of what it wrote into sound ones and false alarms. */
export async function checkContract(): Promise<Contract> {
  const suite = await runSuite();
  const pacts = readdirSync(suite.outputDir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      try {
        return [{ file, pact: JSON.parse(readFileSync(join(suite.outputDir, file), 'utf8')) as PactFile }];
      } catch {
        return [];
      }
    });
  const interactions = pacts.flatMap(({ pact }) =>
    (pact.interactions ?? []).map((interaction) => ({ pact, interaction })),
  );
  const sound: Contract['sound'] = [];
  const falseAlarms: Contract['falseAlarms'] = [];
  // Each interaction costs a verification (~0.1 s); the storefront makes a handful of calls.
  if (interactions.length > MAX_INTERACTIONS) {
    falseAlarms.push({
      description: 'the pact',
      why: `the pact holds ${interactions.length} interactions; only the first ${MAX_INTERACTIONS} are graded`,
    });
    interactions.length = MAX_INTERACTIONS;
  }
  for (const one of interactions) {
    const why = await verify(pactWith([one]), 'reference');
    if (why === undefined) sound.push(one);
    else falseAlarms.push({ description: one.interaction.description, why });
  }
  return { suite, pacts, interactions, sound, falseAlarms };
}

/** A pact file of the sound interactions (undefined when there are none). */
export function soundPact(contract: Contract): string | undefined {
  return contract.sound.length ? pactWith(contract.sound) : undefined;
}

/** Node's and Pact's notices every run prints (the addon grant, telemetry, deprecations): not the student's output. */
const NOISE = [
  /SecurityWarning|DeprecationWarning|--trace-warnings|--trace-deprecation/,
  /tracking events anonymously/,
  /^Please note:$/,
  /pact_matching::metrics/,
];

/** The last lines a suite printed, without the notices every run prints, for a failure message. */
export function outputTail(output: string, lines = 15): string {
  const kept = output
    .trimEnd()
    .split('\n')
    .filter((line) => !NOISE.some((n) => n.test(line)));
  return kept.slice(-lines).join('\n');
}
