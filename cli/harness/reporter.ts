// Vitest reporter used by the harness: writes every graded test (collected, then finished) as JSON lines to
// LAB_RESULTS_FILE, so a run cut short by the time limit still tells which tests existed and which finished.
import { appendFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { messages, parseLang } from '../lang.ts';
import { explainFailure, type TestFailure } from './explain.ts';

export interface ReporterLine {
  kind: 'collected' | 'result';
  id: string;
  name: string;
  file: string;
  points?: number;
  hint?: string;
  state?: 'passed' | 'failed' | 'skipped' | 'pending';
  message?: string;
  /** The failure in plain words (explain.ts), when its shape is known. */
  summary?: string;
  durationMs?: number;
}

const out = process.env.LAB_RESULTS_FILE;
/** The language of the plain-words summaries: the runner's choice (English unless `lab check` asks for another). */
const lang = parseLang(process.env.LAB_LANG) ?? 'en';

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
    const errors = result.state === 'failed' ? (result.errors ?? []) : [];
    const message = result.state === 'failed' ? errors.map((e) => e.message).join('\n') : undefined;
    const summary = explainFailure(errors, test.meta().exchanges, lang);
    write({
      kind: 'result',
      ...describeCase(test),
      state: result.state,
      message,
      summary,
      durationMs: test.diagnostic()?.duration,
    });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    // When a beforeAll hook fails (typically: the app did not start), Vitest skips the file's tests and keeps the
    // error on the suite. Report those tests as failed, with that error, so the student sees why.
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state !== 'skipped' && state !== 'pending') continue;
        if (state === 'skipped' && test.options.mode === 'skip') continue; // skipped on purpose by the author
        const reasons: TestFailure[] = [];
        for (
          let at: TestCase['parent'] | undefined = test.parent;
          at;
          at = at.type === 'module' ? undefined : at.parent
        ) {
          reasons.push(...at.errors());
        }
        const message = reasons.map((e) => e.message).join('\n') || messages('en').didNotRun;
        const summary =
          explainFailure(reasons, [], lang) ?? (reasons.length || lang === 'en' ? undefined : messages(lang).didNotRun);
        write({ kind: 'result', ...describeCase(test), state: 'failed', message, summary });
      }
    }
  }
}
