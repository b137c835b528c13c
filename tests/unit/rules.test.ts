// The rules-table method without a broker or an app: fabricated tests, mutants and results.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadLab } from '../../cli/harness/labs.ts';
import { loadMutants, type Mutant } from '../../cli/harness/mutants.ts';
import {
  checkRulesTable,
  judgeMutant,
  renderGradedSection,
  withGradedSection,
  type GradedTest,
} from '../../cli/harness/rules.ts';
import type { LabRule, SubmissionResult, TestOutcome } from '../../cli/harness/types.ts';

const rules: LabRule[] = [
  { id: 'create', says: 'POST answers 201 with a Location.' },
  { id: 'not-found', says: 'An unknown id answers 404.' },
  {
    id: 'constant-time',
    says: 'Keys are compared in constant time.',
    notGraded: 'timing cannot be measured through a network',
  },
];
const tests: GradedTest[] = [
  { name: 'POST answers 201', file: 'public/a.test.ts', visibility: 'public', points: 3, rule: 'create' },
  { name: 'POST sets Location', file: 'hidden/b.test.ts', visibility: 'hidden', points: 1, rule: 'create' },
  { name: 'GET unknown | 404', file: 'public/a.test.ts', visibility: 'public', points: 2, rule: 'not-found' },
];
const mutant = (slug: string, rule: string, extra: Partial<Mutant> = {}): Mutant => ({
  slug,
  description: slug,
  rule,
  edits: [],
  ...extra,
});
const mutants = [mutant('status-200', 'create'), mutant('crash-on-unknown', 'not-found')];

/** A run where the named tests failed and every other test passed. */
function run(failed: string[], problems: string[] = []): Pick<SubmissionResult, 'tests' | 'problems'> {
  const outcome = (t: GradedTest): TestOutcome => {
    const passed = !failed.includes(t.name);
    return {
      name: t.name,
      file: t.file,
      visibility: t.visibility,
      points: t.points,
      score: passed ? t.points : 0,
      status: passed ? 'passed' : 'failed',
      durationMs: 1,
    };
  };
  return { tests: tests.map(outcome), problems };
}

describe('the rules table', () => {
  test('a complete table has no problems', () => {
    expect(checkRulesTable({ rules }, tests, mutants)).toEqual([]);
  });
  test('a test without a rule, or with one the table does not declare, is named', () => {
    const problems = checkRulesTable(
      { rules },
      [...tests, { ...tests[0]!, name: 'orphan', rule: undefined }, { ...tests[0]!, name: 'typo', rule: 'creat' }],
      mutants,
    );
    expect(problems).toContainEqual(expect.stringMatching(/every graded test names its rule .*"orphan"/));
    expect(problems).toContainEqual('test "typo" names rule "creat", which lab.json does not declare');
  });
  test('a graded rule needs a test and a mutant; a rule marked not graded may have neither', () => {
    const problems = checkRulesTable(
      { rules },
      tests.filter((t) => t.rule !== 'not-found'),
      [mutant('status-200', 'create')],
    );
    expect(problems).toEqual(['rule "not-found" has no graded test', 'rule "not-found" has no mutant that breaks it']);
  });
  test('a test or a mutant of a rule marked not graded is a contradiction', () => {
    const problems = checkRulesTable(
      { rules },
      [...tests, { ...tests[0]!, name: 'timing', rule: 'constant-time' }],
      [...mutants, mutant('early-exit', 'constant-time'), mutant('x', 'nope')],
    );
    expect(problems).toEqual([
      'test "timing" grades rule "constant-time", which lab.json marks as not graded',
      'mutant early-exit breaks rule "constant-time", which is not graded: no test can catch it',
      'mutant x names rule "nope", which lab.json does not declare',
    ]);
  });
  test('test names are unique in every lab; without a table, no test may name a rule', () => {
    expect(checkRulesTable({}, [...tests, tests[0]!], [])).toEqual([
      'test names must be unique (they are the grading keys): "POST answers 201" appear more than once',
      'tests name a rule but lab.json has no "rules": "POST answers 201", "POST sets Location", "GET unknown | 404", "POST answers 201"',
    ]);
    expect(
      checkRulesTable(
        {},
        tests.map((t) => ({ ...t, rule: undefined })),
        [],
      ),
    ).toEqual([]);
  });
});

describe('the verdict on a mutant', () => {
  const status200 = mutants[0]!;
  test('caught by a test of its rule and by nothing else: fair', () => {
    expect(judgeMutant(status200, run(['POST answers 201']), tests)).toEqual({
      caught: true,
      caughtBy: ['POST answers 201'],
      unfair: [],
      problems: [],
    });
  });
  test('not caught: every test of its rule passed', () => {
    const verdict = judgeMutant(status200, run([]), tests);
    expect(verdict.caught).toBe(false);
    expect(verdict.problems).toEqual([
      'mutant status-200 (rule "create") is not caught: every test of rule "create" passed',
    ]);
  });
  test('caught only by tests of other rules: not caught', () => {
    const verdict = judgeMutant(status200, run(['GET unknown | 404']), tests);
    expect(verdict.caught).toBe(false);
    expect(verdict.problems[0]).toMatch(
      /is caught only by tests of other rules: "GET unknown \| 404" \(not-found\); a test of rule "create" must catch it/,
    );
  });
  test('one mistake that also costs another rule is unfair, and the report names the tests it failed', () => {
    const verdict = judgeMutant(status200, run(['POST answers 201', 'GET unknown | 404']), tests);
    expect(verdict.caught).toBe(true);
    expect(verdict.unfair).toEqual([{ test: 'GET unknown | 404', rule: 'not-found' }]);
    expect(verdict.problems[0]).toMatch(
      /^mutant status-200 \(rule "create"\) also fails tests of other rules: "GET unknown \| 404" \(not-found\)\. One mistake must cost one rule's points/,
    );
  });
  test('collateral excuses a listed test, with its reason; a stale or misplaced entry is reported', () => {
    const excused = mutant('status-200', 'create', {
      collateral: [{ test: 'GET unknown | 404', reason: 'fabricated: the 404 needs the created resource' }],
    });
    expect(judgeMutant(excused, run(['POST answers 201', 'GET unknown | 404']), tests).problems).toEqual([]);
    expect(judgeMutant(excused, run(['POST answers 201']), tests).problems).toEqual([
      'mutant status-200 (rule "create"): its collateral lists "GET unknown | 404", which passes: remove it',
    ]);
    const misplaced = mutant('m', 'create', {
      collateral: [
        { test: 'POST sets Location', reason: 'x'.repeat(20) },
        { test: 'gone', reason: 'x'.repeat(20) },
      ],
    });
    expect(judgeMutant(misplaced, run(['POST answers 201', 'POST sets Location']), tests).problems).toEqual([
      'mutant m (rule "create"): its collateral lists "POST sets Location", a test of its own rule: remove it',
      'mutant m (rule "create"): its collateral names a test that does not exist: "gone"',
    ]);
  });
  test('a run that hit a problem (time limit, no results) is reported even when the mutant is caught', () => {
    const verdict = judgeMutant(
      status200,
      run(['POST answers 201'], ['the run hit its time limit of 60 s and was stopped']),
      tests,
    );
    expect(verdict.problems).toEqual([
      'mutant status-200 (rule "create"): the run had a problem: the run hit its time limit of 60 s and was stopped',
    ]);
  });
});

describe("the README's What is graded", () => {
  const section = renderGradedSection({ id: '07-sample', rules }, [tests[1]!, tests[0]!, tests[2]!]);
  test('one row per rule: its sentence, points summed from its tests, public tests first and hidden ones marked', () => {
    expect(section).toContain(
      '| **create** — POST answers 201 with a Location. | 4 | POST answers 201 (3)<br>POST sets Location (1, hidden) |',
    );
    expect(section).toContain('| **not-found** — An unknown id answers 404. | 2 | GET unknown \\| 404 (2) |');
    expect(section).toContain(
      '| **constant-time** — Keys are compared in constant time. | not graded | timing cannot be measured through a network |',
    );
    expect(section).toContain('6 points: 5 in public tests (`lab check` runs them), 1 in hidden ones.');
    expect(section).toContain('by `npm run lab -- rules 07 --write` -->');
  });
  test('test names stay plain text in Markdown', () => {
    const odd: GradedTest = {
      name: 'a <b> and *c* or _d_ & e',
      file: 'public/a.test.ts',
      visibility: 'public',
      points: 1,
      rule: 'not-found',
    };
    expect(renderGradedSection({ id: '07-sample', rules }, [odd])).toContain(
      '| 1 | a &lt;b> and \\*c\\* or \\_d\\_ &amp; e (1) |',
    );
  });
  test('the section goes between the markers; a README without them is refused', () => {
    const readme = '# Lab\n\n## What is graded\n\n<!-- graded:begin -->\nold table\n<!-- graded:end -->\n\n## Hints\n';
    const updated = withGradedSection(readme, section)!;
    expect(updated.startsWith('# Lab\n\n## What is graded\n\n<!-- graded:begin: generated from lab.json')).toBe(true);
    expect(updated.endsWith('<!-- graded:end -->\n\n## Hints\n')).toBe(true);
    expect(updated).not.toContain('old table');
    expect(withGradedSection(updated, section)).toBe(updated);
    expect(withGradedSection('# Lab\n', section)).toBeUndefined();
  });
});

describe('lab.json rules and mutant files', () => {
  function lab(json: Record<string, unknown>, mutantFiles: Record<string, unknown> = {}): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'lab-rules-')), '07-sample');
    mkdirSync(join(dir, 'mutants'), { recursive: true });
    writeFileSync(
      join(dir, 'lab.json'),
      JSON.stringify({
        id: '07-sample',
        title: 'A sample',
        order: 7,
        entry: 'main.ts',
        ready: { http: '/health' },
        ...json,
      }),
    );
    for (const [name, body] of Object.entries(mutantFiles))
      writeFileSync(join(dir, 'mutants', `${name}.json`), JSON.stringify(body));
    return dir;
  }
  const edits = [{ file: 'main.ts', find: 'a', replace: 'b' }];
  test('rule ids are kebab-case and unique', () => {
    expect(() => loadLab(lab({ rules: [{ id: 'Bad_Id', says: 'A sentence here.' }] }))).toThrow(
      /rules\.0\.id: must match pattern/,
    );
    expect(() =>
      loadLab(
        lab({
          rules: [
            { id: 'twice', says: 'A sentence here.' },
            { id: 'twice', says: 'Another one here.' },
          ],
        }),
      ),
    ).toThrow(/rules: the id "twice" appears more than once/);
  });
  test('in a lab with rules, a mutant names its rule and no tests', () => {
    const withRules = { rules: [{ id: 'create', says: 'POST answers 201.' }] };
    expect(loadMutants(loadLab(lab(withRules, { ok: { description: 'd', rule: 'create', edits } })))[0]).toMatchObject({
      slug: 'ok',
      rule: 'create',
    });
    expect(() => loadMutants(loadLab(lab(withRules, { old: { description: 'd', catches: ['t'], edits } })))).toThrow(
      /old\.json:\n {2}needs "rule".*\n {2}"catches" is not used in a lab with a rules table/,
    );
    expect(() =>
      loadMutants(
        loadLab(
          lab(withRules, {
            lazy: { description: 'd', rule: 'create', edits, collateral: [{ test: 't', reason: 'because' }] },
          }),
        ),
      ),
    ).toThrow(/"collateral" is a list of \{ "test": "full name", "reason"/);
  });
  test('in a lab without rules, a mutant names the tests that catch it', () => {
    expect(() => loadMutants(loadLab(lab({}, { r: { description: 'd', rule: 'create', edits } })))).toThrow(
      /needs "catches".*\n {2}"rule" needs a rules table/,
    );
    expect(() => loadMutants(loadLab(lab({}, { typo: { description: 'd', catches: ['t'], edit: edits } })))).toThrow(
      /unknown field "edit".*\n {2}needs "edits"/s,
    );
  });
});
