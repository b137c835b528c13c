// Lists one lab's graded tests — name, file, points, hint, rule — without running them: Vitest only collects the test
// files (no hook runs, no app starts). A script of its own, so the Vitest instance never shares a process with the
// caller (which may itself be a Vitest worker):   node cli/harness/collect.ts <lab folder>
// Prints one line: @@collected {"tests":[…],"errors":[…]}
import { relative } from 'node:path';
import { createVitest } from 'vitest/node';

const labDir = process.argv[2];
if (!labDir) {
  console.error('usage: node cli/harness/collect.ts <lab folder>');
  process.exit(2);
}
process.env.LAB_DIR = labDir;
process.env.LAB_VISIBILITY = 'public,hidden';
delete process.env.LAB_RESULTS_FILE;

const vitest = await createVitest('test', {
  config: new URL('./vitest.lab.config.ts', import.meta.url).pathname,
  watch: false,
  reporters: [],
});
const tests: Record<string, unknown>[] = [];
const errors: string[] = [];
try {
  const { testModules, unhandledErrors } = await vitest.collect(undefined, { staticParse: false });
  for (const error of unhandledErrors) errors.push(String((error as Error)?.message ?? error));
  for (const module of testModules) {
    const file = relative(`${labDir}/tests`, module.moduleId);
    for (const error of module.errors()) errors.push(`${file}: ${error.message}`);
    for (const test of module.children.allTests()) {
      const meta = test.meta();
      tests.push({
        name: test.fullName,
        file,
        visibility: file.startsWith('hidden') ? 'hidden' : 'public',
        points: meta.points ?? 0,
        hint: meta.hint,
        rule: meta.rule,
      });
    }
  }
} finally {
  await vitest.close();
}
console.log(`@@collected ${JSON.stringify({ tests, errors })}`);
