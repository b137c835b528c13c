// What the terminal shows: the grade table (whole names, one line per reason, no bodies) and lab check's lines.
import { describe, expect, test } from 'vitest';
import { findLab } from '../../cli/harness/labs.ts';
import { gradescopeResults, htmlReport } from '../../cli/harness/reports.ts';
import { failureLines, gradeTable } from '../../cli/harness/summary.ts';
import type { SubmissionResult, TestOutcome } from '../../cli/harness/types.ts';

const body = '{"error":{"code":"validation_failed","message":"The body is invalid.","details":[{"field":"email"}]}}';
const failed = (name: string, message: string, summary?: string): TestOutcome => ({
  name,
  file: 'public/orders.test.ts',
  visibility: 'public',
  points: 2,
  score: 0,
  status: 'failed',
  hint: 'Look at the status code.',
  message,
  summary,
  durationMs: 20,
});
const passed: TestOutcome = {
  ...failed('GET /health answers 200', ''),
  status: 'passed',
  score: 1,
  points: 1,
  message: undefined,
};
const wrongStatus = (name: string) =>
  failed(
    name,
    `status (body: ${body}): expected 400 to be 201 // Object.is equality`,
    `POST /v1/customers answered 400, expected 201\nit answered: ${body}`,
  );

const submission = (name: string, tests: TestOutcome[], problems: string[] = []): SubmissionResult => ({
  submission: name,
  lab: '01-rest-api',
  isolation: 'Node permission model only',
  score: tests.reduce((s, t) => s + t.score, 0),
  maxScore: tests.reduce((s, t) => s + t.points, 0),
  tests,
  problems,
  durationMs: 4321,
});

/** The grade table's cells of one column, row by row, with wrapped pieces joined again. */
function column(table: string, index: number): string[] {
  const rows: string[] = [];
  let row: string[] = [];
  for (const line of table.split('\n')) {
    if (/^[├└]/.test(line)) {
      rows.push(row.join(''));
      row = [];
    } else if (line.startsWith('│')) {
      row.push(line.split('│')[index + 1]!.trim());
    }
  }
  return rows;
}

describe('the grade table', () => {
  const a = 'ivanenko-oleksandr-vasylovych-group-a';
  const b = 'ivanenko-oleksandr-vasylovych-group-b';
  const results = [
    submission(a, [
      passed,
      wrongStatus('POST /v1/customers creates a customer'),
      wrongStatus('POST /v1/customers twice is a conflict'),
    ]),
    submission(b, [
      passed,
      failed(
        'GET /v1/orders pages',
        "expected [ 'a' ] to have a length of 2 but got 1",
        'GET /v1/orders answered a body with data of 1 item, expected 2',
      ),
    ]),
    submission(
      'no-code',
      [failed('GET /health answers 200', 'the test did not run')],
      [
        'no main.ts found (looked in labs/01-rest-api/starter/, starter/ and the folder itself)',
        'no test results (the test run failed to start):\nError: Cannot find module\n    at x (y.js:1:1)',
      ],
    ),
    submission('crashes', [
      failed(
        'GET /health answers 200',
        'the app exited with code 1 before it was ready. Its last output:\n  | TypeError: boom',
      ),
      failed(
        'GET /hello answers',
        'the app exited with code 1 before it was ready. Its last output:\n  | TypeError: boom',
      ),
    ]),
  ];
  const table = gradeTable(results, { columns: 200 });

  test('two long names sharing 25 characters are both whole, wrapped and never cut; the table fits the terminal', () => {
    expect(a.slice(0, 25)).toBe(b.slice(0, 25));
    const narrow = gradeTable(results, { columns: 110 });
    expect(column(narrow, 0)).toEqual(['submission', a, b, 'no-code', 'crashes']);
    expect(narrow).not.toContain(a); // wrapped onto a second line, not cut
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
    expect(column(narrow, 5)[1]).toMatch(/^POST \/v1\/customers answered 400, ex.*…$/); // a reason longer than its column is cut, on one line
  });

  test('one line per failed test (repeats counted) or submission problem; no JSON bodies', () => {
    const why = column(table, 5);
    expect(why[1]).toBe('POST /v1/customers answered 400, expected 201 (2 tests)');
    expect(why[2]).toBe('GET /v1/orders answered a body with data of 1 item, expected 2');
    expect(why[3]).toBe(
      'no main.ts found (looked in labs/01-rest-api/starter/, starter/ and the folder itself)' +
        'no test results (the test run failed to start)' +
        'the test did not run',
    );
    expect(why[4]).toBe('the app exited with code 1 before it was ready. (2 tests)');
    expect(table).not.toContain('{"error"');
    expect(table).not.toContain('Object.is equality');
    expect(table).not.toContain('Cannot find module');
  });

  test('scores, percentages, failures and time', () => {
    expect(column(table, 1)).toEqual(['score', '1/5', '1/3', '0/2', '0/4']);
    expect(column(table, 2)).toEqual(['%', '20', '33', '0', '0']);
    expect(column(table, 3)).toEqual(['failed', '2', '1', '1', '2']);
    expect(column(table, 4)[1]).toBe('4.3 s');
  });

  test('many reasons end with where the rest is', () => {
    const many = submission(
      'many',
      Array.from({ length: 9 }, (_, i) =>
        failed(`t${i}`, `expected ${i} to be 10 // Object.is equality`, `got ${i}, expected 10`),
      ),
    );
    const why = gradeTable([many], { columns: 100, maxReasons: 4 })
      .split('\n')
      .filter((l) => l.startsWith('│'))
      .map((l) => l.split('│')[6]!.trim());
    expect(why.slice(1)).toEqual([
      'got 0, expected 10',
      'got 1, expected 10',
      'got 2, expected 10',
      '… 6 more in report.html',
    ]);
  });
});

describe("lab check's lines under a failed test", () => {
  test('the sentence and the body that came back, not the raw assertion', () => {
    expect(failureLines(wrongStatus('x'))).toEqual([
      'POST /v1/customers answered 400, expected 201',
      `it answered: ${body}`,
    ]);
  });

  test('--verbose: the sentence, then the whole message', () => {
    const t = wrongStatus('x');
    expect(failureLines(t, { verbose: true })).toEqual([
      'POST /v1/customers answered 400, expected 201',
      `it answered: ${body}`,
      'the whole message:',
      t.message,
    ]);
  });

  test("the app's last output, without Kafka chatter, after a sentence or a harness message", () => {
    const chatter =
      '{"level":"WARN","timestamp":"2026-11-30T06:05:40.254Z","logger":"kafkajs","message":"[Runner] The group is rebalancing, re-joining"}';
    const message = `request to http://127.0.0.1:4000/events failed: the app is not running (it exited with code 1). Its last output:\n  | ${chatter}\n  | TypeError: boom`;
    expect(failureLines(failed('x', message, 'POST /events: the app is not running (it exited with code 1).'))).toEqual(
      [
        'POST /events: the app is not running (it exited with code 1).',
        'its last output:',
        '  | TypeError: boom',
        '  | (1 line(s) of Kafka client chatter left out; --verbose shows them)',
      ],
    );
    const start = `the app did not answer GET /health with 2xx on port 4000 within 5 s. Its last output:\n  | ${chatter}\n  | listening`;
    expect(failureLines(failed('x', start))).toEqual([
      'the app did not answer GET /health with 2xx on port 4000 within 5 s. Its last output:',
      '  | listening',
      '  | (1 line(s) of Kafka client chatter left out; --verbose shows them)',
    ]);
    expect(failureLines(failed('x', start), { verbose: true })).toEqual(start.split('\n'));
  });

  test('long lines are cut to the terminal', () => {
    const lines = failureLines(failed('x', 'y', `got ${'x'.repeat(300)}, expected 1`), { width: 80 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveLength(80);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });
});

describe('the reports keep everything', () => {
  test('results.json and report.html: the sentence first, then the whole message with its body', () => {
    const t = wrongStatus('POST /v1/customers creates a customer');
    const result = submission('ada', [t]);
    const [json] = (gradescopeResults(result) as { tests: { output: string }[] }).tests;
    expect(json!.output).toBe(`${t.summary}\n\n${t.message}\n\nHint: ${t.hint}`);
    const html = htmlReport(findLab('01'), [result]);
    expect(html).toContain('<b>POST /v1/customers answered 400, expected 201</b><pre>status (body: {&#34;error&#34;');
    expect(html).toContain('expected 400 to be 201 // Object.is equality</pre>');
  });
});
