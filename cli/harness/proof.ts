import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadMutants, materializeMutant, type Mutant } from './mutants.ts';
import { runLab } from './runner.ts';
import type { LabSpec, SubmissionResult } from './types.ts';

/** The teeth of a lab: the solution scores 100 %, the starter scores low, every mutant loses points where it says. */
export const STARTER_MAX_SHARE = 0.3;

export interface MutantVerdict {
  mutant: Mutant;
  result: SubmissionResult;
  /** Named tests that still passed (each one is a test without teeth for this bug). */
  escaped: string[];
  /** Names in `catches` that match no test at all (a typo or a renamed test). */
  unknown: string[];
  caught: boolean;
}

export interface LabProof {
  lab: LabSpec;
  solution: SubmissionResult;
  starter: SubmissionResult;
  mutants: MutantVerdict[];
  ok: boolean;
  problems: string[];
}

export async function proveLab(lab: LabSpec, { onStep }: { onStep?: (what: string) => void } = {}): Promise<LabProof> {
  const all = ['public', 'hidden'] as const;
  onStep?.('solution');
  const solution = await runLab({ lab, targetDir: join(lab.dir, 'solution'), visibility: [...all], name: 'solution' });
  onStep?.('starter');
  const starter = await runLab({ lab, targetDir: join(lab.dir, 'starter'), visibility: [...all], name: 'starter' });
  const problems: string[] = [];
  if (solution.maxScore === 0) problems.push('no graded tests were found');
  if (solution.score !== solution.maxScore) {
    const failed = solution.tests.filter((t) => t.status === 'failed').map((t) => `"${t.name}": ${t.message?.split('\n')[0]}`);
    problems.push(`solution scores ${solution.score}/${solution.maxScore}; failing: ${failed.join('; ')} ${solution.problems.join('; ')}`);
  }
  if (starter.score > STARTER_MAX_SHARE * starter.maxScore) {
    problems.push(`starter scores ${starter.score}/${starter.maxScore}, more than ${STARTER_MAX_SHARE * 100} %`);
  }
  const mutants: MutantVerdict[] = [];
  const list = loadMutants(lab);
  if (list.length < 3) problems.push(`only ${list.length} mutants (at least 3 are required)`);
  for (const mutant of list) {
    onStep?.(`mutant ${mutant.slug}`);
    const dir = materializeMutant(lab, mutant);
    try {
      const result = await runLab({ lab, targetDir: dir, visibility: [...all], name: `mutant:${mutant.slug}` });
      const byName = new Map(result.tests.map((t) => [t.name, t]));
      const unknown = mutant.catches.filter((name) => !byName.has(name));
      const escaped = mutant.catches.filter((name) => byName.get(name)?.status === 'passed');
      const caught = unknown.length === 0 && escaped.length === 0 && result.score < result.maxScore;
      if (unknown.length) problems.push(`mutant ${mutant.slug} names tests that do not exist: ${unknown.join('; ')}`);
      if (escaped.length) problems.push(`mutant ${mutant.slug} was not caught by: ${escaped.join('; ')}`);
      mutants.push({ mutant, result, escaped, unknown, caught });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { lab, solution, starter, mutants, ok: problems.length === 0, problems };
}
