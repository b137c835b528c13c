import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { brokersParallelSafe } from '../../cli/harness/broker-scope.ts';
import { gradeSubmissions } from '../../cli/harness/grade.ts';
import { discoverLabs } from '../../cli/harness/labs.ts';

// Copies of each lab's solution graded in one class, several at a time, in the sandbox: every copy scores 100 %.
// Runs side by side must not disturb each other (ports, broker vhosts and names, scratch folders), and no copy may
// lose a point to a slow start while others are graded. (Lab 00's class is in hostile.test.ts, with attacks.)
// 8 copies by default: two waves of LAB_CLASS_JOBS (4), so every slot is reused while others run, at 40 % of the CPU
// twenty took (CI has 2 cores, and twenty copies of 13 labs were ~28 of its minutes). LAB_CLASS_COPIES=20 grades the
// class of twenty (`LAB_CLASS_COPIES=20 npx vitest run --project labs tests/labs/class.test.ts`).
const COPIES = Number(process.env.LAB_CLASS_COPIES ?? 8);
const JOBS = Number(process.env.LAB_CLASS_JOBS ?? 4);
const work = mkdtempSync(join(tmpdir(), 'lab-class-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const labs = discoverLabs().filter((lab) => lab.id !== '00-warmup');

describe.each(labs.map((lab) => [lab.id, lab] as const))('lab %s', (id, lab) => {
  test(`${COPIES} copies of the solution, graded ${JOBS} at a time, all score 100 %`, {
    timeout: 900_000,
  }, async () => {
    const submissions = Array.from({ length: COPIES }, (_, i) => {
      const dir = join(work, id, `student-${String(i + 1).padStart(2, '0')}`);
      cpSync(join(lab.dir, 'solution'), dir, { recursive: true });
      return { name: `student-${i + 1}`, dir };
    });
    // What `lab grade --shared-brokers` does: these copies are the course's own solution, so runs that share a broker
    // without a boundary of their own (Kafka: names prefixed per run) go side by side too. Where the broker has a
    // boundary (a RabbitMQ vhost per run), it is used; the hostile classes prove the boundaries.
    const jobs = JOBS;
    const shared = !(await brokersParallelSafe(lab)).safe;
    const started = Date.now();
    const results = await gradeSubmissions({ lab, submissions, jobs, isolation: 'auto' });
    console.log(
      `[class] ${id}: ${COPIES} copies, ${jobs} at a time${shared ? ' (shared broker)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const short = results
      .filter((r) => r.score !== r.maxScore)
      .map(
        (r) =>
          `${r.submission} ${r.score}/${r.maxScore}: ${[...r.problems, ...r.tests.filter((t) => t.status !== 'passed').map((t) => `${t.name}: ${t.message?.split('\n').slice(0, 25).join('\n')}`)].join('; ')}`,
      );
    expect(short, short.join('\n')).toEqual([]);
    expect(results).toHaveLength(COPIES);
    expect(results[0]!.maxScore).toBeGreaterThan(0);
  });
});
