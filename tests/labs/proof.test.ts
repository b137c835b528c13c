import { describe, expect, test } from 'vitest';
import { discoverLabs } from '../../cli/harness/labs.ts';
import { STARTER_MAX_SHARE, proofJobs, proveLab } from '../../cli/harness/proof.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Every lab, proven through the real harness: the solution scores 100 %, the untouched starter at most 30 %, and
// every mutant is caught — in a lab with a rules table, by a test of the one rule it breaks and by no test of
// another; otherwise by each test it names. (The student edition has no solutions: nothing to prove.)
const labs = discoverLabs().filter((lab) => existsSync(join(lab.dir, 'solution')));

describe.each(labs.map((lab) => [lab.id, lab] as const))('lab %s', (_id, lab) => {
  test('solution 100 %, starter ≤ 30 %, every mutant caught', { timeout: 900_000 }, async () => {
    const proof = await proveLab(lab, { jobs: proofJobs() });
    const summary = {
      solution: `${proof.solution.score}/${proof.solution.maxScore}`,
      starter: `${proof.starter.score}/${proof.starter.maxScore}`,
      alternatives: proof.alternatives.map((a) => `${a.submission}: ${a.score}/${a.maxScore}`),
      mutants: proof.mutants.map(
        (m) => `${m.mutant.slug}: ${m.caught ? 'caught' : 'ESCAPED'} (${m.result.score}/${m.result.maxScore})`,
      ),
      // Mutants whose first run also failed tests of other rules, and the second did not: a stall, with its messages.
      regraded: proof.mutants.filter((m) => m.regraded).map((m) => `${m.mutant.slug}: ${m.regraded!.join(' | ')}`),
    };
    console.log(`[proof] ${lab.id}`, JSON.stringify(summary));
    expect(proof.problems, proof.problems.join('\n')).toEqual([]);
    expect(proof.solution.maxScore).toBeGreaterThan(0);
    expect(proof.solution.score).toBe(proof.solution.maxScore);
    expect(proof.starter.score).toBeLessThanOrEqual(STARTER_MAX_SHARE * proof.starter.maxScore);
    for (const alt of proof.alternatives) expect(alt.score, alt.submission).toBe(alt.maxScore);
    expect(proof.mutants.length).toBeGreaterThanOrEqual(3);
    for (const verdict of proof.mutants) expect(verdict.caught, verdict.mutant.slug).toBe(true);
  });
});
