import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadMutants, materializeMutant, type Mutant } from './mutants.ts';
import { checkRulesTable, collectGradedTests, firstLines, judgeMutant, readmeProblems } from './rules.ts';
import { runLab } from './runner.ts';
import type { LabSpec, SubmissionResult } from './types.ts';

/** The teeth of a lab: the solution scores 100 %, the starter scores low, every mutant loses points where it says. */
export const STARTER_MAX_SHARE = 0.3;

export interface MutantVerdict {
  mutant: Mutant;
  result: SubmissionResult;
  /** Caught where it should be: by a test of its rule (rules table), or by every test it names (`catches`). */
  caught: boolean;
  /** The failed tests that caught it. */
  caughtBy: string[];
  /** Rules table only: failed tests of other rules that its `collateral` does not excuse. */
  unfair: { test: string; rule: string }[];
  problems: string[];
  /**
   * Set when the first run failed tests of other rules and a second run of the same mutant did not: what those tests
   * said the first time. A mistake in the tests' logic fails them every time; a stall of a busy machine does not.
   */
  regraded?: string[];
}

export interface LabProof {
  lab: LabSpec;
  solution: SubmissionResult;
  /** Other correct solutions (`solution-<how>/`, e.g. one built on a library): each must score 100 % too. */
  alternatives: SubmissionResult[];
  starter: SubmissionResult;
  mutants: MutantVerdict[];
  ok: boolean;
  problems: string[];
}

/** Labs without a rules table: the mutant must fail every test it names. */
function judgeByCatches(mutant: Mutant, result: SubmissionResult): Omit<MutantVerdict, 'mutant' | 'result'> {
  const byName = new Map(result.tests.map((t) => [t.name, t]));
  const catches = mutant.catches ?? [];
  const unknown = catches.filter((name) => !byName.has(name));
  const escaped = catches.filter((name) => byName.get(name)?.status === 'passed');
  const problems: string[] = [];
  if (unknown.length) problems.push(`mutant ${mutant.slug} names tests that do not exist: ${unknown.join('; ')}`);
  if (escaped.length) problems.push(`mutant ${mutant.slug} was not caught by: ${escaped.join('; ')}`);
  const caught = unknown.length === 0 && escaped.length === 0 && result.score < result.maxScore;
  return { caught, caughtBy: catches.filter((name) => byName.get(name)?.status === 'failed'), unfair: [], problems };
}

export interface ProveOptions {
  onStep?: (what: string) => void;
  /** Runs graded at the same time (solution, starter and mutants), broker labs too: the course's own code keeps to its prefix. */
  jobs?: number;
  /** Only these mutants (slugs); the solution and the starter are always graded. */
  only?: string[];
}

/** `LAB_PROOF_JOBS` (default 2): how many runs a proof grades at once. Most lab time is waiting, not computing. */
export function proofJobs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.LAB_PROOF_JOBS ?? 2);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 8) : 2;
}

export async function proveLab(lab: LabSpec, { onStep, jobs = 1, only }: ProveOptions = {}): Promise<LabProof> {
  const all = ['public', 'hidden'] as const;
  const problems: string[] = [];
  const every = loadMutants(lab);
  let list = every;
  if (only?.length) {
    const unknown = only.filter((slug) => !list.some((m) => m.slug === slug));
    if (unknown.length)
      throw new Error(
        `no mutant named ${unknown.join(', ')} in ${lab.id} (there are: ${list.map((m) => m.slug).join(', ')})`,
      );
    list = list.filter((m) => only.includes(m.slug));
  }
  // The rules table first: a test or mutant without its rule is found in seconds, before anything runs.
  onStep?.('rules table');
  const tests = await collectGradedTests(lab);
  // The table is judged whole (every mutant), even when only some mutants run.
  problems.push(...checkRulesTable(lab, tests, every), ...readmeProblems(lab, tests));
  // No fallback to one run at a time on a broker without a boundary per run (Kafka; RabbitMQ without its management
  // API), unlike `lab grade`: a proof grades the course's own code (solution, starter, mutants), which keeps to its
  // NAME_PREFIX, as the class test does with --shared-brokers. (Kafka labs' proofs went one run at a time before:
  // lab 08's took 419 s, 279 s now. At 4 at a time its crash and speed tests blurred on 2 busy cores: a mutant escaped.)

  const gradeMutant = async (mutant: Mutant): Promise<MutantVerdict> => {
    onStep?.(`mutant ${mutant.slug}`);
    const dir = materializeMutant(lab, mutant);
    try {
      const run = async () => {
        const result = await runLab({ lab, targetDir: dir, visibility: [...all], name: `mutant:${mutant.slug}` });
        return { result, ...(lab.rules ? judgeMutant(mutant, result, tests) : judgeByCatches(mutant, result)) };
      };
      const first = await run();
      if (!first.unfair.length) return { mutant, ...first };
      // Tests of other rules failed: graded once more, to tell the tests' logic (it fails them again) from a stall of
      // the machine (it does not). The second verdict counts; a stall is reported, never hidden.
      onStep?.(`mutant ${mutant.slug} again (tests of other rules failed)`);
      const second = await run();
      if (second.unfair.length) return { mutant, ...second };
      const said = new Map(first.result.tests.map((t) => [t.name, t.message ?? '']));
      return {
        mutant,
        ...second,
        regraded: first.unfair.map((u) => `${u.test} (${u.rule}): ${firstLines(said.get(u.test))}`),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const grade = (name: 'solution' | 'starter') => async () => {
    onStep?.(name);
    return runLab({ lab, targetDir: join(lab.dir, name), visibility: [...all], name });
  };
  // The solution alone first (its time is the lab's grading figure, unloaded), then `jobs` workers on the rest.
  const first = await grade('solution')();
  // A second solution written another way (solution-<how>/) proves the tests judge behaviour, not one shape of code.
  const others = readdirSync(lab.dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^solution-[\w-]+$/.test(d.name))
    .map((d) => d.name);
  const gradeOther = (name: string) => async () => {
    onStep?.(name);
    return runLab({ lab, targetDir: join(lab.dir, name), visibility: [...all], name });
  };
  const tasks: (() => Promise<unknown>)[] = [
    async () => first,
    grade('starter'),
    ...others.map(gradeOther),
    ...list.map((m) => () => gradeMutant(m)),
  ];
  const results: unknown[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tasks.length)) }, worker));
  const solution = results[0] as SubmissionResult;
  const starter = results[1] as SubmissionResult;
  const alternatives = results.slice(2, 2 + others.length) as SubmissionResult[];
  const mutants = results.slice(2 + others.length) as MutantVerdict[];
  for (const alt of alternatives) {
    if (alt.score !== alt.maxScore) {
      const failed = alt.tests.filter((t) => t.status === 'failed').map((t) => `"${t.name}"`);
      problems.push(
        `${alt.submission} scores ${alt.score}/${alt.maxScore} (a correct solution written another way must score 100 %); failing: ${failed.join('; ')} ${alt.problems.join('; ')}`,
      );
    }
  }

  if (solution.maxScore === 0) problems.push('no graded tests were found');
  if (solution.score !== solution.maxScore) {
    const failed = solution.tests
      .filter((t) => t.status === 'failed')
      .map((t) => `"${t.name}": ${t.message?.split('\n')[0]}`);
    problems.push(
      `solution scores ${solution.score}/${solution.maxScore}; failing: ${failed.join('; ')} ${solution.problems.join('; ')}`,
    );
  }
  if (starter.score > STARTER_MAX_SHARE * starter.maxScore) {
    problems.push(`starter scores ${starter.score}/${starter.maxScore}, more than ${STARTER_MAX_SHARE * 100} %`);
  }
  if (!only?.length && list.length < 3) problems.push(`only ${list.length} mutants (at least 3 are required)`);
  for (const verdict of mutants) problems.push(...verdict.problems);
  return { lab, solution, starter, alternatives, mutants, ok: problems.length === 0, problems };
}
