// The rules-table method: every rule a lab's README states is in lab.json `rules`; every graded test names the one
// rule it checks (`graded(name, { rule, … })`); every mutant names the one rule it breaks. From these three, this
// module judges a lab (pure functions, unit-tested with fabricated results) and writes the README's "What is graded".
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mutant } from './mutants.ts';
import type { LabRule, LabSpec, SubmissionResult, Visibility } from './types.ts';

/** A graded test as collected from the lab's test files (before anything runs). */
export interface GradedTest {
  name: string;
  /** Relative to the lab's tests/ folder. */
  file: string;
  visibility: Visibility;
  points: number;
  hint?: string;
  rule?: string;
}

const collectScript = join(import.meta.dirname, 'collect.ts');

/** The lab's graded tests, public and hidden, collected by Vitest in a child process (~1–2 s; no app is started). */
export async function collectGradedTests(lab: LabSpec): Promise<GradedTest[]> {
  const child = spawn(process.execPath, [collectScript, lab.dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-4000)));
  // Collecting imports the test files and nothing more; a minute means something hangs at import time.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  const line = out.split('\n').find((l) => l.startsWith('@@collected '));
  if (!line)
    throw new Error(`collecting the tests of ${lab.id} failed (exit code ${code}):\n${err || out.slice(-2000)}`);
  const { tests, errors } = JSON.parse(line.slice('@@collected '.length)) as { tests: GradedTest[]; errors: string[] };
  if (errors.length) throw new Error(`collecting the tests of ${lab.id} failed:\n${errors.join('\n')}`);
  return tests;
}

const list = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * What is wrong with a lab's rules table, before anything runs: tests without a rule or with an unknown one, rules no
 * test grades or no mutant breaks, mutants naming a rule that does not exist or is not graded. A lab without `rules`
 * only gets the checks that apply to every lab (unique test names, no `rule` where there is no table).
 */
export function checkRulesTable(lab: Pick<LabSpec, 'rules'>, tests: GradedTest[], mutants: Mutant[]): string[] {
  const problems: string[] = [];
  const names = new Map<string, number>();
  for (const t of tests) names.set(t.name, (names.get(t.name) ?? 0) + 1);
  const twice = [...names].filter(([, n]) => n > 1).map(([name]) => name);
  if (twice.length)
    problems.push(`test names must be unique (they are the grading keys): ${list(twice)} appear more than once`);
  if (!lab.rules) {
    const named = tests.filter((t) => t.rule !== undefined).map((t) => t.name);
    if (named.length) problems.push(`tests name a rule but lab.json has no "rules": ${list(named)}`);
    return problems;
  }
  const rules = new Map(lab.rules.map((r) => [r.id, r]));
  const unruled = tests.filter((t) => t.rule === undefined).map((t) => t.name);
  if (unruled.length)
    problems.push(`every graded test names its rule (graded(name, { rule: "…", … })); these do not: ${list(unruled)}`);
  for (const t of tests) {
    if (t.rule === undefined) continue;
    const rule = rules.get(t.rule);
    if (!rule) problems.push(`test "${t.name}" names rule "${t.rule}", which lab.json does not declare`);
    else if (rule.notGraded)
      problems.push(`test "${t.name}" grades rule "${t.rule}", which lab.json marks as not graded`);
  }
  for (const m of mutants) {
    const rule = m.rule === undefined ? undefined : rules.get(m.rule);
    if (!rule) problems.push(`mutant ${m.slug} names rule "${m.rule}", which lab.json does not declare`);
    else if (rule.notGraded)
      problems.push(`mutant ${m.slug} breaks rule "${m.rule}", which is not graded: no test can catch it`);
  }
  for (const rule of lab.rules) {
    if (rule.notGraded) continue;
    if (!tests.some((t) => t.rule === rule.id)) problems.push(`rule "${rule.id}" has no graded test`);
    if (!mutants.some((m) => m.rule === rule.id)) problems.push(`rule "${rule.id}" has no mutant that breaks it`);
  }
  return problems;
}

export interface MutantJudgement {
  /** At least one test of the mutant's rule failed. */
  caught: boolean;
  /** The failed tests of the mutant's rule. */
  caughtBy: string[];
  /** Failed tests of other rules, not excused by the mutant's `collateral`: points one mistake should not cost. */
  unfair: { test: string; rule: string }[];
  problems: string[];
}

/**
 * The verdict on one mutant of a lab with a rules table: it must fail at least one test of its own rule (caught) and
 * no test of any other rule (fair: one mistake costs one rule's points), except the tests its `collateral` lists,
 * each with the reason it cannot be avoided.
 */
/** The first lines of a failure message: enough to tell a mistake from a stall when a proof fails in CI. */
export const firstLines = (message: string | undefined, lines = 3) =>
  (message ?? '(no message)').trim().split('\n').slice(0, lines).join(' / ').slice(0, 400);

export function judgeMutant(
  mutant: Mutant,
  result: Pick<SubmissionResult, 'tests' | 'problems'>,
  tests: GradedTest[],
): MutantJudgement {
  const ruleOf = new Map(tests.map((t) => [t.name, t.rule ?? '(none)']));
  const failed = result.tests.filter((t) => t.status === 'failed');
  const caughtBy = failed.filter((t) => ruleOf.get(t.name) === mutant.rule).map((t) => t.name);
  const excused = new Set((mutant.collateral ?? []).map((c) => c.test));
  const others = failed.filter((t) => ruleOf.get(t.name) !== mutant.rule);
  const unfair = others
    .filter((t) => !excused.has(t.name))
    .map((t) => ({ test: t.name, rule: ruleOf.get(t.name) ?? '(unknown)' }));
  const problems: string[] = [];
  const tag = `mutant ${mutant.slug} (rule "${mutant.rule}")`;
  for (const p of result.problems) problems.push(`${tag}: the run had a problem: ${p.split('\n')[0]}`);
  if (caughtBy.length === 0) {
    problems.push(
      others.length
        ? `${tag} is caught only by tests of other rules: ${others.map((t) => `"${t.name}" (${ruleOf.get(t.name)})`).join(', ')}; a test of rule "${mutant.rule}" must catch it`
        : `${tag} is not caught: every test of rule "${mutant.rule}" passed`,
    );
  } else if (unfair.length) {
    problems.push(
      `${tag} also fails tests of other rules: ${unfair.map((u) => `"${u.test}" (${u.rule})`).join(', ')}. One mistake must cost one rule's ` +
        `points: make those tests tolerant of what rule "${mutant.rule}" grades, or list them in the mutant's "collateral" with the reason. ` +
        `What they said: ${unfair.map((u) => `"${u.test}": ${firstLines(failed.find((t) => t.name === u.test)?.message)}`).join(' | ')}`,
    );
  }
  for (const c of mutant.collateral ?? []) {
    const outcome = result.tests.find((t) => t.name === c.test);
    if (!outcome) problems.push(`${tag}: its collateral names a test that does not exist: "${c.test}"`);
    else if (outcome.status === 'passed')
      problems.push(`${tag}: its collateral lists "${c.test}", which passes: remove it`);
    else if (ruleOf.get(c.test) === mutant.rule)
      problems.push(`${tag}: its collateral lists "${c.test}", a test of its own rule: remove it`);
  }
  return { caught: caughtBy.length > 0, caughtBy, unfair, problems };
}

// ---- the README's "What is graded" section ----

export const GRADED_BEGIN = '<!-- graded:begin';
export const GRADED_END = '<!-- graded:end -->';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
/** Test names are plain text, not Markdown: nothing in them may turn into HTML. */
const plain = (s: string) =>
  cell(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('*', '\\*').replaceAll('_', '\\_');

/** The generated part of "What is graded": one row per rule, with its points and the tests that check it. */
export function renderGradedSection(lab: { id: string; rules: LabRule[] }, tests: GradedTest[]): string {
  const rows = lab.rules.map((rule) => {
    if (rule.notGraded) return `| **${rule.id}** — ${cell(rule.says)} | not graded | ${cell(rule.notGraded)} |`;
    // Public tests first (the ones a student meets), each group in the order the files declare them.
    const mine = [...tests.filter((t) => t.rule === rule.id)].sort(
      (a, b) => Number(a.visibility === 'hidden') - Number(b.visibility === 'hidden'),
    );
    const points = mine.reduce((sum, t) => sum + t.points, 0);
    const checks = mine
      .map((t) => `${plain(t.name)} (${t.points}${t.visibility === 'hidden' ? ', hidden' : ''})`)
      .join('<br>');
    return `| **${rule.id}** — ${cell(rule.says)} | ${points} | ${checks} |`;
  });
  const sum = (v?: Visibility) => tests.filter((t) => !v || t.visibility === v).reduce((s, t) => s + t.points, 0);
  return [
    `${GRADED_BEGIN}: generated from lab.json "rules" and the tests' points by \`npm run lab -- rules ${lab.id.slice(0, 2)} --write\` -->`,
    '',
    '| rule | points | tests (points) |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `${sum()} points: ${sum('public')} in public tests (\`lab check\` runs them), ${sum('hidden')} in hidden ones. Each test belongs ` +
      `to one rule, and a solution that breaks one rule loses that rule's points and no others (where one mistake cannot help ` +
      `failing a test of another rule too, the lab's proof names that test and why).`,
    GRADED_END,
  ].join('\n');
}

/** The README with its generated section replaced; undefined when it has no `<!-- graded:begin … -->`/`end` markers. */
export function withGradedSection(readme: string, section: string): string | undefined {
  const start = readme.indexOf(GRADED_BEGIN);
  const end = readme.indexOf(GRADED_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(0, start) + section + readme.slice(end + GRADED_END.length);
}

/** Is the README's generated "What is graded" section what the rules table and the tests say? */
export function readmeProblems(lab: LabSpec, tests: GradedTest[]): string[] {
  if (!lab.rules) return [];
  const file = join(lab.dir, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const updated = withGradedSection(readme, renderGradedSection({ id: lab.id, rules: lab.rules }, tests));
  if (updated === undefined)
    return [
      `README.md has no generated "What is graded" section: put <!-- graded:begin --> and <!-- graded:end --> under the heading, then run: npm run lab -- rules ${lab.id.slice(0, 2)} --write`,
    ];
  if (updated !== readme)
    return [
      `README.md's "What is graded" section is out of date with lab.json and the tests: run npm run lab -- rules ${lab.id.slice(0, 2)} --write`,
    ];
  return [];
}
