import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { amqpUrl, kafkaBrokers } from '../services/config.ts';
import { messages, type Lang, type Messages } from '../lang.ts';
import { repoRoot } from '../paths.ts';
import { signalGroup } from '../services/processes.ts';
import { openBrokerScope, type BrokerScope } from './broker-scope.ts';
import type { ReporterLine } from './reporter.ts';
import {
  chooseLayers,
  describeIsolation,
  folderBytes,
  prepareSandbox,
  privateFolder,
  removeSandbox,
  type IsolationMode,
  type SandboxSpec,
} from './sandbox/index.ts';
import { killMarked } from './target.ts';
import type { LabSpec, SubmissionResult, TestOutcome, Visibility } from './types.ts';

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
  /** Which sandbox layers to use (default auto: namespaces where bubblewrap runs, else Node's permission model). */
  isolation?: IsolationMode;
  /** The language of what the run says to a student (default English: every grading output is English). */
  lang?: Lang;
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

/**
 * Run a lab's tests (public, or public + hidden) against one target in a separate Vitest process, with a time limit
 * on the whole run, and turn the outcome into per-test points. The target never runs inside this process.
 */
export async function runLab(options: RunOptions): Promise<SubmissionResult> {
  const { lab, visibility, name } = options;
  const say = messages(options.lang ?? 'en');
  const started = Date.now();
  const runId = `lab${lab.id.slice(0, 2)}-${randomUUID().slice(0, 12)}`;
  const layers = chooseLayers(options.isolation ?? 'auto');
  // The run's own folder (test results) and the app's sandbox are two private folders: the app can reach neither
  // this one nor anything of the course.
  const workDir = privateFolder('lab-run-');
  let sandbox: SandboxSpec | undefined;
  let brokers: BrokerScope | undefined;
  const problems: string[] = [];
  try {
    brokers = await openBrokerScope(lab, runId);
    // Native code is beyond Node's permission model: with an addon grant only the namespace layer contains it.
    const addons =
      lab.grants.addons && layers.length > 0 && !layers.includes('namespace')
        ? ['native addons granted without namespaces: their native code is not held by the sandbox']
        : [];
    const isolation = [describeIsolation(layers), ...addons, ...brokers.isolation].join('; ');
    let targetDir = join(workDir, 'missing');
    if (existsSync(options.targetDir)) {
      if (
        folderBytes(options.targetDir, MAX_TARGET_BYTES, (n) => n === 'node_modules' || n === '.git') > MAX_TARGET_BYTES
      ) {
        problems.push(say.tooLarge(MAX_TARGET_BYTES / 1024 / 1024));
      } else {
        const prepared = prepareSandbox(options.targetDir, {
          layers,
          grants: lab.grants,
          memoryBytes: lab.limits.memoryBytes,
          scratchBytes: lab.limits.scratchBytes,
        });
        sandbox = prepared.spec;
        targetDir = sandbox.appDir;
        problems.push(...prepared.skipped);
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
        LAB_LANG: options.lang ?? 'en',
        ...(sandbox ? { LAB_SANDBOX: JSON.stringify(sandbox), TMPDIR: sandbox.scratchDir } : {}),
        AMQP_URL: amqpUrl(),
        KAFKA_BROKERS: kafkaBrokers().join(','),
        ...brokers.env,
      },
      timeoutMs: lab.limits.totalMs,
    });
    if (timedOut) problems.push(say.runTimeLimit(Math.round(lab.limits.totalMs / 1000)));
    const tests = collectOutcomes(resultsFile, lab, timedOut, say);
    if (tests.length === 0) problems.push(`${say.noResults}\n${output.slice(-2000)}`);
    const score = tests.reduce((sum, t) => sum + t.score, 0);
    const maxScore = tests.reduce((sum, t) => sum + t.points, 0);
    return {
      submission: name,
      lab: lab.id,
      score,
      maxScore,
      tests,
      problems,
      durationMs: Date.now() - started,
      isolation,
    };
  } finally {
    killMarked(runId);
    rmSync(workDir, { recursive: true, force: true });
    if (sandbox) removeSandbox(sandbox);
    await brokers?.dispose();
  }
}

function collectOutcomes(file: string, lab: LabSpec, timedOut: boolean, say: Messages): TestOutcome[] {
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
          message: timedOut ? say.notFinished : say.didNotRun,
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

async function runVitest({
  env,
  timeoutMs,
}: {
  env: Record<string, string>;
  timeoutMs: number;
}): Promise<{ timedOut: boolean; output: string }> {
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
