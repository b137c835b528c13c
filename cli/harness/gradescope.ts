// Gradescope: an autograder zip for one lab (setup.sh + run_autograder + the grading edition of the course), and the
// command run_autograder calls on each submission. Format: https://gradescope-autograders.readthedocs.io ("Autograder
// Specifications"): results go to /autograder/results/results.json; the submission is in /autograder/submission.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { repoRoot } from '../paths.ts';
import { projectFiles } from './export.ts';
import { gradescopeResults } from './reports.ts';
import { collectGradedTests } from './rules.ts';
import { resolveTarget, runLab } from './runner.ts';
import type { LabSpec, SubmissionResult } from './types.ts';

/** The course files a lab's autograder carries: the harness, the mocks, and that lab's README, lab.json and tests. */
export function gradingEditionFiles(lab: LabSpec, root = repoRoot): string[] {
  const labDir = `labs/${lab.id}/`;
  return projectFiles(root)
    .filter((path) => {
      if (path.startsWith('labs/')) {
        if (path === 'labs/lab.schema.json') return true;
        if (!path.startsWith(labDir)) return false;
        return path === `${labDir}lab.json` || path === `${labDir}README.md` || path.startsWith(`${labDir}tests/`);
      }
      return (
        ['cli/', 'mock-servers/'].some((dir) => path.startsWith(dir)) ||
        ['package.json', 'package-lock.json', 'tsconfig.json', '.npmrc'].includes(path)
      );
    })
    .filter((path) => !/\.test\.ts$/.test(path) || path.startsWith(labDir));
}

/** setup.sh: runs once, as root, when Gradescope builds the image (Ubuntu 22.04 base image). */
export function setupScript(lab: LabSpec, nodeVersion = process.versions.node): string {
  const apt = ['ca-certificates', 'curl', 'xz-utils', 'bubblewrap'];
  if (lab.services.includes('rabbitmq')) apt.push('rabbitmq-server');
  if (lab.services.includes('kafka')) apt.push('openjdk-17-jre-headless', 'maven');
  const lines = [
    '#!/usr/bin/env bash',
    `# Gradescope autograder setup for lab ${lab.id}: Node ${nodeVersion}, the course's packages${lab.services.length ? `, ${lab.services.join(' and ')}` : ''}.`,
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update -qq',
    `apt-get install -y -qq ${apt.join(' ')} >/dev/null`,
    `curl -fsSL https://nodejs.org/dist/v${nodeVersion}/node-v${nodeVersion}-linux-x64.tar.xz | tar -xJ -C /usr/local --strip-components=1`,
    'cd /autograder/source/course',
    'npm ci --no-audit --no-fund',
  ];
  if (lab.services.includes('rabbitmq'))
    lines.push(
      '# A vhost and user per grading run need the management API.',
      'rabbitmq-plugins enable --offline rabbitmq_management',
    );
  if (lab.services.includes('kafka'))
    lines.push(
      '# Fetch the Kafka jars now (Maven), so grading does not wait for them.',
      'node cli/main.ts services up kafka && node cli/main.ts services down kafka',
    );
  return `${lines.join('\n')}\n`;
}

/** run_autograder: once per submission. AUTOGRADER_ROOT (default /autograder) lets a test run it anywhere. */
export function runAutograderScript(lab: LabSpec): string {
  return [
    '#!/usr/bin/env bash',
    `# Grades one submission of lab ${lab.id} (public and hidden tests, in the sandbox) into results/results.json.`,
    'set -uo pipefail',
    'root="${AUTOGRADER_ROOT:-/autograder}"',
    'cd "$root/source/course"',
    `exec node cli/main.ts autograde ${lab.id} --submission "$root/submission" --results "$root/results/results.json"`,
    '',
  ].join('\n');
}

/** DIR/autograder.zip, ready to upload on Gradescope's "Configure Autograder" page. */
export function writeAutograderZip(lab: LabSpec, outDir: string, root = repoRoot): { zip: string; files: number } {
  const executable = { os: 3, attrs: 0o100755 << 16 } as const;
  const entries: Zippable = {
    'setup.sh': [new TextEncoder().encode(setupScript(lab)), executable],
    run_autograder: [new TextEncoder().encode(runAutograderScript(lab)), executable],
  };
  const files = gradingEditionFiles(lab, root);
  for (const path of files) entries[`course/${path}`] = readFileSync(join(root, path));
  const zip = join(outDir, 'autograder.zip');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(zip, zipSync(entries, { level: 9 }));
  return { zip, files: files.length };
}

/** What the student reads at the top of their Gradescope results: the score, and what to do next. */
export function studentSummary(lab: LabSpec, result: SubmissionResult): string {
  const failed = result.tests.filter((t) => t.status !== 'passed');
  const lines = [`Lab ${lab.id}: ${result.score}/${result.maxScore} points.`];
  if (result.problems.length) lines.push('', ...result.problems);
  if (failed.length) {
    const visible = failed.filter((t) => t.visibility === 'public');
    lines.push(
      '',
      `${failed.length} test(s) did not pass${visible.length < failed.length ? ` (${failed.length - visible.length} of them hidden until grades are published)` : ''}.`,
    );
    if (visible.length)
      lines.push(`Start with "${visible[0]!.name}": its output below says what was sent and what came back.`);
    lines.push(`Run the public tests on your machine with: npm run lab -- check ${lab.id.slice(0, 2)}`);
  } else if (result.maxScore > 0) {
    lines.push('', 'Every test passed.');
  }
  return lines.join('\n');
}

/** Grade the submission in `submissionDir` (public + hidden tests) and write Gradescope's results.json. */
export async function autograde(lab: LabSpec, submissionDir: string, resultsFile: string): Promise<SubmissionResult> {
  const target = resolveTarget(submissionDir, lab);
  let result: SubmissionResult;
  if (!target) {
    // Nothing to run: every graded test fails with the reason, so the maximum is the lab's (not 0/0).
    const problem = `No ${lab.entry} was found in your submission. Upload the files of labs/${lab.id}/starter/ (at least ${lab.entry}), or your whole repository.`;
    const tests = (await collectGradedTests(lab)).map((t) => ({
      name: t.name,
      file: t.file,
      visibility: t.visibility,
      points: t.points,
      score: 0,
      status: 'failed' as const,
      hint: t.hint,
      message: problem,
      durationMs: 0,
    }));
    result = {
      submission: 'submission',
      lab: lab.id,
      score: 0,
      maxScore: tests.reduce((s, t) => s + t.points, 0),
      tests,
      durationMs: 0,
      isolation: 'not run',
      problems: [problem],
    };
  } else {
    result = await runLab({ lab, targetDir: target, visibility: ['public', 'hidden'], name: 'submission' });
  }
  const base = gradescopeResults(result) as Record<string, unknown> & { tests: Record<string, unknown>[] };
  const json = {
    ...base,
    output: studentSummary(lab, result),
    tests: base.tests.map((t, i) => ({ ...t, extra_data: { duration_ms: result.tests[i]?.durationMs ?? 0 } })),
  };
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(json, null, 2)}\n`);
  return result;
}
