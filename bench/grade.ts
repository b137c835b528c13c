// Grading speed: grades N copies of lab 00's solution and prints the per-submission median, the harness's overhead
// against running the same Vitest tests directly on the solution folder, and submissions per second with --jobs 1
// and --jobs 2. Prints figures; asserts nothing.   Run: node bench/grade.ts [--copies 6] [--lab 00]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gradeSubmissions, listSubmissions } from '../cli/harness/grade.ts';
import { findLab } from '../cli/harness/labs.ts';
import { repoRoot } from '../cli/services/docker.ts';

const { values } = parseArgs({ options: { copies: { type: 'string', default: '6' }, lab: { type: 'string', default: '00' } } });
const copies = Math.max(2, Math.min(40, Number(values.copies)));
const lab = findLab(values.lab!);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The baseline: the lab's tests run by Vitest straight on the solution folder, as one would without the harness. */
function direct(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(repoRoot, 'cli/harness/vitest.lab.config.ts')], {
    cwd: repoRoot,
    stdio: 'ignore',
    env: {
      ...process.env,
      LAB_DIR: lab.dir,
      LAB_TARGET_DIR: join(lab.dir, 'solution'),
      LAB_VISIBILITY: 'public,hidden',
      LAB_PREFIX: 'bench',
      LAB_RUN_ID: 'bench',
      LAB_WORKERS: '1',
    },
  });
  return new Promise((resolve) => child.once('close', () => resolve(performance.now() - t0)));
}

const work = mkdtempSync(join(tmpdir(), 'lab-grade-bench-'));
try {
  for (let i = 1; i <= copies; i++) cpSync(join(lab.dir, 'solution'), join(work, `s${i}`, 'starter'), { recursive: true });
  const submissions = listSubmissions(work);

  const directMs: number[] = [];
  for (let i = 0; i < 3; i++) directMs.push(await direct());

  const rows: Record<string, string | number>[] = [];
  let perSubmission: number[] = [];
  for (const jobs of [1, 2]) {
    const t0 = performance.now();
    const results = await gradeSubmissions({ lab, submissions, jobs });
    const seconds = (performance.now() - t0) / 1000;
    const wrong = results.filter((r) => r.score !== r.maxScore).length;
    if (jobs === 1) perSubmission = results.map((r) => r.durationMs);
    rows.push({ jobs, submissions: copies, seconds: seconds.toFixed(1), 'submissions/s': (copies / seconds).toFixed(2), 'not 100 %': wrong });
  }
  console.log(`lab ${lab.id}: ${copies} copies of the solution, public + hidden tests`);
  console.table(rows);
  const harness = median(perSubmission);
  const baseline = median(directMs);
  console.log(`per-submission median (--jobs 1): ${(harness / 1000).toFixed(2)} s`);
  console.log(`same tests run directly by Vitest: ${(baseline / 1000).toFixed(2)} s (median of 3)`);
  console.log(`harness overhead: ${(harness / baseline).toFixed(2)}× (target ≤ 1.5×)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
