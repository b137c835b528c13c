import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { execa } from 'execa';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/services/docker.ts';

// `lab grade 00` over 20 copies of the solution plus the hostile fixtures, through the real CLI: every submission
// gets the score it deserves, with a reason; none disturbs another; all four report kinds are written; and no
// process of the run is left afterwards.
const hostile = join(repoRoot, 'tests/fixtures/hostile');
const work = mkdtempSync(join(tmpdir(), 'lab-grade-test-'));
const classDir = join(work, 'class');
const out = join(work, 'out');
// This run's own copies folder (inside the repo, for module resolution): its processes are exactly the ones whose
// working folder lies below it.
const runsDir = join(repoRoot, '.cache', `runs-test-${randomUUID().slice(0, 8)}`);
let grade: Awaited<ReturnType<typeof execa>>;

interface GradescopeTest { name: string; score: number; max_score: number; status: string; output: string; visibility: string }
const results = (name: string) =>
  JSON.parse(readFileSync(join(out, 'submissions', name, 'results.json'), 'utf8')) as { score: number; max_score: number; output?: string; tests: GradescopeTest[] };

/** Processes this grading run could leave: anything working in, or started from, its copies folder. */
function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (cwd.startsWith(runsDir) || cmd.includes(runsDir)) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

beforeAll(async () => {
  for (let i = 1; i <= 20; i++) cpSync(join(repoRoot, 'labs/00-warmup/solution'), join(classDir, `student-${String(i).padStart(2, '0')}`, 'starter'), { recursive: true });
  for (const name of readdirSync(hostile).filter((n) => !n.includes('.'))) cpSync(join(hostile, name), join(classDir, name), { recursive: true });
  // A clone of the whole course repo layout, and a folder with nothing to run.
  cpSync(join(repoRoot, 'labs/00-warmup/solution'), join(classDir, 'repo-clone', 'labs', '00-warmup', 'starter'), { recursive: true });
  cpSync(join(hostile, 'README.md'), join(classDir, 'no-code', 'README.md'));
  grade = await execa(process.execPath, [join(repoRoot, 'cli/main.ts'), 'grade', '00', '--submissions', classDir, '--jobs', '2', '--out', out], {
    reject: false,
    all: true,
    env: { NO_COLOR: '1', LAB_RUNS_DIR: runsDir },
    timeout: 600_000,
  });
}, 660_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(runsDir, { recursive: true, force: true });
});

describe('lab grade 00 with a class of 20 good and 9 bad submissions', () => {
  test('the grade finishes and prints a summary table and the report paths', () => {
    expect(grade.exitCode, String(grade.all)).toBe(0);
    expect(grade.all).toContain('29 submission(s)');
    expect(grade.all).toMatch(/student-20\s*│\s*10\/10/);
    expect(grade.all).toContain('report.html');
  });

  test('every copy of the solution scores 10/10: no submission disturbs another', () => {
    for (let i = 1; i <= 20; i++) expect(results(`student-${String(i).padStart(2, '0')}`).score, `student-${i}`).toBe(10);
    expect(results('repo-clone').score).toBe(10);
  });

  test.each([
    ['hangs-at-start', 0, /did not answer GET \/health with 2xx/],
    ['crashes-at-start', 0, /exited with code 1 before it was ready[\s\S]*boom: could not read my configuration/],
    ['never-listens', 0, /did not answer GET \/health/],
    ['wrong-port', 0, /It listens on port \d+ instead: read the port from the PORT environment variable/],
    ['floods-output', 0, /printed more than 1048576 bytes/],
    ['crashes-on-request', 1, /the app is not running \(it exited with code 3\)/],
    ['no-code', 0, /entry file main\.ts is missing/],
  ])('%s scores %i with the reason in its results', (name, score, reason) => {
    const r = results(name);
    expect(r.score).toBe(score);
    expect(r.max_score).toBe(10);
    const failed = r.tests.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.output).toMatch(reason);
  });

  test('a submission that forks children, even into their own session, is graded and cleaned up', () => {
    expect(results('forks-children').score).toBe(10);
    expect(leftovers()).toEqual([]);
  });

  test('results.json follows Gradescope\'s format, with hidden tests kept hidden until published', () => {
    const r = results('student-01');
    expect(r.tests).toHaveLength(5);
    for (const t of r.tests) {
      expect(t).toMatchObject({ name: expect.any(String), score: expect.any(Number), max_score: expect.any(Number), status: expect.stringMatching(/^(passed|failed)$/) });
    }
    expect(r.tests.filter((t) => t.visibility === 'after_published')).toHaveLength(2);
    expect(r.tests.filter((t) => t.visibility === 'visible')).toHaveLength(3);
  });

  test('junit.xml, gradebook.csv and report.html describe the same class', () => {
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(out, 'junit.xml'), 'utf8'));
    const suites = junit.testsuites.testsuite as { name: string; failures: string }[];
    expect(suites).toHaveLength(29);
    expect(suites.find((s) => s.name.endsWith('hangs-at-start'))!.failures).toBe('5');

    const rows = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(29);
    expect(rows.find((r) => r.submission === 'crashes-on-request')).toMatchObject({ score: '1', max_score: '10', percent: '10.0' });

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Pass rate per test');
    expect(html).toContain('wrong-port');
    expect(existsSync(join(out, 'submissions', 'wrong-port', 'results.json'))).toBe(true);
  });
});
