// Every lab with a rules table, checked without running it: the table is complete (each test names a rule, each rule
// has tests and mutants) and the README's "What is graded" is what the table and the tests say. `lab prove` checks
// the same and then runs the mutants; this is the fast half (Vitest only collects the test files).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discoverLabs } from '../../cli/harness/labs.ts';
import { loadMutants } from '../../cli/harness/mutants.ts';
import { checkRulesTable, collectGradedTests, readmeProblems } from '../../cli/harness/rules.ts';

// The student edition has no hidden tests and no mutants: nothing to check there.
const labs = discoverLabs().filter((lab) => lab.rules && existsSync(join(lab.dir, 'mutants')));

// Concurrent: each collection is a child process that mostly waits for Vitest to start.
describe.concurrent.each(labs.map((lab) => [lab.id, lab] as const))('lab %s', (_id, lab) => {
  test('its rules table is complete and its README says what the table says', { timeout: 60_000 }, async () => {
    const tests = await collectGradedTests(lab);
    const problems = [...checkRulesTable(lab, tests, loadMutants(lab)), ...readmeProblems(lab, tests)];
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
