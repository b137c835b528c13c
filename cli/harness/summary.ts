// What the terminal shows of a run: `lab check`'s lines per test and `lab grade`'s summary table. Short and in plain
// words; everything else (whole messages, bodies) is in results.json and report.html, or on screen with --verbose.
import Table from 'cli-table3';
import { messages, type Lang } from '../lang.ts';
import { quietExcerpt } from './noise.ts';
import type { SubmissionResult, TestOutcome } from './types.ts';

const EXCERPT = '  | ';

/** A score as a whole percentage (0 when there is nothing to score). */
export const pct = (score: number, max: number) => (max ? Math.round((100 * score) / max) : 0);
const cut = (line: string, width: number) => (line.length > width ? `${line.slice(0, Math.max(1, width - 1))}…` : line);

/** Why a test failed, in one line: its plain-words summary, else the first line of its message. */
export function reason(test: TestOutcome): string {
  const line = (test.summary ?? test.message ?? 'failed').split('\n')[0]!.trim();
  return line.replace(/\s*Its last output:$/, '') || 'failed';
}

/**
 * The lines under a failed test in `lab check`: the sentence (and the body that came back, when it says so), the app's
 * last output when the failure quotes it (without library chatter), not indented. `verbose`: also the whole message.
 * `lang`: the language of the labels (the summary is already in the run's language).
 */
export function failureLines(test: TestOutcome, { verbose = false, width = 160, lang = 'en' as Lang } = {}): string[] {
  const say = messages(lang);
  const message = test.message ?? '';
  if (verbose)
    return [...(test.summary ? [...test.summary.split('\n'), say.wholeMessage] : []), ...message.split('\n')];
  const lines = quietExcerpt(message).split('\n');
  const excerpt = lines.filter((l) => l.startsWith(EXCERPT));
  const head = test.summary
    ? test.summary.split('\n')
    : lines.filter((l) => l.trim() && !l.startsWith(EXCERPT)).slice(0, 4);
  if (excerpt.length && test.summary) head.push(say.lastOutput);
  return [...head, ...excerpt].map((l) => cut(l, width));
}

export interface GradeTableOptions {
  /** Terminal width to fit (default: the terminal's, else 120). */
  columns?: number;
  /** Reasons shown per submission before "… N more". */
  maxReasons?: number;
}

/**
 * `lab grade`'s summary: one row per submission with its whole name (wrapped, never cut), score, failed tests, time,
 * and one line per submission problem and per distinct reason a test failed (how many tests, when more than one).
 */
export function gradeTable(
  results: SubmissionResult[],
  { columns = process.stdout.columns || 120, maxReasons = 6 }: GradeTableOptions = {},
): string {
  const nameWidth = Math.min(32, Math.max(12, ...results.map((r) => r.submission.length + 2)));
  const fixed = [nameWidth, 9, 6, 8, 8];
  const whyWidth = Math.max(30, columns - fixed.reduce((a, b) => a + b, 0) - fixed.length - 2);
  const table = new Table({
    head: ['submission', 'score', '%', 'failed', 'time', 'why'],
    colWidths: [...fixed, whyWidth],
    wordWrap: true,
    wrapOnWordBoundary: false,
    style: { head: [], border: [] },
  });
  for (const r of results) {
    const failed = r.tests.filter((t) => t.status === 'failed');
    const why = [...r.problems.map((p) => p.split('\n')[0]!.replace(/:$/, '')), ...counted(failed.map(reason))];
    const shown =
      why.length > maxReasons
        ? [...why.slice(0, maxReasons - 1), `… ${why.length - maxReasons + 1} more in report.html`]
        : why;
    table.push([
      r.submission,
      `${r.score}/${r.maxScore}`,
      String(pct(r.score, r.maxScore)),
      String(failed.length),
      `${(r.durationMs / 1000).toFixed(1)} s`,
      shown.map((line) => cut(line, whyWidth - 2)).join('\n') || '-',
    ]);
  }
  return table.toString();
}

/** Distinct lines in first-seen order, "(N tests)" after those that repeat. */
function counted(lines: string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (${n} tests)` : line));
}
