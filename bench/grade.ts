// Grading speed and the sandbox's cost: grades N copies of a lab's solution with no sandbox (a private copy only,
// as grading ran before the sandbox), with Node's permission model, and with namespaces + the permission model;
// prints each one's per-submission median and overhead, then class throughput with --jobs 1 and --jobs 2 in the
// sandbox this machine uses. Prints figures; asserts nothing.   Run: node bench/grade.ts [--copies 4] [--labs 00,01,06]
// --per-lab: instead, every lab's solution (or only those --labs names) graded alone (public + hidden, the sandbox
// this machine uses), --copies times each: the median seconds per submission against the 10 s target, the figure
// instructors multiply by a class.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gradeSubmissions, listSubmissions } from '../cli/harness/grade.ts';
import { discoverLabs, findLab } from '../cli/harness/labs.ts';
import { medianOf } from '../cli/harness/reports.ts';
import { chooseLayers, describeIsolation, type IsolationMode } from '../cli/harness/sandbox/index.ts';
import { serviceUp } from '../cli/services/index.ts';

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '4' },
    labs: { type: 'string' },
    'per-lab': { type: 'boolean', default: false },
  },
});
const copies = Math.max(2, Math.min(40, Number(values.copies)));
const median = (xs: number[]) => medianOf([...xs].sort((a, b) => a - b));
const modes: IsolationMode[] = ['none', 'permission', 'auto'];

console.log(`sandbox on this machine: ${describeIsolation(chooseLayers('auto'))}`);
if (values['per-lab']) {
  const rows: Record<string, string | number>[] = [];
  for (const lab of values.labs ? values.labs.split(',').map((ref) => findLab(ref)) : discoverLabs()) {
    for (const service of lab.services) await serviceUp(service);
    const times: number[] = [];
    let wrong = 0;
    for (let i = 0; i < copies; i++) {
      const work = mkdtempSync(join(tmpdir(), 'lab-grade-bench-'));
      try {
        cpSync(join(lab.dir, 'solution'), join(work, 's', 'starter'), { recursive: true });
        const [r] = await gradeSubmissions({ lab, submissions: listSubmissions(work), jobs: 1, isolation: 'auto' });
        times.push(r!.durationMs);
        if (r!.score !== r!.maxScore) wrong++;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    const s = median(times) / 1000;
    rows.push({
      lab: lab.id,
      'median s/submission': s.toFixed(1),
      'max s': (Math.max(...times) / 1000).toFixed(1),
      '≤ 10 s': s <= 10 ? 'yes' : 'NO',
      'not 100 %': wrong,
    });
  }
  console.log(`\nEvery lab's solution graded alone, ${copies} times (target: ≤ 10 s per submission)`);
  console.table(rows);
  process.exit(0);
}
for (const ref of (values.labs ?? '00,01,06').split(',')) {
  const lab = findLab(ref);
  for (const service of lab.services) await serviceUp(service);
  const work = mkdtempSync(join(tmpdir(), 'lab-grade-bench-'));
  try {
    for (let i = 1; i <= copies; i++)
      cpSync(join(lab.dir, 'solution'), join(work, `s${i}`, 'starter'), { recursive: true });
    const submissions = listSubmissions(work);
    const rows: Record<string, string | number>[] = [];
    let baseline = 0;
    // Interleave the modes over the copies' order, so load on the machine falls on each mode alike.
    const perMode = new Map<IsolationMode, number[]>(modes.map((m) => [m, []]));
    for (const sub of submissions) {
      for (const mode of modes) {
        const [r] = await gradeSubmissions({ lab, submissions: [sub], jobs: 1, isolation: mode });
        perMode.get(mode)!.push(r!.score === r!.maxScore ? r!.durationMs : NaN);
      }
    }
    for (const mode of modes) {
      const ms = median(perMode.get(mode)!.filter((x) => !Number.isNaN(x)));
      if (mode === 'none') baseline = ms;
      const wrong = perMode.get(mode)!.filter((x) => Number.isNaN(x)).length;
      rows.push({
        isolation: mode,
        'median s/submission': (ms / 1000).toFixed(2),
        overhead: `${(((ms - baseline) / baseline) * 100).toFixed(1)} %`,
        'not 100 %': wrong,
      });
    }
    console.log(
      `\nlab ${lab.id}: ${copies} copies of the solution, public + hidden tests, --jobs 1 (target: sandbox overhead ≤ 10 %)`,
    );
    console.table(rows);
    const throughput: Record<string, string | number>[] = [];
    for (const jobs of [1, 2]) {
      const t0 = performance.now();
      const results = await gradeSubmissions({ lab, submissions, jobs, isolation: 'auto' });
      const seconds = (performance.now() - t0) / 1000;
      throughput.push({
        jobs,
        submissions: copies,
        seconds: seconds.toFixed(1),
        'submissions/s': (copies / seconds).toFixed(2),
        'not 100 %': results.filter((r) => r.score !== r.maxScore).length,
      });
    }
    console.table(throughput);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
