// Checks over each lab's graded tests, without running them (Vitest only collects the test files, once per lab, for
// every check here):
// - the rules table is complete (each test names a rule, each rule has tests and mutants) and the README's "What is
//   graded" is what the table and the tests say. `lab prove` checks the same and then runs the mutants; this is the
//   fast half. The student edition has no hidden tests and no mutants: nothing to check there.
// - hints.uk.json keeps in step with the tests: each graded test that has a hint has a Ukrainian one under its test
//   file, and no entry names a test that is gone. A lab without the file is skipped here (and `lab check` shows its
//   English hints, marked); the skipped test names it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discoverLabs } from '../../cli/harness/labs.ts';
import { loadMutants } from '../../cli/harness/mutants.ts';
import { checkRulesTable, collectGradedTests, type GradedTest, readmeProblems } from '../../cli/harness/rules.ts';
import { hintsFile, type HintsFile } from '../../cli/lang.ts';

const labs = discoverLabs();
const collected = new Map<string, Promise<GradedTest[]>>();
const graded = (lab: (typeof labs)[number]) => {
  if (!collected.has(lab.id)) collected.set(lab.id, collectGradedTests(lab));
  return collected.get(lab.id)!;
};

// Concurrent: each collection is a child process that mostly waits for Vitest to start.
describe.concurrent.each(labs.map((lab) => [lab.id, lab] as const))('lab %s', (_id, lab) => {
  test.skipIf(!lab.rules || !existsSync(join(lab.dir, 'mutants')))(
    'its rules table is complete and its README says what the table says',
    { timeout: 60_000 },
    async () => {
      const tests = await graded(lab);
      const problems = [...checkRulesTable(lab, tests, loadMutants(lab)), ...readmeProblems(lab, tests)];
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );

  const file = hintsFile(lab.dir, 'uk');
  test.skipIf(!existsSync(file))(
    'hints.uk.json has a Ukrainian hint for every hint, and only those',
    { timeout: 60_000 },
    async () => {
      const translated = JSON.parse(readFileSync(file, 'utf8')) as HintsFile;
      const tests = (await graded(lab)).filter((t) => t.hint);
      const expected = Map.groupBy(tests, (t) => t.file);
      const actual = Object.fromEntries(Object.entries(translated).map(([f, byName]) => [f, Object.keys(byName)]));
      const missing = tests
        .filter((t) => translated[t.file]?.[t.name] === undefined)
        .map((t) => `${t.file}: ${t.name}`);
      const gone = Object.entries(actual).flatMap(([f, names]) =>
        names.filter((n) => !expected.get(f)?.some((t) => t.name === n)).map((n) => `${f}: ${n}`),
      );
      expect(missing, `tests whose hint has no Ukrainian version:\n${missing.join('\n')}`).toEqual([]);
      expect(
        gone,
        `entries naming no graded test with a hint (renamed, moved or removed):\n${gone.join('\n')}`,
      ).toEqual([]);
      for (const t of tests) {
        const hint = translated[t.file]![t.name]!;
        expect(hint, t.name).toMatch(/[а-яіїєґ]{3}/i);
        expect(hint, t.name).not.toBe(t.hint);
      }
    },
  );
});
