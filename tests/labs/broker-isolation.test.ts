import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { rabbitVhostsAvailable } from '../../cli/harness/broker-scope.ts';
import { repoRoot } from '../../cli/paths.ts';

// `lab grade 06 --jobs 2`: two copies of the solution graded at the same time as a submission that, with the broker
// credentials it is given, keeps purging and deleting every other run's queues. Each run has a vhost and user of its
// own, so the attack finds nothing, the solutions keep 100 %, and no vhost is left on the broker afterwards.
const lab = join(repoRoot, 'labs/06-rabbitmq-work-queue');
const work = mkdtempSync(join(tmpdir(), 'lab-broker-isolation-'));
let run: Awaited<ReturnType<typeof execa>>;
const results = (name: string) =>
  JSON.parse(readFileSync(join(work, 'out', 'submissions', name, 'results.json'), 'utf8'));
const vhosts = async () => {
  const res = await fetch('http://127.0.0.1:15672/api/vhosts', {
    headers: { authorization: `Basic ${btoa('guest:guest')}` },
  });
  return ((await res.json()) as { name: string }[]).map((v) => v.name);
};
let vhostsBefore: string[] = [];

beforeAll(async () => {
  expect(
    await rabbitVhostsAvailable(),
    "RabbitMQ's management API must answer (rabbitmq-plugins enable rabbitmq_management)",
  ).toBe(true);
  vhostsBefore = await vhosts();
  const klass = join(work, 'class');
  for (const name of ['good-1', 'good-2']) cpSync(join(lab, 'solution'), join(klass, name), { recursive: true });
  cpSync(join(repoRoot, 'tests/fixtures/hostile-brokers/purges-other-runs'), join(klass, 'purges-other-runs'), {
    recursive: true,
  });
  for (const file of readdirSync(join(lab, 'starter'))) {
    const target = file === 'main.ts' ? 'starter.ts' : file;
    cpSync(join(lab, 'starter', file), join(klass, 'purges-other-runs', target), { recursive: true });
  }
  run = await execa(
    process.execPath,
    [join(repoRoot, 'cli/main.ts'), 'grade', '06', '--submissions', klass, '--jobs', '2', '--out', join(work, 'out')],
    {
      reject: false,
      all: true,
      env: { NO_COLOR: '1' },
      timeout: 600_000,
    },
  );
}, 660_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("each run gets a vhost of its own, so a submission purging other runs' queues finds none", () => {
  expect(run.exitCode, String(run.all)).toBe(0);
  expect(run.all).toContain('2 at a time');
  const starterScore = results('purges-other-runs');
  const good = [results('good-1'), results('good-2')];
  for (const r of good) {
    expect(r.score, JSON.stringify(r.tests.filter((t: { status: string }) => t.status === 'failed'))).toBe(r.max_score);
    expect(r.extra_data.isolation).toContain('RabbitMQ: a vhost and user of its own');
  }
  expect(starterScore.score).toBeLessThanOrEqual(0.3 * starterScore.max_score);
});

test('no vhost of the runs is left on the broker', async () => {
  expect(await vhosts()).toEqual(vhostsBefore);
});
