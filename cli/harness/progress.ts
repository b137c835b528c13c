import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../paths.ts';
import type { SubmissionResult } from './types.ts';

/** What `lab check` remembers per lab for `lab list` and `lab hint` (in the student's clone, git-ignored). */
export interface LabProgress {
  score: number;
  maxScore: number;
  checkedAt: string;
  failing: { name: string; hint?: string; message?: string }[];
}

const file = join(repoRoot, '.cache', 'progress.json');

export function readProgress(): Record<string, LabProgress> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, LabProgress>;
  } catch {
    return {};
  }
}

export function saveProgress(result: SubmissionResult): void {
  const all = readProgress();
  all[result.lab] = {
    score: result.score,
    maxScore: result.maxScore,
    checkedAt: new Date().toISOString(),
    failing: result.tests
      .filter((t) => t.status === 'failed')
      .map((t) => ({ name: t.name, hint: t.hint, message: t.message })),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
