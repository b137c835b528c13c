import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findLab } from '../../cli/harness/labs.ts';
import { repoRoot } from '../../cli/paths.ts';
import { createMock } from '../../mock-servers/index.ts';

// A submission cannot steer the mocks that grade it. For every lab that uses a mock, `lab grade` grades the solution
// next to the same solution with tests/fixtures/control/hostile.ts loaded first: an app that, while it is graded,
// tries every /_control route of its mock (every method) with no token and with every token it can guess, then keeps
// clearing faults, resetting and rotating in a loop. It must score exactly what the plain solution scores (100 %),
// test by test, and every one of its control requests must have been answered 401.
const LABS = [
  { id: '02-api-auth', mock: 'oauth' },
  { id: '03-stripe-webhooks', mock: 'stripe' },
  { id: '04-github-webhooks', mock: 'github' },
  { id: '09-resilient-calls', mock: 'carriers' },
] as const;
const fixture = join(repoRoot, 'tests/fixtures/control');
const work = mkdtempSync(join(tmpdir(), 'lab-control-token-'));
const runsDir = join(repoRoot, '.cache', `runs-control-${randomUUID().slice(0, 8)}`);

interface HostileReport {
  label: string;
  pid: number;
  /** Unique per app process (pids repeat: each sandboxed app has a PID namespace of its own). */
  instance: string;
  mocks: string[];
  guesses: number;
  attempts: number;
  firstPassMs: number;
  sweepAttempts: number;
  sweepMs: number;
  guessesTried: number;
  loopRounds: number;
  byStatus: Record<string, number>;
  routes: string[];
  breaches: string[];
}
/** The last report of each hostile app process (a lab's test files each start the app; some restart it). */
const reports = new Map<string, Map<string, HostileReport>>();
let collector: Server;
let reportUrl: string;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const report = JSON.parse(body) as HostileReport;
      if (!reports.has(report.label)) reports.set(report.label, new Map());
      reports.get(report.label)!.set(report.instance, report);
      res.end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  reportUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/report`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => collector?.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
  rmSync(runsDir, { recursive: true, force: true });
});

interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: string;
}
interface Results {
  score: number;
  max_score: number;
  tests: GradescopeTest[];
}

describe.each(LABS)(
  'lab $id, graded with a hostile copy of its solution that goes for the $mock mock',
  ({ id, mock }) => {
    const classDir = join(work, id, 'class');
    const out = join(work, id, 'out');
    const results = (name: string) =>
      JSON.parse(readFileSync(join(out, 'submissions', name, 'results.json'), 'utf8')) as Results;
    let grade: Awaited<ReturnType<typeof execa>>;

    beforeAll(async () => {
      const solution = join(findLab(id).dir, 'solution');
      cpSync(solution, join(classDir, 'plain'), { recursive: true });
      const hostile = join(classDir, 'hostile');
      cpSync(solution, hostile, { recursive: true });
      cpSync(join(fixture, 'hostile.ts'), join(hostile, 'hostile.ts'));
      writeFileSync(join(hostile, 'hostile.json'), JSON.stringify({ reportUrl, label: id }));
      writeFileSync(
        join(hostile, 'main.ts'),
        `import './hostile.ts';\n${readFileSync(join(solution, 'main.ts'), 'utf8')}`,
      );
      grade = await execa(
        process.execPath,
        [
          join(repoRoot, 'cli/main.ts'),
          'grade',
          id.slice(0, 2),
          '--submissions',
          classDir,
          '--jobs',
          '2',
          '--out',
          out,
        ],
        {
          reject: false,
          all: true,
          env: { NO_COLOR: '1', LAB_RUNS_DIR: runsDir },
          timeout: 840_000,
        },
      );
    }, 870_000);

    test('the hostile copy scores exactly what the plain solution scores, 100 %, test by test', () => {
      expect(grade.exitCode, String(grade.all)).toBe(0);
      const plain = results('plain');
      const hostile = results('hostile');
      expect(plain.max_score).toBeGreaterThan(0);
      expect(plain.score, JSON.stringify(plain.tests.filter((t) => t.status !== 'passed'))).toBe(plain.max_score);
      const outcome = (r: Results) =>
        r.tests
          .map((t) => ({ name: t.name, score: t.score, status: t.status }))
          .sort((a, b) => a.name.localeCompare(b.name));
      expect(outcome(hostile)).toEqual(outcome(plain));
      expect(hostile.score).toBe(plain.score);
    });

    test(`it tried every control route of the ${mock} mock, without and with guessed tokens, and in a loop; every answer was 401`, () => {
      const apps = [...(reports.get(id)?.values() ?? [])];
      expect(apps.length, 'no hostile app reported').toBeGreaterThan(0);
      for (const app of apps) expect(app.mocks, `pid ${app.pid}`).toHaveLength(1);

      // Every route its mock's router has (`:id` filled with a guess) is among the ones the app tried.
      const tried = new Set(apps.flatMap((a) => a.routes));
      const routes = createMock(mock).app.routes.filter(
        (r) => r.method !== 'ALL' && /^\/_(control|inspector)(\/|$)/.test(r.path),
      );
      for (const route of routes) {
        const pattern = new RegExp(`^${route.method} ${route.path.replace(/:\w+/g, '[^/]+')}$`);
        expect(
          [...tried].some((t) => pattern.test(t)),
          `${route.method} ${route.path} was never tried`,
        ).toBe(true);
      }

      const sum = (pick: (a: HostileReport) => number) => apps.reduce((n, a) => n + pick(a), 0);
      const byStatus: Record<string, number> = {};
      for (const a of apps)
        for (const [status, n] of Object.entries(a.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
      console.log(
        `[control] ${id}`,
        JSON.stringify({
          apps: apps.length,
          guesses: apps[0]?.guesses,
          attempts: sum((a) => a.attempts),
          loopRounds: sum((a) => a.loopRounds),
          firstPassMs: apps.map((a) => a.firstPassMs),
          sweepMs: apps.map((a) => a.sweepMs),
          byStatus,
        }),
      );

      // Each app, before it even listened, tried every route without a token and every guess it could make (the empty
      // one, "test", each value of its environment, recorded tokens of other mock starts).
      for (const app of apps) {
        expect(app.firstPassMs, `pid ${app.pid}`).toBeGreaterThan(0);
        expect(app.guesses, `pid ${app.pid}`).toBeGreaterThanOrEqual(10);
        expect(app.guessesTried, `pid ${app.pid}`).toBe(app.guesses);
      }
      // Then, while the tests ran, the loop (and the whole matrix of routes × guesses, in the apps that lived long enough).
      expect(sum((a) => a.loopRounds)).toBeGreaterThan(10);

      const breaches = apps.flatMap((a) => a.breaches);
      expect(breaches).toEqual([]);
      const statuses = new Set(apps.flatMap((a) => Object.keys(a.byStatus)));
      statuses.delete('error'); // a request cut off when a test file stops its mock
      expect([...statuses]).toEqual(['401']);
      expect(sum((a) => a.byStatus['401'] ?? 0)).toBeGreaterThan(sum((a) => a.attempts) * 0.9);
    });
  },
);
