import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { execa } from 'execa';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gradeSubmissions, listSubmissions } from '../../cli/harness/grade.ts';
import { findLab } from '../../cli/harness/labs.ts';
import { namespaceSupport } from '../../cli/harness/sandbox/index.ts';
import type { SubmissionResult } from '../../cli/harness/types.ts';
import { repoRoot } from '../../cli/paths.ts';

// `lab grade 00` over 20 copies of the solution plus hostile submissions, through the real CLI, once with the
// namespace layer (bubblewrap + Node's permission model) and once with Node's permission model alone. Every
// submission gets the score it deserves, with a reason; none gains points from an attack or disturbs another; the
// course tree, the grader's home and the shared node_modules stay as they were; no process or file is left behind.
const hostile = join(repoRoot, 'tests/fixtures/hostile');
const starter = join(repoRoot, 'labs/00-warmup/starter/main.ts');
const solution = join(repoRoot, 'labs/00-warmup/solution');
const work = mkdtempSync(join(tmpdir(), 'lab-grade-test-'));
/** What the bare starter earns (its /health route), graded in the same class: no attack may earn more. */
let starterPoints = 0;
/** Lab 00's maximum, as the solution copies score it. */
let full = 0;

/** Attacks that run and then serve the starter: each must score at most what the starter scores. */
const ATTACKS = [
  'imports-solution',
  'leaks-hidden-tests',
  'rewrites-tests',
  'forges-results',
  'writes-outside',
  'reads-neighbour',
  'kills-the-grader',
  'fork-bomb',
  'allocates-memory',
  'fills-scratch',
  'opens-sockets',
  'holds-ports',
  'runtime-symlink',
  'internal-binding',
];
/** Attacks on the shared network: no starter beside them; each serves only /health itself when the attack fails. */
const NETWORK_ATTACKS = ['proxies-neighbour'];
const BROKEN = [
  'hangs-at-start',
  'crashes-at-start',
  'never-listens',
  'wrong-port',
  'floods-output',
  'crashes-on-request',
  'forks-children',
];
/** Traces an escaped attack would leave. */
const TRACES = [
  join(homedir(), 'lab-hostile-was-here'),
  join(repoRoot, 'lab-hostile-was-here'),
  '/tmp/lab-hostile-was-here',
];
/** A piece of the hidden tests' source that no report may contain. */
const HIDDEN_SOURCE = "'x'.repeat(41)";

interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: string;
  output: string;
  visibility: string;
}
interface Graded {
  run: Awaited<ReturnType<typeof execa>>;
  out: string;
  runsDir: string;
  results(name: string): {
    score: number;
    max_score: number;
    output?: string;
    extra_data: { isolation: string };
    tests: GradescopeTest[];
  };
  leftovers: string[];
  leftoverFiles: string[];
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const gitStatus = async () =>
  (await execa('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repoRoot })).stdout;
const guarded = [
  join(repoRoot, 'node_modules/hono/package.json'),
  ...readdirSync(join(repoRoot, 'labs/00-warmup/tests'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name)),
];

/** Processes a grading run could leave: anything working in, or started from, its private runs folder. */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (cwd.startsWith(dir) || cmd.includes(dir)) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

/** One class folder: a student's folder per entry; attack fixtures get the starter beside them as starter.ts. */
function makeClass(name: string, { solutions, fixtures }: { solutions: number; fixtures: string[] }): string {
  const dir = join(work, name);
  for (let i = 1; i <= solutions; i++)
    cpSync(solution, join(dir, `student-${String(i).padStart(2, '0')}`, 'starter'), { recursive: true });
  for (const fixture of fixtures) {
    cpSync(join(hostile, fixture), join(dir, fixture), { recursive: true });
    if (ATTACKS.includes(fixture)) cpSync(starter, join(dir, fixture, 'starter.ts'));
  }
  // The untouched starter: the yardstick for every attack.
  cpSync(join(repoRoot, 'labs/00-warmup/starter'), join(dir, 'bare-starter'), { recursive: true });
  // A submission whose entry is a link to the course's own solution.
  mkdirSync(join(dir, 'links-to-solution'));
  symlinkSync(join(solution, 'main.ts'), join(dir, 'links-to-solution', 'main.ts'));
  return dir;
}

async function grade(name: string, classDir: string, isolation: string): Promise<Graded> {
  const out = join(work, `out-${name}`);
  const runsDir = mkdtempSync(join(tmpdir(), `lab-runs-${name}-`));
  const run = await execa(
    process.execPath,
    [
      join(repoRoot, 'cli/main.ts'),
      'grade',
      '00',
      '--submissions',
      classDir,
      '--jobs',
      '2',
      '--out',
      out,
      '--isolation',
      isolation,
    ],
    {
      reject: false,
      all: true,
      env: { NO_COLOR: '1', LAB_RUNS_DIR: runsDir },
      timeout: 600_000,
    },
  );
  return {
    run,
    out,
    runsDir,
    results: (n) => JSON.parse(readFileSync(join(out, 'submissions', n, 'results.json'), 'utf8')),
    leftovers: processesUnder(runsDir),
    leftoverFiles: readdirSync(runsDir),
  };
}

/** Attacks that do no harm outside a sandbox, graded without one to prove they are real (as mutants prove tests). */
const HARMLESS_ATTACKS = ['imports-solution', 'runtime-symlink', 'leaks-hidden-tests'];
let unsandboxed: SubmissionResult[] = [];
let statusBefore = '';
let hashesBefore: string[] = [];
let strict: Graded;
let permissionOnly: Graded;

beforeAll(async () => {
  expect(namespaceSupport(), 'these tests need bubblewrap (apt-get install bubblewrap)').toMatchObject({ ok: true });
  for (const trace of TRACES) rmSync(trace, { force: true });
  statusBefore = await gitStatus();
  hashesBefore = guarded.map(sha);
  const fixtures = [...ATTACKS, ...NETWORK_ATTACKS, ...BROKEN];
  const klass = makeClass('class-ns', { solutions: 20, fixtures });
  // A clone of the whole course repo layout, and a folder with nothing to run.
  cpSync(solution, join(klass, 'repo-clone', 'labs', '00-warmup', 'starter'), { recursive: true });
  cpSync(join(hostile, 'README.md'), join(klass, 'no-code', 'README.md'));
  strict = await grade('ns', klass, 'strict');
  full = strict.results('student-01').max_score;
  starterPoints = strict.results('bare-starter').score;
  permissionOnly = await grade(
    'perm',
    makeClass('class-perm', { solutions: 2, fixtures: [...ATTACKS, ...NETWORK_ATTACKS] }),
    'permission',
  );
  const bare = makeClass('class-none', { solutions: 0, fixtures: HARMLESS_ATTACKS });
  unsandboxed = await gradeSubmissions({
    lab: findLab('00'),
    submissions: listSubmissions(bare).filter((s) => HARMLESS_ATTACKS.includes(s.name)),
    jobs: 1,
    isolation: 'none',
  });
}, 1_260_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  for (const g of [strict, permissionOnly]) if (g) rmSync(g.runsDir, { recursive: true, force: true });
});

describe('lab grade 00 in the namespace sandbox: 20 good, the bare starter and 25 bad submissions', () => {
  test('the grade finishes, says which isolation it used, and prints a summary table and the report paths', () => {
    expect(strict.run.exitCode, String(strict.run.all)).toBe(0);
    expect(strict.run.all).toContain('46 submission(s)');
    expect(strict.run.all).toContain('Isolation: namespace (bubblewrap');
    expect(strict.run.all).toMatch(new RegExp(`student-20\\s*│\\s*${full}/${full}`));
    expect(strict.run.all).toContain('report.html');
  });

  test('every copy of the solution scores full marks: no submission disturbs another', () => {
    expect(full).toBeGreaterThan(starterPoints);
    for (let i = 1; i <= 20; i++)
      expect(strict.results(`student-${String(i).padStart(2, '0')}`).score, `student-${i}`).toBe(full);
    expect(strict.results('repo-clone').score).toBe(full);
  });

  test.each([...ATTACKS, ...NETWORK_ATTACKS])("%s gains nothing: at most the bare starter's points", (name) => {
    const r = strict.results(name);
    expect(r.extra_data.isolation).toMatch(/^namespace/);
    expect(r.score, JSON.stringify(r.tests.map((t) => [t.name, t.status, t.output.slice(0, 300)]))).toBeLessThanOrEqual(
      starterPoints,
    );
    expect(r.max_score).toBe(full);
  });

  test.each([
    ['hangs-at-start', 0, /did not answer GET \/health with 2xx/],
    ['crashes-at-start', 0, /exited with code 1 before it was ready[\s\S]*boom: could not read my configuration/],
    ['never-listens', 0, /did not answer GET \/health/],
    ['wrong-port', 0, /It listens on port \d+ instead: read the port from the PORT environment variable/],
    ['floods-output', 0, /printed more than 1048576 bytes/],
    ['crashes-on-request', -1, /the app is not running \(it exited with code 3\)/],
    ['no-code', 0, /entry file main\.ts is missing/],
    [
      'forks-children',
      0,
      /grading sandbox refused it ChildProcess access[\s\S]*start no processes or workers unless the lab allows it/,
    ],
    ['links-to-solution', 0, /entry file main\.ts is missing/],
  ])(
    '%s scores %i with the reason in its results (-1: what the bare starter scores, its /health)',
    (name, score, reason) => {
      const r = strict.results(name);
      if (score === -1) expect(r.score).toBeLessThanOrEqual(starterPoints);
      else expect(r.score).toBe(score);
      const failed = r.tests.filter((t) => t.status === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed[0]!.output).toMatch(reason);
    },
  );

  test('a linked entry file is named as not copied', () => {
    expect(strict.results('links-to-solution').output).toContain('main.ts is a symbolic link and was not copied');
  });

  test('a submission that fills its scratch folder is stopped at the limit, and the rest of the class still grades', () => {
    const r = strict.results('fills-scratch');
    expect(r.tests.map((t) => t.output).join('\n')).toMatch(
      /wrote more than \d+ bytes into its scratch folder|File size limit|EFBIG|ENOSPC|SIGXFSZ/,
    );
  });

  test("results.json follows Gradescope's format, with hidden tests kept hidden until published", () => {
    const r = strict.results('student-01');
    const tests = readdirSync(join(repoRoot, 'labs/00-warmup/tests'), { recursive: true, withFileTypes: true }).filter(
      (e) => e.name.endsWith('.test.ts'),
    );
    const count = (kind: string) =>
      tests
        .filter((e) => e.parentPath.endsWith(kind))
        .reduce((n, e) => n + (readFileSync(join(e.parentPath, e.name), 'utf8').match(/\bgraded\(/g) ?? []).length, 0);
    expect(r.tests).toHaveLength(count('public') + count('hidden'));
    for (const t of r.tests) {
      expect(t).toMatchObject({
        name: expect.any(String),
        score: expect.any(Number),
        max_score: expect.any(Number),
        status: expect.stringMatching(/^(passed|failed)$/),
      });
    }
    expect(r.tests.filter((t) => t.visibility === 'after_published')).toHaveLength(count('hidden'));
    expect(r.tests.filter((t) => t.visibility === 'visible')).toHaveLength(count('public'));
  });

  test('junit.xml, gradebook.csv and report.html describe the same class and the isolation used', () => {
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(join(strict.out, 'junit.xml'), 'utf8'),
    );
    const suites = junit.testsuites.testsuite as {
      name: string;
      failures: string;
      properties: { property: { name: string; value: string }[] };
    }[];
    expect(suites).toHaveLength(46);
    expect(suites.find((s) => s.name.endsWith('hangs-at-start'))!.failures).toBe(
      String(strict.results('student-01').tests.length),
    );
    expect(suites[0]!.properties.property.find((p) => p.name === 'isolation')!.value).toMatch(/^namespace/);

    const rows = parseCsv(readFileSync(join(strict.out, 'gradebook.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(46);
    expect(rows.find((r) => r.submission === 'crashes-on-request')).toMatchObject({
      score: String(strict.results('crashes-on-request').score),
      max_score: String(full),
      percent: ((100 * strict.results('crashes-on-request').score) / full).toFixed(1),
    });

    const html = readFileSync(join(strict.out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Pass rate per test');
    expect(html).toContain('Isolation: namespace (bubblewrap');
    expect(existsSync(join(strict.out, 'submissions', 'wrong-port', 'results.json'))).toBe(true);
  });
});

describe("lab grade 00 with Node's permission model alone", () => {
  test('the grade finishes and says it had no namespaces', () => {
    expect(permissionOnly.run.exitCode, String(permissionOnly.run.all)).toBe(0);
    expect(permissionOnly.run.all).toContain('Isolation: Node permission model only');
    expect(permissionOnly.results('student-01').extra_data.isolation).toMatch(/^Node permission model only/);
    expect(permissionOnly.results('student-01').score).toBe(full);
    expect(permissionOnly.results('student-02').score).toBe(full);
  });

  test.each([...ATTACKS, ...NETWORK_ATTACKS])("%s gains nothing: at most the bare starter's points", (name) => {
    const r = permissionOnly.results(name);
    expect(r.score, JSON.stringify(r.tests.map((t) => [t.name, t.status, t.output.slice(0, 300)]))).toBeLessThanOrEqual(
      starterPoints,
    );
  });
});

describe('the attacks are real: without a sandbox they succeed', () => {
  const outcome = (name: string) => unsandboxed.find((r) => r.submission === name)!;
  test('importing the solution, directly or through a link, scores full marks', () => {
    expect(outcome('imports-solution').score).toBe(full);
    expect(outcome('runtime-symlink').score).toBe(full);
  });

  test("the hidden tests' source lands in the failure output", () => {
    expect(
      outcome('leaks-hidden-tests')
        .tests.map((t) => t.message)
        .join('\n'),
    ).toContain(HIDDEN_SOURCE);
  });
});

describe('after both classes', () => {
  test('the course tree is byte-identical: no test, file or dependency changed, nothing added', async () => {
    expect(await gitStatus()).toBe(statusBefore);
    expect(guarded.map(sha)).toEqual(hashesBefore);
  });

  test("nothing was written into the grader's home, the course folder or /tmp", () => {
    for (const trace of TRACES) expect(existsSync(trace), trace).toBe(false);
  });

  test('no report contains the source of a hidden test', () => {
    for (const g of [strict, permissionOnly]) {
      for (const file of ['junit.xml', 'gradebook.csv', 'report.html'])
        expect(readFileSync(join(g.out, file), 'utf8')).not.toContain(HIDDEN_SOURCE);
      for (const name of readdirSync(join(g.out, 'submissions'))) {
        expect(readFileSync(join(g.out, 'submissions', name, 'results.json'), 'utf8'), name).not.toContain(
          HIDDEN_SOURCE,
        );
      }
    }
  });

  test('no process and no file of either run is left', () => {
    expect(strict.leftovers).toEqual([]);
    expect(permissionOnly.leftovers).toEqual([]);
    expect(strict.leftoverFiles).toEqual([]);
    expect(permissionOnly.leftoverFiles).toEqual([]);
  });
});
