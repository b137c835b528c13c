// The student's and the instructor's loop where it broke when tried (issue #12, item 6): --dir paths, progress kept
// for the starter only, a crash's error line, lab start on a taken port and after a crash, grade over linked folders,
// a reused --out, and the report's median.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { listSubmissions } from '../../cli/harness/grade.ts';
import { findLab } from '../../cli/harness/labs.ts';
import { freePort } from '../../cli/harness/ports.ts';
import { medianOf, writeReports } from '../../cli/harness/reports.ts';
import { excerptOutput } from '../../cli/harness/target.ts';
import type { SubmissionResult } from '../../cli/harness/types.ts';
import { repoRoot } from '../../cli/paths.ts';

const cli = join(repoRoot, 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'student-loop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const lab00 = findLab('00');

function lab(args: string[], cwd = repoRoot, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('lab check --dir', () => {
  const progressFile = join(repoRoot, '.cache', 'progress.json');
  const copy = join(work, 'my-solution');
  cpSync(join(lab00.dir, 'solution'), copy, { recursive: true });

  test("an absolute --dir is checked where it is, and is not recorded as the lab's progress", {
    timeout: 60_000,
  }, () => {
    const before = existsSync(progressFile) ? readFileSync(progressFile, 'utf8') : undefined;
    const r = lab(['check', '00', '--dir', copy]);
    expect(r.out).toMatch(/Score:\*{0}\s*(\d+)\/\1 public points/);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Not recorded as your progress');
    expect(existsSync(progressFile) ? readFileSync(progressFile, 'utf8') : undefined).toBe(before);
  });

  test('a relative --dir is taken from where the command runs', { timeout: 60_000 }, () => {
    const r = lab(['check', '00', '--dir', relative(work, copy)], work);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Score:\s*(\d+)\/\1 public points/);
  });

  test('a folder that does not exist, or has no entry file, is named with what to fix', { timeout: 60_000 }, () => {
    const missing = lab(['check', '00', '--dir', join(work, 'nope')]);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain(`there is no folder ${join(work, 'nope')}`);
    mkdirSync(join(work, 'empty'));
    const empty = lab(['check', '00', '--dir', join(work, 'empty')]);
    expect(empty.code).not.toBe(0);
    expect(empty.out).toContain('has no main.ts');
  });
});

describe('a crash is shown with its error line', () => {
  test('the error line stays when the stack frames after it fill the excerpt', () => {
    const frames = Array.from({ length: 30 }, (_, i) => `    at frame${i} (file:///app/x.ts:${i}:1)`);
    const output = [
      'node:internal/modules/esm/resolve:873',
      '  throw new ERR_MODULE_NOT_FOUND(packageName, fileURLToPath(base), null);',
      '',
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'left-pad' imported from /app/main.ts",
      ...frames,
      '',
      'Node.js v24.0.0',
    ].join('\n');
    const excerpt = excerptOutput(output);
    expect(excerpt.split('\n')[0]).toBe(
      "  | Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'left-pad' imported from /app/main.ts",
    );
    expect(excerpt).toContain('  | …');
    expect(excerpt).toContain('Node.js v24.0.0');
  });

  test('a short output is quoted whole, once', () => {
    const excerpt = excerptOutput('TypeError: x is not a function\n    at main (file:///app/main.ts:3:1)\n');
    expect(excerpt).toBe('  | TypeError: x is not a function\n  |     at main (file:///app/main.ts:3:1)');
  });

  test('lab check of an app that imports a missing package shows the package', { timeout: 60_000 }, () => {
    const broken = join(work, 'broken');
    cpSync(join(lab00.dir, 'starter'), broken, { recursive: true });
    writeFileSync(
      join(broken, 'main.ts'),
      `import 'no-such-package-in-the-course';\n${readFileSync(join(broken, 'main.ts'), 'utf8')}`,
    );
    const r = lab(['check', '00', '--dir', broken]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("Cannot find package 'no-such-package-in-the-course'");
  });
});

describe('lab check in Ukrainian (LAB_LANG=uk)', () => {
  const uk = { LAB_LANG: 'uk' };
  const hints = Object.assign({}, ...Object.values(JSON.parse(readFileSync(join(lab00.dir, 'hints.uk.json'), 'utf8'))));

  test('a real run of the starter: lines, hints, score and next step in Ukrainian; test names in English', {
    timeout: 60_000,
  }, () => {
    const starter = join(work, 'uk-starter');
    cpSync(join(lab00.dir, 'starter'), starter, { recursive: true });
    const r = lab(['check', '00', '--dir', starter], repoRoot, uk);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('(відкриті тести на');
    // The starter has /health and no /hello: the failing test's line, its sentence and its Ukrainian hint.
    expect(r.out).toContain('✗ GET /hello greets the world when no name is given');
    expect(r.out).toContain('GET /hello повернув код відповіді 404, а очікували 200');
    expect(r.out).toContain(`підказка: ${hints['GET /hello greets the world when no name is given']}`);
    expect(r.out).not.toContain('hint:');
    expect(r.out).toMatch(/Результат:\s*1\/9 балів за відкриті тести \(11 %\)/);
    expect(r.out).toContain('Далі: доможіться, щоб тест "GET /hello greets the world when no name is given" проходив');
    expect(r.out).toContain('Не записано як ваш поступ у лабораторній 00-warmup');
  });

  test('an app that crashes before it is ready is explained in Ukrainian, with its own output', {
    timeout: 60_000,
  }, () => {
    const crashing = join(work, 'uk-crash');
    mkdirSync(crashing);
    writeFileSync(join(crashing, 'main.ts'), `console.error('cannot read the settings');\nprocess.exit(3);\n`);
    const r = lab(['check', '00', '--dir', crashing], repoRoot, uk);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('застосунок завершився з кодом 3, перш ніж став готовим.');
    expect(r.out).toContain('останній вивід застосунку:');
    expect(r.out).toContain('  | cannot read the settings');
    expect(r.out).toMatch(/Результат:\s*0\/9/);
  });

  test('bad input is refused in Ukrainian', { timeout: 60_000 }, () => {
    const unknown = lab(['check', '77'], repoRoot, uk);
    expect(unknown.code).not.toBe(0);
    expect(unknown.out).toContain('помилка: немає лабораторної "77". Лабораторні:');
    const missing = lab(['check', '00', '--dir', join(work, 'nowhere')], repoRoot, uk);
    expect(missing.out).toContain(`помилка: немає теки ${join(work, 'nowhere')} (із --dir`);
  });
});

describe('lab start', () => {
  test('a port another program holds is refused before anything starts', { timeout: 60_000 }, async () => {
    // Another program that even answers /health on the port: lab start must not take it for the app.
    const other = createServer((_req, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => other.listen(0, resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, 'start', '00', '--solution', '--port', String(port)], {
          cwd: repoRoot,
          env: { ...process.env, NO_COLOR: '1' },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
      expect(r.code).not.toBe(0);
      expect(r.out).toContain(`port ${port} is taken by another program`);
      expect(r.out).not.toContain('✓');
    } finally {
      other.close();
    }
  });

  test('after a crash the app starts again on Enter, the mocks still running', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [cli, 'start', '00', '--solution', '--port', String(port)], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const until = async (what: RegExp) => {
      for (let i = 0; i < 300 && !what.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(what);
    };
    try {
      await until(/kill -9 (\d+) crashes it/);
      const pid = Number(/kill -9 (\d+) crashes it/.exec(out)![1]);
      process.kill(pid, 'SIGKILL');
      await until(/Press Enter to start the app again/);
      expect(child.exitCode).toBeNull();
      child.stdin.write('\n');
      await until(/the app runs again/);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

test("lab start --env hands the app extra variables, over the lab's", { timeout: 60_000 }, async () => {
  const dir = join(work, 'env-app');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.ts'),
    `import { createServer } from 'node:http';\nconsole.log('GREETING=' + process.env.GREETING + ' EXTRA=' + process.env.EXTRA);\ncreateServer((_q, r) => r.end('{"status":"ok"}')).listen(Number(process.env.PORT));\n`,
  );
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [cli, 'start', '00', '--dir', dir, '--port', String(port), '--env', 'GREETING=a=b', '--env', 'EXTRA=1'],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    for (let i = 0; i < 300 && !out.includes('EXTRA='); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('GREETING=a=b EXTRA=1');
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
});

describe('lab grade', () => {
  const result = (name: string, score: number): SubmissionResult => ({
    submission: name,
    lab: lab00.id,
    isolation: 'test',
    score,
    maxScore: 10,
    tests: [],
    problems: [],
    durationMs: 1,
  });

  test('a submission folder that is a link to a clone is graded, not skipped', () => {
    const clones = join(work, 'clones', 'ana');
    mkdirSync(clones, { recursive: true });
    const subs = join(work, 'subs');
    mkdirSync(join(subs, 'bo'), { recursive: true });
    symlinkSync(clones, join(subs, 'ana'));
    symlinkSync(join(work, 'nowhere'), join(subs, 'dangling'));
    expect(listSubmissions(subs).map((s) => [s.name, s.dir])).toEqual([
      ['ana', clones],
      ['bo', join(subs, 'bo')],
    ]);
  });

  test("a reused --out keeps only this run's results, and never a student's own folder", () => {
    const out = join(work, 'out');
    writeReports(out, lab00, [result('ana', 10), result('gone', 3)]);
    mkdirSync(join(out, 'submissions', 'students-work'));
    writeFileSync(join(out, 'submissions', 'students-work', 'main.ts'), 'keep me');
    writeReports(out, lab00, [result('ana', 9)]);
    expect(existsSync(join(out, 'submissions', 'gone'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'submissions', 'ana', 'results.json'), 'utf8')).score).toBe(9);
    expect(readFileSync(join(out, 'submissions', 'students-work', 'main.ts'), 'utf8')).toBe('keep me');
  });

  test("the report's median of an even count is the mean of the middle two", () => {
    expect(medianOf([0, 1])).toBe(0.5);
    expect(medianOf([0, 0.5, 1])).toBe(0.5);
    expect(medianOf([])).toBe(0);
  });
});
