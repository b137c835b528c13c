import { defineConfig } from 'vitest/config';

// `npm test` runs the projects one after another (see package.json): fast ones first, then the ones that need
// real brokers, mock servers on loopback, or a browser. Each project can be run alone: npx vitest run --project NAME
export default defineConfig({
  test: {
    // The project's tests read the lab commands' English; a Ukrainian locale or a saved `lab lang uk` must not change
    // that (tests of the Ukrainian loop set LAB_LANG=uk themselves).
    env: { LAB_LANG: 'en' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'mocks',
          // tests/mocks/ holds every mock's tests (OAuth's in tests/mocks/oauth/, the carriers' in tests/mocks/carriers/).
          include: ['tests/mocks/**/*.test.ts'],
          testTimeout: 30_000,
          // Some set-ups compile validators from published schemas: seconds of CPU, more on a busy machine.
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'brokers',
          include: ['tests/brokers/**/*.test.ts'],
          globalSetup: ['tests/setup/brokers.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The lab harness end to end: every lab proven (solution, starter, mutants), hostile submissions graded.
          name: 'labs',
          include: ['tests/labs/**/*.test.ts'],
          globalSetup: ['tests/setup/brokers.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'site',
          include: ['tests/site/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
