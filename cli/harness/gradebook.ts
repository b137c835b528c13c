import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { bySubmission, type GradingRecord } from './reports.ts';
import type { SubmissionResult } from './types.ts';

/** One student of a roster: GitHub Classroom's roster CSV (`identifier`, `github_username`, `github_id`, `name`). */
export interface RosterEntry {
  identifier: string;
  github_username?: string;
  name?: string;
}

export function readRoster(file: string): RosterEntry[] {
  const rows = parse(readFileSync(file, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  }) as Record<string, string>[];
  if (rows.length === 0) throw new Error(`${file} lists no students`);
  if (!('identifier' in rows[0]!)) {
    throw new Error(
      `${file} has no "identifier" column: use GitHub Classroom's roster CSV ("identifier","github_username","github_id","name"), or a CSV with at least "identifier"`,
    );
  }
  return rows.map((r) => ({
    identifier: r.identifier!,
    github_username: r.github_username || undefined,
    name: r.name || undefined,
  }));
}

/**
 * The roster entry a submission folder belongs to: its name is the student's identifier or GitHub username, or a
 * GitHub Classroom repository name, `<assignment>-<github_username>` (the longest username that ends it wins).
 */
export function rosterMatch(submission: string, roster: RosterEntry[]): RosterEntry | undefined {
  const lower = submission.toLowerCase();
  const exact = roster.find((r) => r.identifier.toLowerCase() === lower || r.github_username?.toLowerCase() === lower);
  if (exact) return exact;
  return roster
    .filter((r) => r.github_username && lower.endsWith(`-${r.github_username.toLowerCase()}`))
    .sort((a, b) => b.github_username!.length - a.github_username!.length)[0];
}

/** Several records of one lab (the shards of a class) as one, refusing a submission graded twice. */
export function mergeRecords(records: GradingRecord[]): GradingRecord {
  const labs = [...new Set(records.map((r) => r.lab))];
  if (labs.length !== 1)
    throw new Error(`these runs graded different labs (${labs.join(', ')}): merge the shards of one lab`);
  const seen = new Map<string, string>();
  const results: SubmissionResult[] = [];
  for (const record of records) {
    for (const r of record.results) {
      const other = seen.get(r.submission);
      if (other !== undefined)
        throw new Error(
          `${r.submission} was graded in two runs (${other} and ${record.shard ?? 'another'}): give each shard once`,
        );
      seen.set(r.submission, record.shard ?? 'a run');
      results.push(r);
    }
  }
  return { lab: labs[0]!, results: results.sort(bySubmission) };
}

export type GradebookFormat = 'plain' | 'moodle' | 'canvas';

export interface ClassGradebook {
  csv: string;
  /** Submissions no roster entry matches (their grades are not in a roster gradebook). */
  unmatched: string[];
  /** Roster students with no submission in a lab: `identifier: lab`. */
  missing: string[];
}

const percent = (r: SubmissionResult) => (r.maxScore ? Math.round((1000 * r.score) / r.maxScore) / 10 : 0);

/**
 * One row per student, one grade column per lab (percent, 0–100), in the shape a learning platform imports:
 * - `plain`: `student`, then `Lab NN-…` columns (rows: submission folders, or the roster when given);
 * - `moodle`: an identifier column Moodle's CSV import maps to a user field (`Email address` when every identifier is
 *   an address, else `ID number`), `Full name`, then one column per lab (a new grade item out of 100 each);
 * - `canvas`: Canvas's gradebook columns `Student`, `ID`, `SIS User ID`, `SIS Login ID` (the identifier), `Section`,
 *   a `Points Possible` row, then one column per lab (Canvas makes an assignment for a column it does not know).
 * Moodle and Canvas need a roster: their imports match students by identifier, never by folder name.
 */
export function classGradebook(
  records: GradingRecord[],
  { format, roster }: { format: GradebookFormat; roster?: RosterEntry[] },
): ClassGradebook {
  if (format !== 'plain' && !roster)
    throw new Error(`--format ${format} needs --roster: ${format} matches students by their identifier`);
  const byLab = new Map<string, GradingRecord[]>();
  for (const record of records) byLab.set(record.lab, [...(byLab.get(record.lab) ?? []), record]);
  const labs = [...byLab.keys()].sort();
  const merged = new Map(labs.map((lab) => [lab, mergeRecords(byLab.get(lab)!)]));
  const columns = labs.map((lab) => `Lab ${lab}`);
  const unmatched: string[] = [];
  const missing: string[] = [];

  // grades[student key][lab] = percent
  const grades = new Map<string, Map<string, number>>();
  const keyOf = (submission: string): string | undefined => {
    if (!roster) return submission;
    const entry = rosterMatch(submission, roster);
    if (!entry) unmatched.push(submission);
    return entry?.identifier;
  };
  for (const [lab, record] of merged) {
    for (const r of record.results) {
      const key = keyOf(r.submission);
      if (key === undefined) continue;
      const row = grades.get(key) ?? new Map<string, number>();
      row.set(lab, percent(r));
      grades.set(key, row);
    }
  }
  const cells = (key: string) => labs.map((lab) => grades.get(key)?.get(lab) ?? '');
  if (roster)
    for (const entry of roster)
      for (const lab of labs) if (!grades.get(entry.identifier)?.has(lab)) missing.push(`${entry.identifier}: ${lab}`);

  let rows: (string | number)[][];
  if (format === 'plain') {
    const keys = roster ? roster.map((r) => r.identifier) : [...grades.keys()].sort((a, b) => a.localeCompare(b));
    rows = [['student', ...columns], ...keys.map((k) => [k, ...cells(k)])];
  } else if (format === 'moodle') {
    const emails = roster!.every((r) => r.identifier.includes('@'));
    rows = [
      [emails ? 'Email address' : 'ID number', 'Full name', ...columns],
      ...roster!.map((r) => [r.identifier, r.name ?? '', ...cells(r.identifier)]),
    ];
  } else {
    rows = [
      ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...columns],
      ['Points Possible', '', '', '', '', ...labs.map(() => 100)],
      ...roster!.map((r) => [r.name ?? r.identifier, '', '', r.identifier, '', ...cells(r.identifier)]),
    ];
  }
  return { csv: stringify(rows), unmatched: [...new Set(unmatched)].sort(), missing };
}
