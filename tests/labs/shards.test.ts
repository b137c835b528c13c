import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shardOf } from '../../cli/harness/grade.ts';
import { findLab } from '../../cli/harness/labs.ts';
import { loadMutants, materializeMutant } from '../../cli/harness/mutants.ts';
import { readGrading } from '../../cli/harness/reports.ts';
import { repoRoot } from '../../cli/paths.ts';

// A class graded in one run, and the same class graded as two shards then merged, through the real CLI: the shards
// split the class without overlap, and the merged reports say what the single run says. Then one gradebook across
// labs in the shapes Moodle and Canvas import, from GitHub Classroom's roster.
const work = mkdtempSync(join(tmpdir(), 'lab-shards-'));
const klass = join(work, 'class');
const lab00 = findLab('00');
const lab = (...args: string[]) =>
  execa(process.execPath, [join(repoRoot, 'cli/main.ts'), ...args], {
    cwd: work,
    reject: false,
    all: true,
    env: { NO_COLOR: '1' },
    timeout: 300_000,
  });
// GitHub Classroom names each student's repository <assignment>-<github username>.
const students = ['ana-k', 'bohdan', 'chen', 'dara', 'emil', 'fatima', 'gleb'];
const folder = (u: string) => `warmup-${u}`;
const out = (name: string) => join(work, name);

beforeAll(async () => {
  const mutant = materializeMutant(lab00, loadMutants(lab00).find((m) => m.slug === 'greeting-no-comma')!);
  students.forEach((u, i) => {
    const from = i % 3 === 0 ? join(lab00.dir, 'solution') : i % 3 === 1 ? join(lab00.dir, 'starter') : mutant;
    cpSync(from, join(klass, folder(u)), { recursive: true });
  });
  rmSync(mutant, { recursive: true, force: true });
  for (const args of [
    ['--out', out('all')],
    ['--shard', '1/2', '--out', out('s1')],
    ['--shard', '2/2', '--out', out('s2')],
  ]) {
    const run = await lab('grade', '00', '--submissions', klass, '--jobs', '2', ...args);
    expect(run.exitCode, run.all).toBe(0);
  }
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('lab grade --shard i/n and lab grade merge', () => {
  test('the shards split the class: every submission in exactly one, each shard as the hash says', () => {
    const s1 = readGrading(out('s1')).results.map((r) => r.submission);
    const s2 = readGrading(out('s2')).results.map((r) => r.submission);
    expect(s1.length).toBeGreaterThan(0);
    expect(s2.length).toBeGreaterThan(0);
    expect([...s1, ...s2].sort()).toEqual(students.map(folder).sort());
    for (const name of s1) expect(shardOf(name, 2)).toBe(1);
    for (const name of s2) expect(shardOf(name, 2)).toBe(2);
    expect(readGrading(out('s1')).shard).toBe('1/2');
  });

  test("merged shards give the single run's gradebook, per-student results and test suites", async () => {
    const merge = await lab('grade', 'merge', out('s1'), out('s2'), '--out', out('merged'));
    expect(merge.exitCode, merge.all).toBe(0);
    expect(merge.all).toContain(`${students.length} submission(s) of 00-warmup from 2 run(s)`);
    expect(readFileSync(join(out('merged'), 'gradebook.csv'), 'utf8')).toBe(
      readFileSync(join(out('all'), 'gradebook.csv'), 'utf8'),
    );
    const verdicts = (dir: string, name: string) => {
      const r = JSON.parse(readFileSync(join(dir, 'submissions', name, 'results.json'), 'utf8'));
      return {
        score: r.score,
        tests: r.tests.map((t: { name: string; score: number; status: string }) => [t.name, t.score, t.status]),
      };
    };
    expect(readdirSync(join(out('merged'), 'submissions')).sort()).toEqual(
      readdirSync(join(out('all'), 'submissions')).sort(),
    );
    for (const u of students) expect(verdicts(out('merged'), folder(u))).toEqual(verdicts(out('all'), folder(u)));
    // junit.xml: the same suites and cases in the same order (times differ between runs).
    const shape = (dir: string) => readFileSync(join(dir, 'junit.xml'), 'utf8').replace(/ time="[\d.]+"/g, '');
    expect(shape(out('merged'))).toBe(shape(out('all')));
    // The scores really differ across the class: the comparison is not of empty or uniform files.
    expect(new Set(readGrading(out('all')).results.map((r) => r.score)).size).toBe(3);
  });

  test('a submission in two shards, a missing shard and wrong arguments are refused or named', async () => {
    const twice = await lab('grade', 'merge', out('s1'), out('s1'), '--out', out('bad'));
    expect(twice.exitCode).toBe(1);
    expect(twice.all).toContain('was graded in two runs');
    const half = await lab('grade', 'merge', out('s1'), '--out', out('half'));
    expect(half.exitCode, half.all).toBe(0);
    expect(half.all).toContain('shard(s) 2/2 missing');
    const notOut = await lab('grade', 'merge', klass, '--out', out('bad2'));
    expect(notOut.all).toContain('holds no grading.json');
    const badShard = await lab('grade', '00', '--submissions', klass, '--shard', '3/2');
    expect(badShard.exitCode).toBe(1);
    expect(badShard.all).toContain('--shard 3/2: write it as i/n');
  });
});

describe('lab gradebook', () => {
  const roster = join(work, 'classroom_roster.csv');
  beforeAll(() => {
    // GitHub Classroom's roster export; one student (zoe) has not submitted, and one folder (gleb) is not on it.
    const rows = students
      .filter((u) => u !== 'gleb')
      .map((u) => `"${u}@uni.example","${u}","${1000 + u.length}","${u.toUpperCase()} Student"`);
    writeFileSync(
      roster,
      ['"identifier","github_username","github_id","name"', ...rows, '"zoe@uni.example","zoe","42","Zoe Student"'].join(
        '\n',
      ),
    );
  });
  const csv = (file: string) => parse(readFileSync(file, 'utf8')) as string[][];
  const percentOf = (u: string) => {
    const r = readGrading(out('all')).results.find((x) => x.submission === folder(u))!;
    return String(Math.round((1000 * r.score) / r.maxScore) / 10);
  };

  test("canvas: Canvas's columns, a Points Possible row, one column per lab, students by SIS Login ID", async () => {
    const run = await lab(
      'gradebook',
      out('all'),
      '--format',
      'canvas',
      '--roster',
      roster,
      '--out',
      join(work, 'canvas.csv'),
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('no student in the roster for: warmup-gleb');
    const rows = csv(join(work, 'canvas.csv'));
    expect(rows[0]).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Lab 00-warmup']);
    expect(rows[1]).toEqual(['Points Possible', '', '', '', '', '100']);
    expect(rows.find((r) => r[3] === 'ana-k@uni.example')).toEqual([
      'ANA-K Student',
      '',
      '',
      'ana-k@uni.example',
      '',
      percentOf('ana-k'),
    ]);
    expect(rows.find((r) => r[3] === 'bohdan@uni.example')![5]).toBe(percentOf('bohdan'));
    expect(rows.find((r) => r[3] === 'zoe@uni.example')![5]).toBe('');
    expect(rows).toHaveLength(2 + students.length); // six matched students and zoe
  });

  test('moodle: an Email address column Moodle maps to its users, one column per lab; shards of a lab are joined', async () => {
    const run = await lab(
      'gradebook',
      out('s1'),
      out('s2'),
      '--format',
      'moodle',
      '--roster',
      roster,
      '--out',
      join(work, 'moodle.csv'),
    );
    expect(run.exitCode, run.all).toBe(0);
    const rows = csv(join(work, 'moodle.csv'));
    expect(rows[0]).toEqual(['Email address', 'Full name', 'Lab 00-warmup']);
    expect(rows.find((r) => r[0] === 'chen@uni.example')).toEqual([
      'chen@uni.example',
      'CHEN Student',
      percentOf('chen'),
    ]);
  });

  test('without a roster Moodle and Canvas are refused; plain lists the folders', async () => {
    const refused = await lab('gradebook', out('all'), '--format', 'canvas', '--out', join(work, 'x.csv'));
    expect(refused.exitCode).toBe(1);
    expect(refused.all).toContain('--format canvas needs --roster');
    const plain = await lab('gradebook', out('all'), '--out', join(work, 'plain.csv'));
    expect(plain.exitCode, plain.all).toBe(0);
    expect(csv(join(work, 'plain.csv'))).toEqual([
      ['student', 'Lab 00-warmup'],
      ...students.map((u) => [folder(u), percentOf(u)]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
    ]);
  });
});
