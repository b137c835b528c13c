import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { XMLBuilder } from 'fast-xml-parser';
import type { LabSpec, SubmissionResult, TestOutcome } from './types.ts';

/** Gradescope's autograder results format (https://gradescope-autograders.readthedocs.io, "Output format"). */
export function gradescopeResults(result: SubmissionResult): object {
  return {
    score: result.score,
    max_score: result.maxScore,
    execution_time: Math.round(result.durationMs / 1000),
    output: result.problems.join('\n') || undefined,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    extra_data: { isolation: result.isolation },
    tests: result.tests.map((t) => ({
      name: t.name,
      score: t.score,
      max_score: t.points,
      status: t.status,
      // The sentence first (lab check's words), then the whole message.
      output:
        t.status === 'failed' ? [t.summary, t.message, t.hint && `Hint: ${t.hint}`].filter(Boolean).join('\n\n') : '',
      // Hidden tests stay invisible to students until the instructor publishes grades.
      visibility: t.visibility === 'hidden' ? 'after_published' : 'visible',
      tags: [t.visibility, t.file],
    })),
  };
}

/**
 * GitHub Classroom's runner result, as its autograding reporter (classroom-resources/autograding-grading-reporter)
 * reads it from `<RUNNER>_RESULTS` (base64 of this JSON): the points it sends Classroom are the sum of the tests' `score`
 * out of `max_score`.
 */
export function classroomResult(result: SubmissionResult): object {
  const status =
    result.maxScore > 0 && result.score === result.maxScore ? 'pass' : result.tests.length ? 'fail' : 'error';
  return {
    version: 1,
    status,
    max_score: result.maxScore,
    tests: result.tests.map((t) => ({
      name: t.name,
      status: t.status === 'passed' ? 'pass' : 'fail',
      score: t.score,
      message:
        t.status === 'passed'
          ? ''
          : [t.summary ?? t.message?.split('\n')[0], t.hint && `Hint: ${t.hint}`].filter(Boolean).join('\n'),
      line_no: 0,
      test_code: '',
      filename: t.file,
      execution_time: `${(t.durationMs / 1000).toFixed(2)}s`,
    })),
  };
}

export function junitXml(lab: LabSpec, results: SubmissionResult[]): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  const suite = (r: SubmissionResult) => ({
    '@_name': `${lab.id} — ${r.submission}`,
    '@_tests': r.tests.length,
    '@_failures': r.tests.filter((t) => t.status === 'failed').length,
    '@_time': (r.durationMs / 1000).toFixed(3),
    properties: {
      property: [
        { '@_name': 'score', '@_value': r.score },
        { '@_name': 'max_score', '@_value': r.maxScore },
        { '@_name': 'isolation', '@_value': r.isolation },
      ],
    },
    testcase: r.tests.map((t) => ({
      '@_name': t.name,
      '@_classname': `${r.submission}.${t.visibility}`,
      '@_time': (t.durationMs / 1000).toFixed(3),
      ...(t.status === 'failed'
        ? {
            failure: {
              '@_message': (t.message ?? 'failed').split('\n')[0],
              '#text': [t.message, t.hint && `Hint: ${t.hint}`].filter(Boolean).join('\n'),
            },
          }
        : {}),
    })),
    ...(r.problems.length ? { 'system-err': r.problems.join('\n') } : {}),
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ testsuites: { '@_name': lab.id, testsuite: results.map(suite) } })}`;
}

/** One row per student, one column per test, for a gradebook. */
export function gradebookCsv(results: SubmissionResult[]): string {
  const names = testNames(results);
  const header = ['submission', 'score', 'max_score', 'percent', ...names, 'problems'];
  const rows = results.map((r) => {
    const byName = new Map(r.tests.map((t) => [t.name, t]));
    return [
      r.submission,
      r.score,
      r.maxScore,
      r.maxScore ? ((100 * r.score) / r.maxScore).toFixed(1) : '0.0',
      ...names.map((n) => byName.get(n)?.score ?? 0),
      r.problems.join(' | '),
    ];
  });
  return stringify([header, ...rows]);
}

function testNames(results: SubmissionResult[]): string[] {
  const seen = new Map<string, TestOutcome>();
  for (const r of results) for (const t of r.tests) if (!seen.has(t.name)) seen.set(t.name, t);
  return [...seen.keys()];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained HTML report: score distribution, pass rate per test, and every submission's detail. */
export function htmlReport(lab: LabSpec, results: SubmissionResult[]): string {
  const max = Math.max(1, ...results.map((r) => r.maxScore));
  const buckets = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, count: 0 }));
  for (const r of results) {
    const pct = r.maxScore ? (100 * r.score) / r.maxScore : 0;
    buckets[Math.min(9, Math.floor(pct / 10))]!.count++;
  }
  const tallest = Math.max(1, ...buckets.map((b) => b.count));
  const bars = buckets
    .map((b, i) => {
      const h = Math.round((b.count / tallest) * 140);
      return `<g><rect x="${20 + i * 56}" y="${160 - h}" width="44" height="${h}" fill="#3b82f6"><title>${b.count} submission(s)</title></rect>
<text x="${42 + i * 56}" y="${154 - h}" text-anchor="middle">${b.count || ''}</text>
<text x="${42 + i * 56}" y="178" text-anchor="middle">${b.from}–${b.from === 90 ? 100 : b.from + 9}%</text></g>`;
    })
    .join('\n');
  const names = testNames(results);
  const rate = (name: string) => {
    const ran = results.flatMap((r) => r.tests.filter((t) => t.name === name));
    return ran.length ? ran.filter((t) => t.status === 'passed').length / ran.length : 0;
  };
  const testRows = names
    .map((n) => {
      const t = results.flatMap((r) => r.tests).find((x) => x.name === n)!;
      const p = Math.round(rate(n) * 100);
      return `<tr><td>${escapeHtml(n)}</td><td>${t.visibility}</td><td class="num">${t.points}</td>
<td><div class="meter"><span style="width:${p}%"></span></div></td><td class="num">${p} %</td></tr>`;
    })
    .join('\n');
  const students = [...results]
    .sort((a, b) => a.submission.localeCompare(b.submission))
    .map((r) => {
      const rows = r.tests
        .map(
          (
            t,
          ) => `<tr class="${t.status}"><td>${t.status === 'passed' ? '✓' : '✗'}</td><td>${escapeHtml(t.name)}</td><td>${t.visibility}</td>
<td class="num">${t.score}/${t.points}</td><td>${t.summary ? `<b>${escapeHtml(t.summary.split('\n')[0]!)}</b>` : ''}<pre>${escapeHtml((t.message ?? '').slice(0, 2000))}</pre></td></tr>`,
        )
        .join('\n');
      const problems = r.problems.map((p) => `<p class="problem">${escapeHtml(p.slice(0, 2000))}</p>`).join('');
      return `<details><summary><b>${escapeHtml(r.submission)}</b> — ${r.score}/${r.maxScore}</summary>${problems}
<table><tr><th></th><th>test</th><th>visibility</th><th>points</th><th>why it failed</th></tr>${rows}</table></details>`;
    })
    .join('\n');
  const scores = results.map((r) => (r.maxScore ? r.score / r.maxScore : 0)).sort((a, b) => a - b);
  const median = medianOf(scores);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(lab.id)} — grading report</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.num{text-align:right;white-space:nowrap}.meter{background:#eee;height:.8rem;width:12rem}.meter span{display:block;height:100%;background:#16a34a}
tr.failed td:first-child{color:#dc2626}tr.passed td:first-child{color:#16a34a}pre{margin:0;white-space:pre-wrap;font-size:12px}
details{border:1px solid #ddd;border-radius:6px;padding:.4rem .8rem;margin:.4rem 0}.problem{color:#b45309}svg text{font-size:12px}
</style></head><body>
<h1>${escapeHtml(lab.id)} — ${escapeHtml(lab.title)}</h1>
<p>${results.length} submission(s), maximum ${max} points, median ${(median * 100).toFixed(0)} %. Generated ${new Date().toISOString()}.</p>
<p>Isolation: ${escapeHtml([...new Set(results.map((r) => r.isolation))].join('; '))}.</p>
<h2>Score distribution</h2>
<svg width="600" height="190" role="img" aria-label="score distribution">${bars}</svg>
<h2>Pass rate per test</h2>
<table><tr><th>test</th><th>visibility</th><th>points</th><th colspan="2">passed by</th></tr>${testRows}</table>
<h2>Submissions</h2>
${students}
</body></html>
`;
}

/** Write every report kind for a graded class into `out`. */
/**
 * A reused --out holds only this run: an earlier run's per-submission results (a student since removed, another lab)
 * would otherwise sit beside this run's and be uploaded with them. Only folders holding nothing but a results.json
 * (what this tool writes) are removed: an --out that happens to contain the students' own folders loses nothing.
 */
function removeEarlierResults(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const inside = join(dir, entry.name);
    const files = readdirSync(inside);
    if (files.length === 1 && files[0] === 'results.json') rmSync(inside, { recursive: true, force: true });
  }
}

/** The median of sorted numbers: the middle one, or the mean of the two middle ones (0 for none). */
export function medianOf(sorted: number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Every run's whole results, for `lab grade merge` and `lab gradebook` (the other reports are made from it). */
export const GRADING_FILE = 'grading.json';

export interface GradingRecord {
  lab: string;
  /** `i/n` when this run graded one shard of a class. */
  shard?: string;
  results: SubmissionResult[];
}

/** Read a `--out` folder's record of a grading run, with what to do when it is not one. */
export function readGrading(dir: string): GradingRecord {
  const file = join(dir, GRADING_FILE);
  if (!existsSync(file)) throw new Error(`${dir} holds no ${GRADING_FILE}: give the --out folder of a lab grade run`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as GradingRecord;
  if (typeof record.lab !== 'string' || !Array.isArray(record.results))
    throw new Error(`${file} is not a grading record`);
  return record;
}

/** Submissions in the order every report lists them (the order of a class folder). */
export const bySubmission = (a: SubmissionResult, b: SubmissionResult) => a.submission.localeCompare(b.submission);

export function writeReports(
  out: string,
  lab: LabSpec,
  unordered: SubmissionResult[],
  { shard }: { shard?: string } = {},
): string[] {
  const results = [...unordered].sort(bySubmission);
  removeEarlierResults(join(out, 'submissions'));
  mkdirSync(join(out, 'submissions'), { recursive: true });
  const written: string[] = [];
  for (const r of results) {
    const dir = join(out, 'submissions', r.submission);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'results.json'), `${JSON.stringify(gradescopeResults(r), null, 2)}\n`);
  }
  written.push(join(out, 'submissions', '*', 'results.json'));
  const files: [string, string][] = [
    ['junit.xml', junitXml(lab, results)],
    ['gradebook.csv', gradebookCsv(results)],
    ['report.html', htmlReport(lab, results)],
    [
      GRADING_FILE,
      `${JSON.stringify({ lab: lab.id, ...(shard ? { shard } : {}), results } satisfies GradingRecord, null, 1)}\n`,
    ],
  ];
  for (const [name, content] of files) {
    writeFileSync(join(out, name), content);
    written.push(join(out, name));
  }
  return written;
}
