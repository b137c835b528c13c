import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findLab } from '../../cli/harness/labs.ts';
import { repoRoot } from '../../cli/paths.ts';

// `lab export --gradescope NN` through the real CLI; the zip unpacked into a stand-in for /autograder
// (AUTOGRADER_ROOT), and run_autograder run on a solution, the starter, a hostile submission and an empty one, the
// way Gradescope runs it. Each results.json is checked against a JSON Schema written from Gradescope's specification.
const work = mkdtempSync(join(tmpdir(), 'lab-gradescope-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const schema = JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/gradescope/results.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

/** Unix modes of a zip's entries, from its central directory (what Gradescope's unzip restores). */
function zipModes(zip: Buffer): Map<string, number> {
  const modes = new Map<string, number>();
  for (
    let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    at >= 0;
    at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)
  ) {
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    modes.set(zip.toString('utf8', at + 46, at + 46 + nameLength), zip.readUInt32LE(at + 38) >>> 16);
    at += 46 + nameLength + extra + comment - 4;
  }
  return modes;
}

interface Autograder {
  root: string;
  files: Record<string, Uint8Array>;
  zip: Buffer;
}
async function exportLab(id: string): Promise<Autograder> {
  const out = join(work, `export-${id}`);
  const run = await execa(
    process.execPath,
    [join(repoRoot, 'cli/main.ts'), 'export', '--gradescope', id, '--out', out],
    { cwd: repoRoot, reject: false, all: true, env: { NO_COLOR: '1' } },
  );
  expect(run.exitCode, run.all).toBe(0);
  const zip = readFileSync(join(out, 'autograder.zip'));
  const files = unzipSync(new Uint8Array(zip));
  const root = join(work, `root-${id}`);
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(root, 'source', name)), { recursive: true });
    writeFileSync(join(root, 'source', name), data);
  }
  // setup.sh runs npm ci on Gradescope; here the course's installed packages stand in for it.
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'source', 'course', 'node_modules'));
  return { root, files, zip };
}

/** Gradescope: put the submission in /autograder/submission, run run_autograder, read results/results.json. */
function runAutograder(ag: Autograder, submission: string) {
  rmSync(join(ag.root, 'submission'), { recursive: true, force: true });
  rmSync(join(ag.root, 'results'), { recursive: true, force: true });
  cpSync(submission, join(ag.root, 'submission'), { recursive: true });
  mkdirSync(join(ag.root, 'results'));
  const run = spawnSync('bash', [join(ag.root, 'source', 'run_autograder')], {
    cwd: ag.root,
    encoding: 'utf8',
    env: { ...process.env, AUTOGRADER_ROOT: ag.root, NO_COLOR: '1' },
    timeout: 180_000,
  });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  const results = JSON.parse(readFileSync(join(ag.root, 'results', 'results.json'), 'utf8'));
  expect(validate(results), JSON.stringify(validate.errors)).toBe(true);
  return results as {
    score: number;
    max_score: number;
    output: string;
    tests: { name: string; score: number; status: string; visibility: string; output: string }[];
  };
}

let lab00: Autograder;
beforeAll(async () => {
  lab00 = await exportLab('00');
}, 120_000);

describe('lab export --gradescope 00', () => {
  test('the zip holds setup.sh and run_autograder at its root, executable, and the grading edition without answers', () => {
    const names = Object.keys(lab00.files);
    expect(names).toContain('setup.sh');
    expect(names).toContain('run_autograder');
    const modes = zipModes(lab00.zip);
    expect(modes.get('setup.sh')! & 0o111).toBe(0o111);
    expect(modes.get('run_autograder')! & 0o111).toBe(0o111);
    expect(names.some((n) => n.startsWith('course/labs/00-warmup/tests/hidden/'))).toBe(true);
    expect(names).toContain('course/labs/00-warmup/lab.json');
    expect(names).toContain('course/package-lock.json');
    expect(names.some((n) => n.includes('/solution/'))).toBe(false);
    expect(names.some((n) => n.includes('/mutants/'))).toBe(false);
    expect(names.some((n) => n.startsWith('course/labs/01-'))).toBe(false);
    expect(names.some((n) => n.startsWith('course/tests/'))).toBe(false);
    const setup = new TextDecoder().decode(lab00.files['setup.sh']);
    expect(setup).toContain(`node-v${process.versions.node}-linux-x64.tar.xz`);
    expect(setup).toContain('npm ci');
    expect(spawnSync('bash', ['-n', join(lab00.root, 'source', 'setup.sh')]).status).toBe(0);
  });

  test('a solution scores full marks; hidden tests are shown after grades are published', { timeout: 180_000 }, () => {
    const r = runAutograder(lab00, join(findLab('00').dir, 'solution'));
    expect(r.max_score).toBeGreaterThan(0);
    expect(r.score).toBe(r.max_score);
    expect(r.output).toContain('Every test passed.');
    expect(r.tests.some((t) => t.visibility === 'after_published')).toBe(true);
    expect(r.tests.every((t) => t.status === 'passed')).toBe(true);
  });

  test('the starter scores low, and the output says where to start and how to check locally', {
    timeout: 180_000,
  }, () => {
    const r = runAutograder(lab00, join(findLab('00').dir, 'starter'));
    expect(r.score).toBeLessThan(r.max_score * 0.3 + 0.001);
    expect(r.output).toMatch(/Start with "[^"]+"/);
    expect(r.output).toContain('npm run lab -- check 00');
    expect(r.tests.find((t) => t.status === 'failed')!.output.length).toBeGreaterThan(0);
  });

  test('a submission that imports the solution gains nothing: there is none to import, and the sandbox holds', {
    timeout: 180_000,
  }, () => {
    const sub = join(work, 'hostile');
    cpSync(join(repoRoot, 'tests/fixtures/hostile/imports-solution'), sub, { recursive: true });
    cpSync(join(findLab('00').dir, 'starter', 'main.ts'), join(sub, 'starter.ts'));
    const starter = runAutograder(lab00, join(findLab('00').dir, 'starter'));
    const r = runAutograder(lab00, sub);
    expect(r.score).toBeLessThanOrEqual(starter.score);
  });

  test("a submission without main.ts gets 0 of the lab's points and a sentence saying what to upload", {
    timeout: 180_000,
  }, () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'I forgot the code');
    const r = runAutograder(lab00, empty);
    expect(r.score).toBe(0);
    expect(r.max_score).toBeGreaterThan(0);
    expect(r.output).toContain('No main.ts was found in your submission');
  });
});

describe('lab export --gradescope 03 (a lab with a mock server)', () => {
  test('its solution scores full marks from the unpacked zip', { timeout: 240_000 }, async () => {
    const ag = await exportLab('03');
    const r = runAutograder(ag, join(findLab('03').dir, 'solution'));
    expect(r.score).toBe(r.max_score);
  });
});
