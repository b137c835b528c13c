import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { resolveTarget, runLab } from './runner.ts';
import type { IsolationMode } from './sandbox/index.ts';
import type { LabSpec, SubmissionResult } from './types.ts';

export interface Submission {
  name: string;
  dir: string;
}

/** Each child folder of `dir` is one submission (a clone of the student's repo, or just the lab folder). */
export function listSubmissions(dir: string): Submission[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder of submissions`);
  // A student's folder may be a link to where their repository was cloned: it is followed (to a folder), and the
  // copy graded is made from what it points at. Links inside a submission are still left out of its copy.
  const isFolder = (d: Dirent) =>
    d.isDirectory() ||
    (d.isSymbolicLink() && statSync(join(dir, d.name), { throwIfNoEntry: false })?.isDirectory() === true);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => !d.name.startsWith('.') && isFolder(d))
    .map((d) => ({ name: d.name.replace(/[^\w.@-]+/g, '_'), dir: realpathSync(join(dir, d.name)) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The shard (1…n) a submission belongs to: from a hash of its name, so a student stays in the same shard when the
 * class grows or shrinks, and every machine of a matrix computes the same split.
 */
export function shardOf(name: string, count: number): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) % count) + 1;
}

/** `--shard i/n` → [i, n], or an error that says what is wrong. */
export function parseShard(text: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [i, n] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || n < 1 || i < 1 || i > n)
    throw new Error(`--shard ${text}: write it as i/n with 1 ≤ i ≤ n, e.g. --shard 2/4`);
  return [i, n];
}

export interface GradeOptions {
  lab: LabSpec;
  submissions: Submission[];
  jobs: number;
  isolation?: IsolationMode;
  onDone?: (result: SubmissionResult, done: number, total: number) => void;
}

/** Grade every submission with public + hidden tests, `jobs` at a time; one submission's failure is its own. */
export async function gradeSubmissions({
  lab,
  submissions,
  jobs,
  isolation = 'auto',
  onDone,
}: GradeOptions): Promise<SubmissionResult[]> {
  const results: SubmissionResult[] = new Array(submissions.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < submissions.length) {
      const index = next++;
      const sub = submissions[index]!;
      const targetDir = resolveTarget(sub.dir, lab) ?? join(sub.dir, 'starter');
      let result: SubmissionResult;
      try {
        result = await runLab({
          lab,
          targetDir,
          visibility: ['public', 'hidden'],
          name: sub.name,
          // One submission at a time: its test files two at a time (they mostly wait on timers and brokers), so
          // each grade comes sooner. Several at a time (--jobs): one file each, so the load stays near `jobs`.
          workers: jobs > 1 ? 1 : 2,
          isolation,
        });
        if (!resolveTarget(sub.dir, lab)) {
          result.problems.unshift(
            `no ${lab.entry} found (looked in labs/${lab.id}/starter/, ${lab.id}/starter/, starter/ and the folder itself)`,
          );
        }
      } catch (error) {
        result = {
          submission: sub.name,
          lab: lab.id,
          score: 0,
          maxScore: 0,
          tests: [],
          problems: [`grading failed: ${(error as Error).message}`],
          durationMs: 0,
          isolation: 'none: not run',
        };
      }
      results[index] = result;
      onDone?.(result, ++done, submissions.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, submissions.length)) }, worker));
  // A submission whose run produced no tests at all still needs the lab's maximum for the gradebook.
  const maxScore = Math.max(0, ...results.map((r) => r.maxScore));
  for (const r of results) if (r.maxScore === 0) r.maxScore = maxScore;
  return results;
}
