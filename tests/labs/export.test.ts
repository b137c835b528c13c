import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/paths.ts';

// `lab export --student` through the real CLI, then the student edition used as a student would.
const work = mkdtempSync(join(tmpdir(), 'lab-export-test-'));
const out = join(work, 'student');
const lab = (cwd: string, ...args: string[]) =>
  execa(process.execPath, [join(cwd, 'cli/main.ts'), ...args], {
    cwd,
    reject: false,
    all: true,
    env: { NO_COLOR: '1' },
    timeout: 300_000,
  });

beforeAll(async () => {
  const result = await lab(repoRoot, 'export', '--student', out);
  expect(result.exitCode, result.all).toBe(0);
  // The student runs `npm install` in their copy; here the course's installed packages stand in for it.
  symlinkSync(join(repoRoot, 'node_modules'), join(out, 'node_modules'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('lab export --student', () => {
  test('leaves out solutions, hidden tests, mutants and the instructor proofs', () => {
    for (const id of readdirSync(join(out, 'labs')).filter((d) => /^\d\d-/.test(d))) {
      expect(existsSync(join(out, 'labs', id, 'solution')), `${id}/solution`).toBe(false);
      expect(
        readdirSync(join(out, 'labs', id)).filter((d) => d.startsWith('solution')),
        `${id}: a second solution`,
      ).toEqual([]);
      expect(existsSync(join(out, 'labs', id, 'mutants')), `${id}/mutants`).toBe(false);
      expect(existsSync(join(out, 'labs', id, 'tests', 'hidden')), `${id}/tests/hidden`).toBe(false);
    }
    expect(existsSync(join(out, 'tests', 'labs'))).toBe(false);
    expect(existsSync(join(out, 'labs', '00-warmup', 'starter', 'main.ts'))).toBe(true);
    expect(existsSync(join(out, 'labs', '00-warmup', 'tests', 'public'))).toBe(true);
  });

  test('refuses to write into a folder that is not empty', async () => {
    const again = await lab(repoRoot, 'export', '--student', out);
    expect(again.exitCode).toBe(1);
    expect(again.all).toContain('is not empty');
  });

  test('the student edition runs: list and check work without any instructor file', async () => {
    const list = await lab(out, 'list');
    expect(list.exitCode, list.all).toBe(0);
    expect(list.all).toContain('00-warmup');
    const check = await lab(out, 'check', '00');
    expect(check.all).toMatch(/✓ GET \/health answers 200/);
    expect(check.all).toMatch(/hint: Add `app\.get\("\/hello"/);
    // The bare starter earns its /health point of the public tests, whatever lab 00's total is.
    expect(check.all).toMatch(/Score: 1\/\d+ public points/);
    expect(check.exitCode).toBe(1);
  });
});

// The same submission checked from the student edition and from this repository: the same tests, the same verdicts,
// the same isolation. (Paths differ: the sandbox must not depend on where the course lives.)
describe('grading parity: student edition and instructor repo', () => {
  const verdicts = (output: string) =>
    output
      .split('\n')
      .filter((l) => /^\s+[✓✗] /.test(l))
      .map((l) => l.trim().replace(/\s{2,}/g, ' '))
      .sort(); // test files run side by side: the order they finish in may differ
  const cases: [string, string, string][] = [
    ['00', 'solution', ''],
    ['00', 'mutant', 'greeting-no-comma'],
    ['03', 'solution', ''],
    ['06', 'solution', ''],
  ];
  test.each(cases)(
    'lab %s, the %s %s',
    async (id, kind, slug) => {
      const { findLab } = await import('../../cli/harness/labs.ts');
      const { loadMutants, materializeMutant } = await import('../../cli/harness/mutants.ts');
      const spec = findLab(id);
      const dir =
        kind === 'solution'
          ? join(spec.dir, 'solution')
          : materializeMutant(spec, loadMutants(spec).find((m) => m.slug === slug)!);
      try {
        const here = await lab(repoRoot, 'check', id, '--dir', dir);
        const there = await lab(out, 'check', id, '--dir', dir);
        const mine = verdicts(here.all ?? '');
        expect(mine.length, here.all).toBeGreaterThan(0);
        expect(verdicts(there.all ?? ''), there.all).toEqual(mine);
        expect(there.exitCode).toBe(here.exitCode);
        if (kind === 'solution')
          expect(
            mine.every((l) => l.startsWith('✓')),
            here.all,
          ).toBe(true);
        else
          expect(
            mine.some((l) => l.startsWith('✗')),
            here.all,
          ).toBe(true);
      } finally {
        if (kind !== 'solution') rmSync(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});

// GitHub Classroom: the student edition's workflow is a valid GitHub workflow (SchemaStore's schema, the one editors
// use), and the commands of a lab's step, run on a fresh clone of the edition as Actions runs them, give the reporter
// what it reads: base64 of a runner result whose test scores sum to the points the check gave.
describe('the GitHub Classroom workflow in the student edition', () => {
  const workflowFile = () => join(out, '.github', 'workflows', 'classroom.yml');

  test('validates against the GitHub workflow schema and has a step and a reporter runner per lab', async () => {
    const { parse } = await import('yaml');
    const { Ajv } = await import('ajv');
    const { readFileSync } = await import('node:fs');
    const { discoverLabs } = await import('../../cli/harness/labs.ts');
    const schema = JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/schemas/github-workflow.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const workflow = parse(readFileSync(workflowFile(), 'utf8'));
    expect(validate(workflow), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const steps = workflow.jobs.autograding.steps as {
      id?: string;
      uses?: string;
      env?: Record<string, string>;
      with?: Record<string, string>;
    }[];
    const reporter = steps.find((s) => s.uses?.startsWith('classroom-resources/autograding-grading-reporter@'))!;
    const ids = discoverLabs().map((l) => `lab${l.id.slice(0, 2)}`);
    expect(reporter.with!.runners).toBe(ids.join(','));
    // The reporter's own rule for runner ids: letters and digits, comma-separated.
    expect(reporter.with!.runners).toMatch(/^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$/);
    for (const id of ids) {
      expect(
        steps.some((s) => s.id === id),
        id,
      ).toBe(true);
      expect(reporter.env![`${id.toUpperCase()}_RESULTS`]).toBe(`\${{ steps.${id}.outputs.result }}`);
    }
  });

  test("a lab's step, run on a fresh clone, hands the reporter the check's points", { timeout: 180_000 }, async () => {
    const { parse } = await import('yaml');
    const { cpSync, readFileSync, writeFileSync } = await import('node:fs');
    const clone = join(work, 'clone');
    await execa('git', ['init', '-q', out]);
    await execa('git', ['-C', out, 'add', '-A']);
    await execa('git', [
      '-C',
      out,
      '-c',
      'user.email=t@example.com',
      '-c',
      'user.name=t',
      'commit',
      '-qm',
      'student edition',
    ]);
    await execa('git', ['clone', '-q', out, clone]);
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules')); // npm ci's stand-in
    const step = (
      parse(readFileSync(join(clone, '.github/workflows/classroom.yml'), 'utf8')).jobs.autograding.steps as {
        id?: string;
        run?: string;
      }[]
    ).find((s) => s.id === 'lab00')!;
    const runStep = async () => {
      const output = join(work, `github-output-${Math.random().toString(36).slice(2)}`);
      writeFileSync(output, '');
      const r = await execa('bash', ['-e', '-c', step.run!], {
        cwd: clone,
        reject: false,
        all: true,
        env: { GITHUB_OUTPUT: output, NO_COLOR: '1' },
      });
      expect(r.exitCode, r.all).toBe(0);
      const line = readFileSync(output, 'utf8').trim();
      expect(line).toMatch(/^result=[A-Za-z0-9+/=]+$/);
      return JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8')) as {
        status: string;
        max_score: number;
        tests: { name: string; status: string; score: number }[];
      };
    };
    const starter = await runStep();
    expect(starter.status).toBe('fail');
    expect(starter.max_score).toBeGreaterThan(0);
    // Classroom gets the sum of the tests' scores: the bare starter's /health point.
    expect(starter.tests.reduce((s, t) => s + t.score, 0)).toBe(1);
    expect(starter.tests.find((t) => t.status === 'pass')!.name).toMatch(/GET \/health/);
    cpSync(join(repoRoot, 'labs/00-warmup/solution'), join(clone, 'labs/00-warmup/starter'), { recursive: true });
    const solved = await runStep();
    expect(solved.status).toBe('pass');
    expect(solved.tests.reduce((s, t) => s + t.score, 0)).toBe(solved.max_score);
  });
});
