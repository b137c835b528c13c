// Vitest config for running ONE lab's tests against one target. The harness (runner.ts) sets LAB_DIR,
// LAB_VISIBILITY and the limits through the environment; nothing here is specific to a lab.
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const labDir = process.env.LAB_DIR ?? '';
const visibility = (process.env.LAB_VISIBILITY ?? 'public').split(',');
const testMs = Number(process.env.LAB_TEST_MS ?? 20_000);
const startMs = Number(process.env.LAB_START_MS ?? 15_000);

export default defineConfig({
  root: join(import.meta.dirname, '..', '..'),
  test: {
    include: visibility.map((v) => join(labDir, 'tests', v, '**/*.test.ts')),
    testTimeout: testMs,
    hookTimeout: startMs + 15_000,
    teardownTimeout: 10_000,
    pool: 'forks',
    maxWorkers: Number(process.env.LAB_WORKERS ?? 2),
    reporters: process.env.LAB_RESULTS_FILE ? [join(import.meta.dirname, 'reporter.ts')] : ['default'],
    passWithNoTests: false,
    watch: false,
  },
});
