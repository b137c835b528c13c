// Vitest reporter used by the harness: writes every graded test (collected, then finished) as JSON lines to
// LAB_RESULTS_FILE, so a run cut short by the time limit still tells which tests existed and which finished.
import { appendFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export interface ReporterLine {
  kind: 'collected' | 'result';
  id: string;
  name: string;
  file: string;
  points?: number;
  hint?: string;
  state?: 'passed' | 'failed' | 'skipped' | 'pending';
  message?: string;
  durationMs?: number;
}

const out = process.env.LAB_RESULTS_FILE;

function write(line: ReporterLine): void {
  if (out) appendFileSync(out, `${JSON.stringify(line)}\n`);
}

function describeCase(test: TestCase): Omit<ReporterLine, 'kind'> {
  const meta = test.meta();
  return { id: test.id, name: test.fullName, file: test.module.moduleId, points: meta.points, hint: meta.hint };
}

export default class HarnessReporter implements Reporter {
  onTestModuleCollected(module: TestModule): void {
    for (const test of module.children.allTests()) write({ kind: 'collected', ...describeCase(test) });
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    const message = result.state === 'failed' ? result.errors?.map((e) => e.message).join('\n') : undefined;
    write({ kind: 'result', ...describeCase(test), state: result.state, message, durationMs: test.diagnostic()?.duration });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    // A file whose hooks failed may leave tests without a result event; report them with the file's error.
    for (const module of modules) {
      const fileErrors = module.errors().map((e) => e.message).join('\n');
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'pending') {
          write({ kind: 'result', ...describeCase(test), state: 'failed', message: fileErrors || 'the test did not run' });
        }
      }
    }
  }
}
