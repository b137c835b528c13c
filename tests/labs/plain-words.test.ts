// What a student and an instructor read, through the real CLI and harness: `lab check` words a failed assertion as a
// sentence built from the request the test made (testkit http() → the test's meta → the reporter), `--verbose` adds
// Vitest's own message, and `lab grade` shows whole names with one line per reason while results.json keeps it all.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../../cli/harness/ports.ts';
import { repoRoot } from '../../cli/paths.ts';

const work = mkdtempSync(join(tmpdir(), 'lab-plain-words-'));
const lab = (...args: string[]) =>
  execa(process.execPath, [join(repoRoot, 'cli/main.ts'), ...args], {
    cwd: repoRoot,
    reject: false,
    all: true,
    env: { NO_COLOR: '1' },
    timeout: 300_000,
  });

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('lab start', () => {
  // An app that prints what kafkajs prints at start and at a rebalance, then its own line, and answers /health.
  const chatter = [
    '(node:4242) TimeoutNegativeWarning: -1796018310518 is a negative number.',
    'Timeout duration was set to 1.',
    '(Use `node --trace-warnings ...` to show where the warning was created)',
    '{"level":"WARN","timestamp":"2026-11-30T06:05:40.254Z","logger":"kafkajs","message":"[Runner] The group is rebalancing, re-joining","groupId":"dev.orders"}',
  ];
  const appDir = join(repoRoot, '.cache', `plain-words-app-${process.pid}`);
  mkdirSync(appDir, { recursive: true });
  writeFileSync(
    join(appDir, 'main.ts'),
    `import { createServer } from 'node:http';
process.stderr.write(${JSON.stringify(`${chatter.join('\n')}\n`)});
createServer((_req, res) => res.end('{"status":"ok"}')).listen(Number(process.env.PORT), () => console.log('my app listens'));
`,
  );
  afterAll(() => rmSync(appDir, { recursive: true, force: true }));

  test.each([
    ['without', false],
    ['with', true],
  ])("%s --verbose: the app's own lines, and the chatter only with --verbose", async (_, verbose) => {
    const args = [
      'start',
      '00',
      '--dir',
      relative(repoRoot, appDir),
      '--port',
      String(await freePort()),
      ...(verbose ? ['--verbose'] : []),
    ];
    const start = lab(...args);
    let seen = '';
    await new Promise<void>((resolve) => {
      start.all!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Ctrl-C stops everything')) resolve();
      });
      void start.then(() => resolve());
    });
    start.kill('SIGINT');
    const done = await start;
    expect(done.all, done.all).toContain('my app listens');
    if (verbose) {
      for (const line of chatter) expect(done.all).toContain(line);
    } else {
      for (const line of chatter) expect(done.all).not.toContain(line);
      expect(done.all).toContain(
        '(Kafka client chatter that needs no action is hidden: rebalances, retried broker answers; --verbose shows it)',
      );
    }
  });
});

describe('lab check', () => {
  test('a wrong status is a sentence: the request, what came back, what was expected', async () => {
    const check = await lab('check', '00');
    expect(check.exitCode, check.all).toBe(1);
    expect(check.all).toContain('✗ GET /hello greets the world when no name is given');
    expect(check.all).toMatch(
      /\n {6}GET \/hello answered 404, expected 200\n {6}it answered: 404 Not Found\n {6}hint: /,
    );
    expect(check.all).toContain('GET /hello?name=Ada answered 404, expected 200');
    expect(check.all).not.toContain('Object.is equality');
  });

  test('--verbose adds the whole message', async () => {
    const check = await lab('check', '00', '--verbose');
    expect(check.all).toContain('GET /hello answered 404, expected 200');
    expect(check.all).toContain('expected 404 to be 200 // Object.is equality');
  });
});

describe('lab grade', () => {
  const a = 'ivanenko-oleksandr-vasylovych-group-a';
  const b = 'ivanenko-oleksandr-vasylovych-group-b';

  test('whole names, one line per reason, no bodies; results.json has the sentence and the whole message', async () => {
    const classDir = join(work, 'class');
    cpSync(join(repoRoot, 'labs/00-warmup/starter'), join(classDir, a, 'starter'), { recursive: true });
    cpSync(join(repoRoot, 'labs/00-warmup/solution'), join(classDir, b, 'starter'), { recursive: true });
    const out = join(work, 'out');
    const grade = await lab('grade', '00', '--submissions', classDir, '--jobs', '2', '--out', out);
    expect(grade.exitCode, grade.all).toBe(0);
    // The table's first column, row by row, with wrapped pieces joined again.
    const rows = grade.all
      .split(/\n[├└][^\n]*/)
      .map((block) =>
        block
          .split('\n')
          .filter((l) => l.startsWith('│'))
          .map((l) =>
            l
              .split('│')
              .slice(1, -1)
              .map((c) => c.trim()),
          ),
      )
      .filter((lines) => lines.length);
    const names = rows.map((lines) => lines.map((cells) => cells[0]).join(''));
    expect(names).toEqual(['submission', a, b]);
    const why = (row: number) => rows[row]!.map((cells) => cells[5]).filter(Boolean);
    // The starter fails most tests: one line per reason, at most six, the rest counted.
    expect(why(1).length).toBeGreaterThanOrEqual(4);
    expect(why(1).length).toBeLessThanOrEqual(6);
    expect(why(1).slice(0, 2)).toEqual([
      'GET /hello answered 404, expected 200',
      'GET /hello?name=Ada answered 404, expected 200',
    ]);
    expect(why(1).join('\n')).toMatch(/answered content-type: "t/);
    expect(grade.all).not.toMatch(/Object\.is|\{"/);
    expect(why(2)).toEqual(['-']);

    const results = JSON.parse(readFileSync(join(out, 'submissions', a, 'results.json'), 'utf8')) as {
      tests: { name: string; output: string }[];
    };
    const hello = results.tests.find((t) => t.name === 'GET /hello greets the world when no name is given')!;
    // The sentence, then Vitest's whole message (with the test's own note before it), then the hint.
    expect(hello.output).toMatch(
      /^GET \/hello answered 404, expected 200\nit answered: 404 Not Found\n\n(.*: )?expected 404 to be 200 \/\/ Object\.is equality\n\nHint: /,
    );
  });
});
