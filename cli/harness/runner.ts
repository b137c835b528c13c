import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { amqpUrl, kafkaBrokers } from '../services/config.ts';
import { repoRoot } from '../services/docker.ts';
import { signalGroup } from '../services/processes.ts';
import type { ReporterLine } from './reporter.ts';
import { killMarked } from './target.ts';
import type { LabSpec, SubmissionResult, TestOutcome, Visibility } from './types.ts';

/**
 * Where grading runs copy targets: inside the repo, so the app resolves the course's node_modules.
 * LAB_RUNS_DIR moves it (tests use their own, to find exactly their own leftovers).
 */
export const runsDir = process.env.LAB_RUNS_DIR ?? join(repoRoot, '.cache', 'runs');
const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
const labConfig = join(import.meta.dirname, 'vitest.lab.config.ts');
const MAX_TARGET_BYTES = 20 * 1024 * 1024;

export interface RunOptions {
  lab: LabSpec;
  /** Folder with the lab's entry file (starter/, solution/, or a submission's folder). */
  targetDir: string;
  visibility: Visibility[];
  /** Name for reports (student, "solution", "starter", a mutant's name…). */
  name: string;
  /** Test workers inside this run (default 2). */
  workers?: number;
  /** Copy the target first (grading: protects the original and isolates runs). Default true. */
  copy?: boolean;
}

/** Where a submission keeps this lab's code: a clone of the course repo, or just the lab or starter folder. */
export function resolveTarget(submissionDir: string, lab: LabSpec): string | undefined {
  const candidates = [
    join(submissionDir, 'labs', lab.id, 'starter'),
    join(submissionDir, lab.id, 'starter'),
    join(submissionDir, 'starter'),
    submissionDir,
  ];
  return candidates.find((dir) => existsSync(join(dir, lab.entry)));
}

function folderSize(dir: string, limit: number): number {
  let total = 0;
  const walk = (d: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return; // unreadable: nothing to count
    }
    for (const name of names) {
      if (name === 'node_modules' || name === '.git') continue;
      const p = join(d, name);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) continue;
      if (s.isDirectory()) walk(p);
      else total += s.size;
      if (total > limit) return;
    }
  };
  walk(dir);
  return total;
}

/**
 * Run a lab's tests (public, or public + hidden) against one target in a separate Vitest process, with a time limit
 * on the whole run, and turn the outcome into per-test points. The target never runs inside this process.
 */
export async function runLab(options: RunOptions): Promise<SubmissionResult> {
  const { lab, visibility, name } = options;
  const started = Date.now();
  const runId = `lab${lab.id.slice(0, 2)}-${randomUUID().slice(0, 12)}`;
  const workDir = join(runsDir, runId);
  mkdirSync(workDir, { recursive: true });
  const problems: string[] = [];
  let targetDir = options.targetDir;
  try {
    if (options.copy !== false && existsSync(targetDir)) {
      if (folderSize(targetDir, MAX_TARGET_BYTES) > MAX_TARGET_BYTES) {
        problems.push(`the submission is larger than ${MAX_TARGET_BYTES / 1024 / 1024} MB (without node_modules); it was not run`);
        targetDir = join(workDir, 'missing');
      } else {
        const copy = join(workDir, 'target');
        cpSync(targetDir, copy, {
          recursive: true,
          filter: (src) => !/(^|\/)(node_modules|\.git)(\/|$)/.test(relative(targetDir, src)),
        });
        targetDir = copy;
      }
    }
    const resultsFile = join(workDir, 'results.jsonl');
    const { timedOut, output } = await runVitest({
      env: {
        LAB_DIR: lab.dir,
        LAB_TARGET_DIR: targetDir,
        LAB_VISIBILITY: visibility.join(','),
        LAB_PREFIX: runId,
        LAB_RUN_ID: runId,
        LAB_RESULTS_FILE: resultsFile,
        LAB_TEST_MS: String(lab.limits.testMs),
        LAB_START_MS: String(lab.limits.startMs),
        LAB_WORKERS: String(options.workers ?? 2),
        AMQP_URL: amqpUrl(),
        KAFKA_BROKERS: kafkaBrokers().join(','),
      },
      timeoutMs: lab.limits.totalMs,
    });
    if (timedOut) problems.push(`the run hit its time limit of ${Math.round(lab.limits.totalMs / 1000)} s and was stopped`);
    const tests = collectOutcomes(resultsFile, lab, timedOut);
    if (tests.length === 0) problems.push(`no test results (the test run failed to start):\n${output.slice(-2000)}`);
    const score = tests.reduce((sum, t) => sum + t.score, 0);
    const maxScore = tests.reduce((sum, t) => sum + t.points, 0);
    return { submission: name, lab: lab.id, score, maxScore, tests, problems, durationMs: Date.now() - started };
  } finally {
    killMarked(runId);
    rmSync(workDir, { recursive: true, force: true });
  }
}

function collectOutcomes(file: string, lab: LabSpec, timedOut: boolean): TestOutcome[] {
  if (!existsSync(file)) return [];
  const byId = new Map<string, TestOutcome>();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (!raw.trim()) continue;
    const line = JSON.parse(raw) as ReporterLine;
    const rel = relative(join(lab.dir, 'tests'), line.file);
    const visibility: Visibility = rel.startsWith('hidden') ? 'hidden' : 'public';
    const points = line.points ?? 0;
    const previous = byId.get(line.id);
    if (line.kind === 'collected') {
      if (!previous) {
        byId.set(line.id, {
          name: line.name,
          file: rel,
          visibility,
          points,
          score: 0,
          status: 'failed',
          hint: line.hint,
          message: timedOut ? 'not finished: the run hit its time limit' : 'the test did not run',
          durationMs: 0,
        });
      }
      continue;
    }
    const passed = line.state === 'passed';
    byId.set(line.id, {
      name: line.name,
      file: rel,
      visibility,
      points,
      score: passed ? points : 0,
      status: passed ? 'passed' : 'failed',
      hint: line.hint,
      message: passed ? undefined : (line.message ?? (line.state === 'skipped' ? 'skipped' : 'failed')),
      summary: passed ? undefined : line.summary,
      durationMs: Math.round(line.durationMs ?? 0),
    });
  }
  // Public tests first (the order students meet them), then hidden; collection order within each.
  return [...byId.values()].sort((a, b) => (a.visibility === b.visibility ? 0 : a.visibility === 'public' ? -1 : 1));
}

async function runVitest({ env, timeoutMs }: { env: Record<string, string>; timeoutMs: number }): Promise<{ timedOut: boolean; output: string }> {
  const child = spawn(process.execPath, [vitestBin, 'run', '--config', labConfig], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, FORCE_COLOR: '0', CI: 'true' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
  }, timeoutMs);
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  clearTimeout(timer);
  if (child.pid) signalGroup(child.pid, 'SIGKILL'); // stray workers of this run
  return { timedOut, output };
}
