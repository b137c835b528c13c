import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/services/docker.ts';

// `lab export --student` through the real CLI, then the student edition used as a student would.
const work = mkdtempSync(join(tmpdir(), 'lab-export-test-'));
const out = join(work, 'student');
const lab = (cwd: string, ...args: string[]) =>
  execa(process.execPath, [join(cwd, 'cli/main.ts'), ...args], { cwd, reject: false, all: true, env: { NO_COLOR: '1' }, timeout: 300_000 });

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
  const verdicts = (output: string) => output.split('\n').filter((l) => /^\s+[✓✗] /.test(l)).map((l) => l.trim().replace(/\s{2,}/g, ' '));
  const cases: [string, string, string][] = [
    ['00', 'solution', ''],
    ['00', 'mutant', 'greeting-no-comma'],
    ['03', 'solution', ''],
    ['06', 'solution', ''],
  ];
  test.each(cases)('lab %s, the %s %s', async (id, kind, slug) => {
    const { findLab } = await import('../../cli/harness/labs.ts');
    const { loadMutants, materializeMutant } = await import('../../cli/harness/mutants.ts');
    const spec = findLab(id);
    const dir = kind === 'solution' ? join(spec.dir, 'solution') : materializeMutant(spec, loadMutants(spec).find((m) => m.slug === slug)!);
    try {
      const here = await lab(repoRoot, 'check', id, '--dir', dir);
      const there = await lab(out, 'check', id, '--dir', dir);
      const mine = verdicts(here.all ?? '');
      expect(mine.length, here.all).toBeGreaterThan(0);
      expect(verdicts(there.all ?? ''), there.all).toEqual(mine);
      expect(there.exitCode).toBe(here.exitCode);
      if (kind === 'solution') expect(mine.every((l) => l.startsWith('✓')), here.all).toBe(true);
      else expect(mine.some((l) => l.startsWith('✗')), here.all).toBe(true);
    } finally {
      if (kind !== 'solution') rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
